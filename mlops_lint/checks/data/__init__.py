"""The data family's rules (see `mlops_lint.checks`)."""
