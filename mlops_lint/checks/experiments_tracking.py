"""Experiment tracking in code and MLflow files: runs without params, MLproject and MLmodel validity."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
