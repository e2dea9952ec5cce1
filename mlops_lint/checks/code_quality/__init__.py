"""The code_quality family's rules (see `mlops_lint.checks`)."""
