"""The experiments family: experiment metadata (missing, invalid, its references) and tracking calls."""

from __future__ import annotations

from mlops_lint.checks.experiments import metadata, missing, references, tracking
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [*missing.RULES, *metadata.RULES, *references.RULES, *tracking.RULES]
