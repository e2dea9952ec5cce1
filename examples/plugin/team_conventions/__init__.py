"""An example mlops-lint plugin: the entry point `team_conventions` names its catalogue and rules."""

from __future__ import annotations

from pathlib import Path

from team_conventions.checks import TrainingScriptWithoutLoggedParams

CATALOGUE = Path(__file__).resolve().parent / "rules"
RULES = [TrainingScriptWithoutLoggedParams]
