"""The project holds itself to its own standards: ruff and mlops-lint both pass on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mlops_lint import api

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_is_clean_on_the_project() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean_on_the_project() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True,
                            text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_mlops_lint_is_clean_on_the_project() -> None:
    report = api.lint([ROOT])
    assert report.diagnostics == () and report.errors == ()
