"""Code quality: pandas and NumPy smells (NaN comparisons, discarded results, inplace, chained indexing)."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
