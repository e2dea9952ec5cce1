"""The catalogue harness, importable: every example of a catalogue run as a test, for us and for plugins.

For each example of a catalogue entry: build the files (or commits) in a fresh git repository, run
only that rule, compare the findings exactly; if the example has `fixed:`, run `fix` and compare the
files exactly; then the fix must have reached a fixed point (a second `fix` changes nothing) and no
fixable finding may remain. Our own suite runs it over `rules/` (tests/test_catalogue_examples.py); a
plugin runs it over its own catalogue folder with one line, in pytest or anywhere else:

    from mlops_lint.testing import run_examples
    def test_catalogue_examples(): run_examples(Path(__file__).parent.parent / "team_conventions" / "rules")

or, one test per example (`TEAM001::logs-params`):

    @pytest.mark.parametrize("case", example_cases(RULES), ids=str)
    def test_example(case, tmp_path): case.run(tmp_path)

The plugin must be installed (`pip install -e .`): the harness runs its rules through the same
registry as `mlops-lint check`, entry point included. Git runs through GitPython with a fixed
identity and date, so commits (and whatever a rule reads of them) are the same on every machine.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlops_lint.catalogue import RuleMeta, load_catalogue
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


# --- building a repository -----------------------------------------------------------------------------


def _git(root: Path, *args: str) -> str:
    import git  # GitPython, imported here: only the harness builds repositories

    output: str = git.Git(str(root)).execute(["git", *args], env=GIT_ENV)
    return output


def git_init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    _git(root, "-c", "init.defaultBranch=main", "init", "-q")


def write_files(root: Path, files: Mapping[str, str | None]) -> None:
    """Write each file (bytes exactly as given, UTF-8); `None` deletes it."""
    for rel, content in files.items():
        path = root / rel
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))


def commit_all(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "--allow-empty", "-m", message)


def toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def to_toml(table: Mapping[str, Any]) -> str:
    """Enough TOML for test configurations (JSON strings are valid TOML basic strings)."""
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in table.items())


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


def build_example(root: Path, example: Mapping[str, Any]) -> str | None:
    """Write the example's repository; returns the path of the single source file, if any."""
    if example.get("git", True):
        git_init(root)
    if example.get("config"):
        (root / ".mlops-lint.toml").write_text(to_toml(example["config"]), encoding="utf-8")
    if "commits" in example:
        for commit in example["commits"]:
            write_files(root, commit.get("files", {}))
            commit_all(root, commit["message"])
        return None
    if "source" in example:
        path = example.get("path", "example.py")
        write_files(root, {path: example["source"]})
        return path
    if "cells" in example:
        path = example.get("path", "example.ipynb")
        write_files(root, {path: make_notebook(example["cells"])})
        return path
    if "files" in example:
        write_files(root, example["files"])
    return None


def _require(condition: bool, message: str) -> None:
    """An AssertionError that `python -O` keeps (plain asserts vanish there, and a plugin may test so)."""
    if not condition:
        raise AssertionError(message)


# --- comparing findings --------------------------------------------------------------------------------

_EXPECT = re.compile(r"^(?P<loc>.+?): (?P<code>[A-Z]{3,}\d{3})(?: (?P<message>.*))?$")


def compact(diagnostic: Diagnostic) -> str:
    """`path[:cell N][:line:col]: CODE message`, the form `expect:` strings are written in."""
    location = diagnostic.location
    parts = [location.path]
    if location.cell is not None:
        parts.append(f"cell {location.cell}")
    if location.span is not None:
        parts += [str(location.span.start_line), str(location.span.start_col)]
    return ":".join(parts) + f": {diagnostic.code} {diagnostic.message}"


def _matches(expected: str, diagnostic: Diagnostic) -> bool:
    match = _EXPECT.match(expected)
    _require(match is not None, f"bad expectation {expected!r}: use 'path[:line[:col]]: CODE [message prefix]'")
    assert match is not None
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
    _require(
        not missing and not remaining,
        "\nmissing:\n  " + "\n  ".join(missing) + "\nunexpected:\n  " + "\n  ".join(compact(d) for d in remaining),
    )


# --- running examples ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExampleCase:
    """One example of one catalogue entry; `str(case)` is its test id (`MLN004::plain-alias`)."""

    meta: RuleMeta
    example: Mapping[str, Any]

    def __str__(self) -> str:
        return f"{self.meta.code}::{self.example['name']}"

    def run(self, root: Path) -> None:
        """Build the example in the empty folder `root` and check it; an AssertionError says what differs."""
        run_example(self.meta, self.example, root)


def example_cases(catalogue: Path | None = None) -> list[ExampleCase]:
    """Every example of the catalogue folder (a plugin's `rules/`; default: the built-in catalogue).
    A folder given here is validated against the rule schema first."""
    metas = load_catalogue(catalogue)
    return [ExampleCase(meta, dict(example)) for meta in metas.values() for example in meta.examples]


def run_example(meta: RuleMeta, example: Mapping[str, Any], root: Path) -> None:
    from mlops_lint import api
    from mlops_lint.fixer import allowed
    from mlops_lint.registry import registry

    if meta.code not in registry():
        raise AssertionError(f"{meta.code} is not a registered rule: is the plugin installed (pip install -e .)?")
    source_path = build_example(root, example)
    overrides = api.Overrides(only=(meta.code,), options={meta.code: example.get("options", {})})
    unsafe = bool(example.get("unsafe"))

    report = api.lint([root], overrides)
    _require(not report.errors, f"rule errors: {report.errors}")
    assert_findings([] if example.get("valid") else example["expect"], report.diagnostics)

    if "fixed" not in example:
        return
    api.fix([root], overrides, unsafe=unsafe)
    fixed = example["fixed"]
    expected_files = {source_path: fixed} if isinstance(fixed, str) else fixed
    for rel, content in expected_files.items():
        path = root / rel
        if content is None:
            _require(not path.exists(), f"{rel} should not exist after the fix")
        else:
            actual = path.read_bytes().decode("utf-8") if path.is_file() else None
            _require(actual == content, f"{rel} after fix:\n{actual}\nexpected:\n{content}")

    again = api.fix([root], overrides, unsafe=unsafe)
    _require(again.touched == [], f"second fix changed {again.touched}")
    after = api.lint([root], overrides)
    _require(not [d for d in after.diagnostics if allowed(d.fix, unsafe)], "fixable findings remain after fix")


def run_examples(catalogue: Path | None = None) -> int:
    """Run every example of the catalogue folder, each in a fresh temporary folder; raise one
    AssertionError listing every failing example. Returns how many examples ran."""
    cases = example_cases(catalogue)
    failures = []
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="mlops-lint-example-") as folder:
            try:
                case.run(Path(folder))
            except AssertionError as exc:
                failures.append(f"{case}: {exc}")
    if failures:
        raise AssertionError(f"{len(failures)} of {len(cases)} examples failed:\n" + "\n".join(failures))
    return len(cases)
