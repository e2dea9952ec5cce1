"""Shared test helpers: build small repositories on disk, write TOML, compare findings compactly.

The repository builders and the findings comparison live in `mlops_lint.testing` (the harness that
plugins use too); they are re-exported here for the suite's tests.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from mlops_lint.testing import (
    GIT_ENV,
    assert_findings,
    commit_all,
    compact,
    git_init,
    make_notebook,
    to_toml,
    toml_value,
    write_files,
)

__all__ = [
    "GIT_ENV",
    "assert_findings",
    "commit_all",
    "compact",
    "git",
    "git_init",
    "make_notebook",
    "to_toml",
    "toml_value",
    "write_files",
]


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout
