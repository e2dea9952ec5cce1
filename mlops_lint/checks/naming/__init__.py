"""The naming family: notebooks, artifacts, modules and import aliases, and conventions as data."""

from __future__ import annotations

from mlops_lint.checks.naming import artifacts, conventions, modules, notebooks
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [*notebooks.RULES, *artifacts.RULES, *modules.RULES, *conventions.RULES]
