"""The git-history family: what git holds that it should not, at HEAD and anywhere in history."""

from __future__ import annotations

from mlops_lint.checks.git_history import committed, credentials, history, run_artifacts, secrets
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [
    *committed.RULES,
    *history.RULES,
    *secrets.RULES,
    *credentials.RULES,
    *run_artifacts.RULES,
]
