"""The internal family: codes the engine reports about its own inputs and tools."""

from __future__ import annotations

from mlops_lint.checks.internal import inputs
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [*inputs.RULES]
