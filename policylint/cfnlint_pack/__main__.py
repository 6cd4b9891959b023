"""``python -m policylint.cfnlint_pack [README]`` rewrites the PL → cfn-lint id table of the README."""

import sys
from pathlib import Path

from policylint.cfnlint_pack import readme_with_mapping

readme = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "README.md"
readme.write_text(readme_with_mapping(readme.read_text(encoding="utf-8")), encoding="utf-8")
