"""Code quality: scikit-learn smells (data leakage, scaling, hyperparameters, metrics)."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
