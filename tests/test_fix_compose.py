"""Fixes that are right alone but wrong together: isolation of scope-wide fixes, and the F821 net.

The input of the first test is the one that once produced `pds.isna(...)` after `pds` had been
renamed to `pd` in the same round: a NameError written to disk.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mlops_lint import api
from mlops_lint.context.python import ParseFailure, parse_python
from mlops_lint.diagnostics import Diagnostic, Family, Location, RunReport, Severity, Span
from mlops_lint.fixer import choose_fixes, fix_to_fixed_point
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.ruff_bridge import undefined_names
from tests.fix_strategies import examples_of
from tests.helpers import commit_all, git_init

RENAME_AND_NAN = 'import pandas as pds\nimport numpy as np\ndf = pds.read_csv("x.csv")\nprint(df[df.a == np.nan])\n'


def _point(line: int, col: int, end_col: int, content: str, path: str = "a.py") -> TextEdit:
    return TextEdit(
        path=path, span=Span(start_line=line, start_col=col, end_line=line, end_col=end_col), content=content
    )


def _finding(line: int, fix: Fix) -> Diagnostic:
    return Diagnostic(
        code="MLX999",
        name="test",
        family=Family.INTERNAL,
        severity=Severity.WARNING,
        message="m",
        location=Location(path="a.py", span=Span.point(line, 1)),
        fix=fix,
    )


def test_rename_and_nan_fix_in_one_unsafe_run_give_working_code(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / "t.py").write_text(RENAME_AND_NAN, encoding="utf-8")
    commit_all(tmp_path, "x")
    report = api.fix([tmp_path], api.Overrides(cache=False, history="none"), unsafe=True)
    fixed = (tmp_path / "t.py").read_text(encoding="utf-8")
    assert fixed == 'import pandas as pd\ndf = pd.read_csv("x.csv")\nprint(df[pd.isna(df.a)])\n'
    assert not report.rolled_back and not report.refused
    assert undefined_names("t.py", fixed) == {}
    again = api.fix([tmp_path], api.Overrides(cache=False, history="none"), unsafe=True)
    assert again.touched == [] and (tmp_path / "t.py").read_text(encoding="utf-8") == fixed


def test_an_isolated_fix_waits_for_a_round_of_its_own() -> None:
    texts = {"a.py": "x = 1\ny = 2\n"}
    first = Fix(title="one", edits=(_point(1, 1, 2, "z"),))
    rename = Fix(title="rename", edits=(_point(2, 1, 2, "w"),), isolated=True)
    other_file = Fix(title="elsewhere", edits=(_point(1, 1, 2, "v", path="b.py"),))
    chosen = choose_fixes([_finding(1, first), _finding(2, rename)], texts, unsafe=False)
    assert chosen == [first]
    chosen = choose_fixes([_finding(2, rename), _finding(3, first)], texts, unsafe=False)
    assert chosen == [rename]  # taken first, it keeps the file to itself
    assert choose_fixes([_finding(2, rename), _finding(1, other_file)], texts, unsafe=False) == [other_file, rename]


def _one_round(text: str, fixes: list[Fix]) -> object:
    def lint_state(overlays: Mapping[str, str]) -> tuple[RunReport, Mapping[str, str]]:
        current = overlays.get("a.py", text)
        found = [_finding(i + 1, fix) for i, fix in enumerate(fixes)] if current == text else []
        return RunReport(diagnostics=tuple(found)), {"a.py": current}

    return fix_to_fixed_point(lint_state, unsafe=False, undefined=undefined_names)


def test_a_round_that_adds_an_undefined_name_is_rolled_back() -> None:
    # two fixes computed against the same text: one renames the binding, the other still uses the old name
    text = "value = 1\nprint(value)\n"
    renames_binding = Fix(title="rename binding", edits=(_point(1, 1, 6, "total"),))
    report = _one_round(text, [renames_binding])
    assert report.changed == {}
    assert "undefined name" in report.rolled_back["a.py"] and "value" in report.rolled_back["a.py"]
    assert report.applied == 0


def test_a_round_that_removes_an_undefined_name_is_kept() -> None:
    text = "print(valeu)\n"
    report = _one_round(text, [Fix(title="typo", edits=(_point(1, 7, 12, "1"),))])
    assert report.changed == {"a.py": "print(1)\n"} and report.applied == 1 and not report.rolled_back


def test_undefined_names_counts_per_name_and_knows_notebooks() -> None:
    counts = undefined_names("a.py", "print(a, a, b)\n")
    assert counts is not None and sorted(counts.values()) == [1, 2]
    notebook = (
        '{"cells": [{"cell_type": "code", "execution_count": null, "id": "c1", "metadata": {}, "outputs": [],'
        ' "source": ["print(x)\\n"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert sum((undefined_names("n.ipynb", notebook) or {}).values()) == 1


# ---------------------------------------------------------------- combinations as a property

_SOURCES = sorted(
    {example["source"] for _meta, example in examples_of("source") if "__future__" not in example["source"]}
)
_COMBINED = settings(
    max_examples=int(os.environ.get("FIX_COMBINATIONS", "6")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@_COMBINED
@given(sources=st.lists(st.sampled_from(_SOURCES), min_size=2, max_size=4, unique=True))
def test_fixable_examples_combined_in_one_file_stay_defined_and_converge(sources: list[str]) -> None:
    """Every rule's fix is right on its own example; several in one file, fixed in a single unsafe
    run, must not add an undefined name or a syntax error, and a second run changes nothing."""
    text = "\n".join(source.rstrip("\n") + "\n" for source in sources)
    assume(parse_python(text) is not None and not isinstance(parse_python(text), ParseFailure))
    before = undefined_names("combined.py", text)
    assume(before is not None)
    with tempfile.TemporaryDirectory(prefix="fixcombo-") as name:
        root = Path(name)
        (root / ".mlops-lint.toml").write_text("", encoding="utf-8")
        (root / "combined.py").write_text(text, encoding="utf-8")
        overrides = api.Overrides(cache=False, history="none", jobs=1)
        report = api.fix([root], overrides, unsafe=True)
        fixed = (root / "combined.py").read_text(encoding="utf-8")
        assert not isinstance(parse_python(fixed), ParseFailure)
        after = undefined_names("combined.py", fixed)
        assert after is not None
        grown = {name: count for name, count in after.items() if count > before[name]}
        assert not grown, f"{grown} after fixing {report.touched}"
        again = api.fix([root], overrides, unsafe=True)
        assert again.touched == [], "a second run still changed the file"


def test_a_round_that_raises_a_severity_count_is_undone(tmp_path: Path) -> None:
    """Removing an unused import from a DVC stage's script would make dvc.lock stale (MLD007, a warning)
    in exchange for an info: the round is undone and the script keeps its bytes."""
    import hashlib

    script = "import json\nimport os\n\nprint(os.getcwd())\n"
    md5 = hashlib.md5(script.encode()).hexdigest()
    lock = (
        "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: train.py\n"
        f"      hash: md5\n      md5: {md5}\n      size: {len(script)}\n"
    )
    files = {"train.py": script, "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps:\n    - train.py\n"}
    git_init(tmp_path)
    for name, text in {**files, "dvc.lock": lock}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    commit_all(tmp_path, "pipeline")
    overrides = api.Overrides(cache=False, history="none")
    before = api.lint([tmp_path], overrides)
    assert any(d.code == "F401" for d in before.diagnostics) and not any(d.code == "MLD007" for d in before.diagnostics)
    report = api.fix([tmp_path], overrides)
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == script
    assert "raise the number of warning findings" in report.rolled_back["train.py"]
    assert report.applied == 0
    assert not any(d.code == "MLD007" for d in api.lint([tmp_path], overrides).diagnostics)
