"""Shared test helpers: build small repositories on disk, write TOML, compare findings compactly."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mlops_lint.diagnostics import Diagnostic

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Jane Q. Public",
    "GIT_AUTHOR_EMAIL": "jqp@example.com",
    "GIT_COMMITTER_NAME": "Jane Q. Public",
    "GIT_COMMITTER_EMAIL": "jqp@example.com",
    "GIT_AUTHOR_DATE": "2024-05-14T09:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-05-14T09:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return result.stdout


def git_init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")


def write_files(root: Path, files: Mapping[str, str | None]) -> None:
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def to_toml(table: Mapping[str, Any]) -> str:
    """Enough TOML for test configurations (JSON strings are valid TOML basic strings)."""
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in table.items())


_EXPECT = re.compile(r"^(?P<loc>.+?): (?P<code>ML[A-Z]\d{3})(?: (?P<message>.*))?$")


def compact(diagnostic: Diagnostic) -> str:
    location = diagnostic.location
    parts = [location.path]
    if location.cell is not None:
        parts.append(f"cell {location.cell}")
    if location.span is not None:
        parts += [str(location.span.start_line), str(location.span.start_col)]
    return ":".join(parts) + f": {diagnostic.code} {diagnostic.message}"


def _matches(expected: str, diagnostic: Diagnostic) -> bool:
    match = _EXPECT.match(expected)
    assert match, f"bad expectation {expected!r}: use 'path[:line[:col]]: CODE [message prefix]'"
    actual_loc, rest = compact(diagnostic).split(f": {diagnostic.code} ", 1)
    wanted = match.group("loc")
    loc_ok = actual_loc == wanted or actual_loc.startswith(wanted + ":")
    message = match.group("message")
    return loc_ok and match.group("code") == diagnostic.code and (message is None or rest.startswith(message))


def assert_findings(expected: Iterable[str], diagnostics: Iterable[Diagnostic]) -> None:
    """Every expectation matches exactly one finding and every finding is expected."""
    remaining = list(diagnostics)
    missing = []
    for wanted in expected:
        hit = next((d for d in remaining if _matches(wanted, d)), None)
        if hit is None:
            missing.append(wanted)
        else:
            remaining.remove(hit)
    assert not missing and not remaining, (
        "\nmissing:\n  " + "\n  ".join(missing) + "\nunexpected:\n  " + "\n  ".join(compact(d) for d in remaining)
    )


def make_notebook(cells: Iterable[str | Mapping[str, Any]]) -> str:
    """An nbformat 4.5 notebook as Jupyter saves it (indent 1, sorted keys, cell ids, final newline).

    A string is a code cell with that source; a mapping is a cell (code unless `cell_type` says
    otherwise) whose missing fields get Jupyter's defaults. A string `source` is split into lines.
    """
    out = []
    for number, cell in enumerate(cells, 1):
        given = {"source": cell} if isinstance(cell, str) else dict(cell)
        kind = given.setdefault("cell_type", "code")
        given.setdefault("id", f"c{number:03d}")
        given.setdefault("metadata", {})
        if kind == "code":
            given.setdefault("execution_count", None)
            given.setdefault("outputs", [])
        source = given.get("source", "")
        if isinstance(source, str):
            given["source"] = re.findall(r"[^\n]*\n|[^\n]+", source)
        out.append(given)
    notebook = {"cells": out, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
