"""IAM rules: identity, resource and trust policy documents."""
