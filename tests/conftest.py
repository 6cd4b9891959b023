import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _scratch_parse_cache(monkeypatch, tmp_path_factory):
    """The CLI caches parsed files at the project root by default: in tests (and the subprocesses
    they start) each test gets its own scratch cache instead, so that nothing is written into the
    repository and no test reads what another one stored."""
    monkeypatch.setenv("POLICYLINT_CACHE_DIR", str(tmp_path_factory.mktemp("parse-cache")))
