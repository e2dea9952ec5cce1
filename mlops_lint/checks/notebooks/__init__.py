"""The notebooks family's rules (see `mlops_lint.checks`)."""
