"""Experiment tracking: experiment metadata as a checked convention."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
