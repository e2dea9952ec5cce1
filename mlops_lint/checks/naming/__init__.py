"""The naming family's rules (see `mlops_lint.checks`)."""
