"""Rules about AWS credentials written into code, templates and configuration."""
