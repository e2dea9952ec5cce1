"""mlops-lint: a linter for machine-learning repositories.

The public entry points are :func:`mlops_lint.api.lint` and :func:`mlops_lint.api.fix`;
the command line in :mod:`mlops_lint.cli` is a thin layer over them.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mlops-lint")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
