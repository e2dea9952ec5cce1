"""Experiment tracking: references from experiment metadata to data, code, metrics and budgets."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
