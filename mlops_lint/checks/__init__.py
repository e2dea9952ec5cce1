"""Rule logic, one module per family. `ALL_RULES` is the explicit list the registry reads."""

from __future__ import annotations

from mlops_lint.checks import internal, naming
from mlops_lint.rule import Rule

ALL_RULES: list[type[Rule]] = [*internal.RULES, *naming.RULES]
