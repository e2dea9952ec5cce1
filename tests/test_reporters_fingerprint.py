"""Fingerprints survive line moves and re-indentation, and tell different findings apart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fingerprint import SourceLines, fingerprint, normalise
from mlops_lint.registry import metas
from tests.helpers import git_init, write_files

ALIAS = api.Overrides(only=("MLN004",), history="none", cache=False)


def prints(root: Path) -> list[str]:
    report = api.lint([root], ALIAS)
    lines = SourceLines(report.root)
    return [lines.fingerprint(d) for d in report.diagnostics]


def test_stable_when_lines_are_inserted_above_and_the_line_is_reindented(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, {"src/train.py": "import pandas as pds\nimport numpy as numpy_\n"})
    before = prints(root)
    write_files(root, {"src/train.py": "\n\n# a comment\nimport  pandas  as  pds\n\nimport numpy as numpy_\n"})
    assert prints(root) == before and len(set(before)) == 2


def test_depends_on_code_path_commit_and_text() -> None:
    meta = metas()["MLN004"]

    def make(code: str = "MLN004", path: str = "a.py", commit: str | None = None) -> Diagnostic:
        return Diagnostic(
            code=code,
            name=meta.name,
            family=meta.family,
            severity=meta.severity,
            message="m",
            location=Location(path=path, span=Span.point(1), commit=commit),
        )

    base = fingerprint(make(), "import pandas as pds")
    assert base == fingerprint(make(), "  import\tpandas as   pds  ")
    assert len(base) == 64
    others = {
        fingerprint(make("MLN003"), "import pandas as pds"),
        fingerprint(make(path="b.py"), "import pandas as pds"),
        fingerprint(make(commit="abc"), "import pandas as pds"),
        fingerprint(make(), "import pandas as pdx"),
        fingerprint(make(), None),
    }
    assert base not in others and len(others) == 5
    assert normalise(" a \t b\n") == "a b"


def test_flagged_line_of_files_notebooks_and_history(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.py": "one\r\ntwo\x0cstill two\rthree", "nb.ipynb": "{}"})
    lines = SourceLines(tmp_path, cell_line=lambda text, path, cell, line: f"cell {cell} line {line}")
    meta = metas()["MLN004"]

    def at(location: Location) -> Diagnostic:
        return Diagnostic(
            code="MLN004", name=meta.name, family=meta.family, severity=meta.severity, message="m", location=location
        )

    assert lines.flagged_line(at(Location(path="a.py", span=Span.point(2)))) == "two\x0cstill two"
    assert lines.flagged_line(at(Location(path="a.py", span=Span.point(3)))) == "three"
    assert lines.flagged_line(at(Location(path="a.py", span=Span.point(4)))) is None
    assert lines.flagged_line(at(Location(path="nb.ipynb", cell=2, span=Span.point(5)))) == "cell 2 line 5"
    assert lines.flagged_line(at(Location(path="a.py", span=Span.point(1), commit="abc"))) is None
    assert lines.flagged_line(at(Location(path="a.py"))) is None
    assert lines.flagged_line(at(Location(path="missing.py", span=Span.point(1)))) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_never_reads_through_symlinks_or_outside_the_root(tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text("secret\n", encoding="utf-8")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link.py").symlink_to(tmp_path / "outside.py")
    lines = SourceLines(root)
    assert lines.line("link.py", 1) is None
    assert lines.line("../outside.py", 1) is None


def test_notebook_cell_line_through_the_notebook_context() -> None:
    pytest.importorskip("mlops_lint.context.notebook")
    from mlops_lint.fingerprint import notebook_cell_line
    from tests.test_reporters_sarif import NOTEBOOK

    assert notebook_cell_line(NOTEBOOK, "nb.ipynb", 2, 2) == "frame = pd.read_csv(path)"
    assert notebook_cell_line(NOTEBOOK, "nb.ipynb", 2, 3) is None
