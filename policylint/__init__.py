"""policylint: a static linter for AWS infrastructure-as-code and IAM / bucket policies."""

__version__ = "0.1.0"
