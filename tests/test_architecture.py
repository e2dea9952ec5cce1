"""What the layout promises, checked by reading the source (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mlops_lint"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_git_gateway_and_the_ruff_bridge_start_processes() -> None:
    """git runs through `git_gateway.py` alone (GitPython's `Git` object with the safety options);
    ruff's bridge runs the `ruff` binary. Any other `subprocess` import would be a second git runner."""
    pattern = re.compile(r"^\s*(import subprocess|from subprocess import)", re.MULTILINE)
    importing = {path.relative_to(PACKAGE).as_posix() for path in _modules() if pattern.search(path.read_text("utf-8"))}
    assert importing <= {"git_gateway.py", "ruff_bridge.py"}, importing


def test_gitpython_is_imported_by_the_gateway_only() -> None:
    pattern = re.compile(r"^\s*(import git\b|from git\b)", re.MULTILINE)
    importing = {path.relative_to(PACKAGE).as_posix() for path in _modules() if pattern.search(path.read_text("utf-8"))}
    assert importing == {"git_gateway.py"}, importing
