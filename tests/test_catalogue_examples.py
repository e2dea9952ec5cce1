"""The harness: every example of every catalogue entry, run as a test in a temporary repository.

The harness itself is `mlops_lint.testing` (plugins run their own catalogues with it); this module
only turns each built-in example into one test, with ids like `MLN004::plain-alias`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint.testing import ExampleCase, example_cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rule_example" in metafunc.fixturenames:
        metafunc.parametrize("rule_example", example_cases(), ids=str)


def test_example(rule_example: ExampleCase, tmp_path: Path) -> None:
    rule_example.run(tmp_path)
