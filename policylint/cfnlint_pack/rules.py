"""Entry point for ``cfn-lint --append-rules <directory of this file>``: cfn-lint's directory
mode loads the ``[A-Za-z1-9]*.py`` files of a directory and collects their rule classes."""

from policylint.cfnlint_pack import *  # noqa: F401,F403 - the generated rule classes
