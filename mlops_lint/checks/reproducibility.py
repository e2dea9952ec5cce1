"""Reproducibility: seeds, random_state, determinism, paths and pinned dependencies."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
