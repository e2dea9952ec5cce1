"""The experiments family's rules (see `mlops_lint.checks`)."""
