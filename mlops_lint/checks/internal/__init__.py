"""The internal family's rules (see `mlops_lint.checks`)."""
