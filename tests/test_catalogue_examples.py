"""The harness: every example of every catalogue entry, run as a test in a temporary repository.

For each example: build the files (or commits) in a fresh git repository, run only that rule,
compare the findings exactly; if the example has `fixed:`, run `fix` and compare the files
exactly; then the fix must have reached a fixed point (a second `fix` changes nothing) and no
fixable finding may remain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops_lint import api
from mlops_lint.catalogue import RuleMeta, load_catalogue
from mlops_lint.fixer import allowed
from tests.helpers import assert_findings, commit_all, git_init, make_notebook, to_toml, write_files


def _examples() -> list[tuple[RuleMeta, dict[str, Any]]]:
    return [(meta, dict(example)) for meta in load_catalogue().values() for example in meta.examples]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "rule_example" in metafunc.fixturenames:
        cases = _examples()
        metafunc.parametrize("rule_example", cases, ids=[f"{m.code}::{e['name']}" for m, e in cases])


def build_example(root: Path, example: dict[str, Any]) -> str | None:
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


def test_example(rule_example: tuple[RuleMeta, dict[str, Any]], tmp_path: Path) -> None:
    meta, example = rule_example
    source_path = build_example(tmp_path, example)
    overrides = api.Overrides(only=(meta.code,), options={meta.code: example.get("options", {})})
    unsafe = bool(example.get("unsafe"))

    report = api.lint([tmp_path], overrides)
    assert not report.errors, report.errors
    assert_findings([] if example.get("valid") else example["expect"], report.diagnostics)

    if "fixed" not in example:
        return
    api.fix([tmp_path], overrides, unsafe=unsafe)
    fixed = example["fixed"]
    expected_files = {source_path: fixed} if isinstance(fixed, str) else fixed
    for rel, content in expected_files.items():
        path = tmp_path / rel
        if content is None:
            assert not path.exists(), f"{rel} should not exist after the fix"
        else:
            assert path.read_bytes().decode("utf-8") == content, f"{rel} after fix"

    again = api.fix([tmp_path], overrides, unsafe=unsafe)
    assert again.touched == [], f"second fix changed {again.touched}"
    after = api.lint([tmp_path], overrides)
    assert not [d for d in after.diagnostics if allowed(d.fix, unsafe)], "fixable findings remain after fix"
