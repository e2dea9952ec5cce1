"""Rule logic, one package per family (the catalogue's `family:` words), one module per rule group.

`ALL_RULES` is the explicit list the registry reads; each family package exports its own `RULES`,
built from the `RULES` of its modules (each module lists only the rules it defines).
"""

from __future__ import annotations

from mlops_lint.checks import (
    code_quality,
    data,
    experiments,
    git_history,
    internal,
    naming,
    notebooks,
    reproducibility,
)
from mlops_lint.rule import Rule

ALL_RULES: list[type[Rule]] = [
    *internal.RULES,
    *naming.RULES,
    *notebooks.RULES,
    *code_quality.RULES,
    *reproducibility.RULES,
    *data.RULES,
    *experiments.RULES,
    *git_history.RULES,
]
