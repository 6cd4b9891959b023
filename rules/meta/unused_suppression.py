"""
## What it does
Reports a suppression that suppresses nothing: an inline `policylint:ignore` comment, a
CloudFormation `Metadata` ignore entry or a `per-path-ignores` entry of the configuration
that matched no finding of the rule it names. Also reports a suppression that names a rule
policylint does not know (at severity `low`, so that a typo fails the gate instead of silently
not suppressing), and a suppression whose `until=YYYY-MM-DD` date has passed: from the day after
it, the findings it covered are reported again and this rule says why, at the suppression.

A suppression is only judged when its rule ran: `--select PL1` does not make a `PL201`
suppression stale. This is a meta rule: the engine emits it after matching suppressions, and
`--ignore PL000` turns it off.

## Why is this bad?
A stale suppression hides the next real finding at the same place, and nobody remembers
why it was added. Removing it keeps the code honest.

## Example
```hcl
resource "aws_s3_bucket" "data" {
  bucket = "acme-data" # policylint:ignore PL111 -- the ACL was removed long ago
}
```

## Use instead
```hcl
resource "aws_s3_bucket" "data" {
  bucket = "acme-data"
}
```

## References
- [ruff's unused-noqa (RUF100), the same idea](https://docs.astral.sh/ruff/rules/unused-noqa/)
"""

from __future__ import annotations

from policylint.rule import FORMATS, Rule


class UnusedSuppression(Rule):
    code = "PL000"
    slug = "unused-suppression"
    severity = "info"
    title = "Suppression that matches no finding, or names an unknown rule"
    formats = FORMATS

    # A meta rule: not run over the model; the suppression step emits its findings.
    meta = True

    def check(self, scan):
        return ()
