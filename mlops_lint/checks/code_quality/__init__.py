"""The code-quality family: pandas, NumPy, scikit-learn and PyTorch smells, one module per rule group."""

from __future__ import annotations

from mlops_lint.checks.code_quality import (
    dataframes,
    discarded,
    estimators,
    leakage,
    nan_comparison,
    torch_calls,
    torch_grads,
    training_loops,
    unsafe_load,
)
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [
    *dataframes.RULES,
    *nan_comparison.RULES,
    *discarded.RULES,
    *estimators.RULES,
    *leakage.RULES,
    *training_loops.RULES,
    *torch_calls.RULES,
    *torch_grads.RULES,
    *unsafe_load.RULES,
]
