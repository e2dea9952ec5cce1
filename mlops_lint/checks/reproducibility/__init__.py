"""The reproducibility family: seeds and randomness, determinism, paths, pinned dependencies, budgets."""

from __future__ import annotations

from mlops_lint.checks.reproducibility import budgets, dependencies, global_seed, random_state, training_code
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [
    *random_state.RULES,
    *training_code.RULES,
    *global_seed.RULES,
    *dependencies.RULES,
    *budgets.RULES,
]
