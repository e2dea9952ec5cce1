"""mlops-lint: a linter for machine-learning repositories.

The public entry points are :func:`mlops_lint.api.lint` and :func:`mlops_lint.api.fix`;
the command line in :mod:`mlops_lint.cli` is a thin layer over them.
"""

# The one place the version is written: hatchling reads it from here when building (see
# pyproject.toml). Not `importlib.metadata.version()`: that scans every installed distribution and
# cost 60 ms of every run's start-up.
__version__ = "0.1.0"

__all__ = ["__version__"]
