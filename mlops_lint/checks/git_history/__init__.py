"""The git_history family's rules (see `mlops_lint.checks`)."""
