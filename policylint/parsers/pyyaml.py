"""PyYAML, imported for a fraction of its usual start-up cost: ``from policylint.parsers.pyyaml
import yaml``.

Importing ``yaml`` runs the class bodies of its pure-Python reader, resolver and constructor,
which compile about thirty regular expressions, one of them a Unicode class over the whole
code-point range (``Reader.NON_PRINTABLE``, about 15 ms alone).  We parse with the C parser,
which never uses that one, and use a handful of the others.  So while ``yaml`` imports,
``re.compile`` hands out :func:`policylint.patterns.lazy` patterns, compiled on first use.
Nothing else runs in between (the import is the only thing this module does), and
``re.compile`` is restored even if the import fails.
"""

from __future__ import annotations

import re
import sys

from policylint.patterns import lazy

if "yaml" in sys.modules:  # already imported by someone else (cfn-lint in the rule pack, a test)
    import yaml
else:
    _compile = re.compile
    re.compile = lazy
    try:
        import yaml
    finally:
        re.compile = _compile

__all__ = ["yaml"]
