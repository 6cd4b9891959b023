"""The rule catalogue: one rule per module, grouped by service, found by walking this package."""
