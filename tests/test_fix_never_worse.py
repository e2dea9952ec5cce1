"""`fix` never makes a repository worse: on the bundled example and on one repository holding an
example of every fixable rule, `fix` and then `fix --unsafe-fixes` never raise any severity's count,
add no undefined name or syntax error, remove no notebook output a safe fix should keep, and a
second run changes nothing.
"""

from __future__ import annotations

import posixpath
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mlops_lint import api
from mlops_lint.catalogue import RuleMeta
from mlops_lint.context.notebook import Notebook, load_notebook
from mlops_lint.diagnostics import RunReport
from tests.fix_strategies import fixable_rules
from tests.helpers import commit_all, git_init, make_notebook, to_toml, write_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CHECK = api.Overrides(cache=False, history="none", jobs=1)


def _every_fixable_rule(root: Path) -> list[str]:
    """One triggering example of each fixable rule, side by side in one repository (an example whose
    files collide with one already placed is left out); returns the codes placed."""
    git_init(root)
    placed: list[str] = []
    taken: set[str] = set()
    options: dict[str, Any] = {}
    for meta in fixable_rules():
        example = next((e for e in meta.examples if e.get("expect") and "commits" not in e and "config" not in e), None)
        if example is None:
            continue
        files = _files_of(meta, example)
        if not files or taken & set(files):
            continue
        taken |= set(files)
        write_files(root, files)
        if example.get("options"):
            options[meta.code] = example["options"]
        placed.append(meta.code)
    if options:
        (root / ".mlops-lint.toml").write_text(to_toml({"rules": options}), encoding="utf-8")
    commit_all(root, "every fixable rule")
    return placed


def _files_of(meta: RuleMeta, example: dict[str, Any]) -> dict[str, str]:
    if "source" in example:
        return {f"src/{meta.code.lower()}/{posixpath.basename(example.get('path', 'example.py'))}": example["source"]}
    if "cells" in example:
        return {f"notebooks/{meta.code.lower()}.ipynb": make_notebook(example["cells"])}
    return dict(example.get("files", {}))


def _severities(report: RunReport) -> Counter[str]:
    return Counter(str(d.severity) for d in report.diagnostics)


def _undefined_or_unparsable(report: RunReport) -> int:
    return sum(d.code in ("F821", "MLX001") for d in report.diagnostics)


def _outputs(root: Path) -> dict[str, list[list[tuple[int, Any]]]]:
    """Each notebook's outputs per cell, with the size MLJ001 measures (the output's JSON text)."""
    found = {}
    for path in sorted(root.rglob("*.ipynb")):
        notebook = load_notebook(path.read_text(encoding="utf-8"))
        if isinstance(notebook, Notebook):
            cells = [list(zip(cell.output_sizes, cell.outputs, strict=True)) for cell in notebook.cells]
            found[path.relative_to(root).as_posix()] = cells
    return found


def _output_limit(root: Path) -> int:
    """MLJ001's max-output-bytes in force for this repository (an example's option, or the default)."""
    config = root / ".mlops-lint.toml"
    table = tomllib.loads(config.read_text(encoding="utf-8")) if config.is_file() else {}
    default = next(m for m in fixable_rules() if m.code == "MLJ001").options_schema["properties"]["max-output-bytes"]
    return int(table.get("rules", {}).get("MLJ001", {}).get("max-output-bytes", default["default"]))


def _assert_never_worse(root: Path) -> None:
    before = api.lint([root], CHECK)
    outputs = _outputs(root)
    api.fix([root], CHECK)
    after_safe = api.lint([root], CHECK)
    api.fix([root], CHECK, unsafe=True)
    after_unsafe = api.lint([root], CHECK)
    for earlier, later, stage in ((before, after_safe, "fix"), (after_safe, after_unsafe, "fix --unsafe-fixes")):
        grown = {s: n for s, n in _severities(later).items() if n > _severities(earlier)[s]}
        new = sorted(
            {(d.code, d.location.path) for d in later.diagnostics}
            - {(d.code, d.location.path) for d in earlier.diagnostics}
        )
        assert not grown, f"{stage} raised {grown}: new findings {new}"
        assert _undefined_or_unparsable(later) <= _undefined_or_unparsable(earlier), stage
    # a notebook's outputs under the size limit are content: no safe fix removes them
    kept, limit = _outputs(root), _output_limit(root)
    for path, cells in outputs.items():
        for index, cell_outputs in enumerate(cells):
            after = [output for _size, output in kept[path][index]]
            small = [output for size, output in cell_outputs if size <= limit]
            assert all(output in after for output in small), f"{path} cell {index + 1} lost outputs under the limit"
    again = api.fix([root], CHECK, unsafe=True)
    assert again.touched == [], f"a second run changed {again.touched}"


def test_fix_on_the_bundled_example_never_makes_it_worse(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    git_init(tmp_path / "examples")
    commit_all(tmp_path / "examples", "example")
    _assert_never_worse(tmp_path / "examples")


def test_fix_on_every_fixable_rule_at_once_never_makes_it_worse(tmp_path: Path) -> None:
    placed = _every_fixable_rule(tmp_path)
    assert len(placed) >= 15, placed  # most fixable rules take part
    _assert_never_worse(tmp_path)


@pytest.mark.parametrize("name", ["examples"])
def test_skeleton_created_by_a_fix_is_one_warning(tmp_path: Path, name: str) -> None:
    write_files(tmp_path, {"experiments/exp-001-first/notes.md": "notes\n"})
    git_init(tmp_path)
    commit_all(tmp_path, "an experiment folder")
    api.fix([tmp_path], CHECK)
    found = [d for d in api.lint([tmp_path], CHECK).diagnostics if d.location.path.startswith("experiments/")]
    assert [(d.code, str(d.severity)) for d in found] == [("MLE002", "info")], found  # as MLE001 was
    assert "fill in these" in found[0].message
