"""The notebooks family: notebooks that do not load or run cleanly, hidden state, training in a
notebook, unpinned installs."""

from __future__ import annotations

from mlops_lint.checks.notebooks import cell_code, installs, validity
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [*validity.RULES, *installs.RULES, *cell_code.RULES]
