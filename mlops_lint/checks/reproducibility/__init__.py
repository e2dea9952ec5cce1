"""The reproducibility family's rules (see `mlops_lint.checks`)."""
