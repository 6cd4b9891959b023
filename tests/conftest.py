import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


import os  # noqa: E402
import tempfile  # noqa: E402

# The CLI caches parsed files at the project root by default: in tests (and the subprocesses they
# start) the cache goes to a scratch directory instead of the repository.
_SCRATCH_CACHE = tempfile.TemporaryDirectory(prefix="policylint-test-cache-")
os.environ.setdefault("POLICYLINT_CACHE_DIR", _SCRATCH_CACHE.name)
