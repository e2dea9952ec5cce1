"""The plugin's own test: every example of its catalogue, through mlops-lint's harness."""

from __future__ import annotations

from mlops_lint.testing import run_examples

import team_conventions


def test_catalogue_examples() -> None:
    assert run_examples(team_conventions.CATALOGUE) >= 2
