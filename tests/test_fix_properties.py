"""Fix safety as properties: every fixable rule, on many layouts of the code that triggers it.

For each fixable Python rule, its catalogue examples are re-laid out (tests/fix_strategies.py) and
fixed with unsafe fixes allowed. Whatever the layout: the result parses, keeps the BOM, encoding,
line endings and final newline, no fixable finding of the rule is left, a second `fix` changes
nothing, and every round of the fix loop changed only the lines its edits covered (the marker
comments the strategy planted survive byte for byte). The other file kinds (notebooks, .gitignore,
YAML, .dvc/config) get the same layout properties, and a write interrupted at any step leaves the
original file and no temporary file behind.

Example counts are small so that the suite stays quick; `HYPOTHESIS_PROFILE=long` runs many more.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from mlops_lint import api, fixer
from mlops_lint.catalogue import RuleMeta
from mlops_lint.diagnostics import Span
from mlops_lint.fixes import TextEdit, split_lines
from tests.fix_strategies import UTF8_BOM, Layout, examples_of, layouts, python_files
from tests.helpers import commit_all, git_init, make_notebook, write_files

# hypothesmith writes code such as `"a"()`, which compiles with a SyntaxWarning
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
PROPERTY = settings(
    max_examples=200 if LONG else 4,
    deadline=None,
    derandomize=not LONG,  # the suite is reproducible; the long run explores
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

PYTHON = examples_of("source")
PYTHON_RULES = sorted({meta.code for meta, _example in PYTHON})


def _overrides(meta: RuleMeta, example: dict[str, Any]) -> api.Overrides:
    return api.Overrides(only=(meta.code,), options={meta.code: example.get("options", {})}, cache=False, jobs=1)


@contextmanager
def repository(files: dict[str, bytes], git: bool = False) -> Iterator[Path]:
    """A throwaway repository (a fixture would be shared by every example hypothesis draws)."""
    with tempfile.TemporaryDirectory(prefix="fixprops-") as name:
        root = Path(name)
        if git:
            git_init(root)
        else:
            (root / ".mlops-lint.toml").write_text("", encoding="utf-8")
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        yield root


@contextmanager
def recording_rounds() -> Iterator[list[tuple[str, list[TextEdit], str]]]:
    """Every (text before, edits, text after) the fix loop applies, round by round."""
    rounds: list[tuple[str, list[TextEdit], str]] = []
    real = fixer.apply_edits

    def record(text: str, edits: Any) -> tuple[str, int]:
        edits = list(edits)
        after, count = real(text, edits)
        rounds.append((text, edits, after))
        return after, count

    with mock.patch.object(fixer, "apply_edits", record):
        yield rounds


def assert_only_edited_lines_changed(before: str, edits: list[TextEdit], after: str) -> None:
    """Lines outside every edit's span are byte-identical (line endings included)."""
    touched: set[int] = set()  # 0-based line indexes an edit may change or insert next to
    for edit in edits:
        span: Span = edit.span
        last = span.end_line if span.end_col > 1 or span.end_line == span.start_line else span.end_line - 1
        touched.update(range(span.start_line - 1, last))
        touched.add(span.start_line - 1)
    old, new = split_lines(before, keepends=True), split_lines(after, keepends=True)
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lines = set(range(i1, i2)) if i2 > i1 else {i1 - 1, i1}
        assert lines & touched if i2 == i1 else lines <= touched, (
            f"{tag} of lines {i1 + 1}..{i2} lies outside the edits {[e.span for e in edits]}"
        )


def assert_fixed_for_good(meta: RuleMeta, example: dict[str, Any], root: Path, report: fixer.FixReport) -> None:
    """Nothing refused, no fixable finding of the rule left, and a second fix is a no-op."""
    overrides = _overrides(meta, example)
    assert not report.refused, report.refused
    after = api.lint([root], overrides)
    left = [d for d in after.diagnostics if d.code == meta.code and fixer.allowed(d.fix, unsafe=True)]
    assert not left, f"fixable findings remain after fix: {left}"
    again = api.fix([root], overrides, unsafe=True)
    assert again.touched == [], f"a second fix changed {again.touched}"


# ---------------------------------------------------------------- Python rules


@pytest.mark.parametrize("code", PYTHON_RULES)
@PROPERTY
@given(data=st.data())
def test_python_fix_is_safe(code: str, data: st.DataObject) -> None:
    meta, example = data.draw(st.sampled_from([case for case in PYTHON if case[0].code == code]), label="example")
    case = data.draw(python_files(example["source"]), label="file")
    try:
        ast.parse(case.data)
    except (SyntaxError, ValueError):
        assume(False)  # generated code that cannot sit here (a stray indent, an unfinished line)
    path = example.get("path", "example.py")
    with repository({path: case.data}) as root:
        before = api.lint([root], _overrides(meta, example))
        fired = any(d.code == meta.code for d in before.diagnostics)
        if not case.generated:
            assert fired, "the example no longer triggers the rule once re-laid out"
        event(f"fired={fired}")
        with recording_rounds() as rounds:
            report = api.fix([root], _overrides(meta, example), unsafe=True)
        fixed = (root / path).read_bytes()
        text = case.layout.check(fixed, case.data)
        ast.parse(fixed)  # raises if the fix broke the code
        for marker in case.markers:
            assert marker.replace("\n", case.layout.newline) in text, f"lost {marker!r}"
        for old, edits, new in rounds:
            assert_only_edited_lines_changed(old, edits, new)
        if path in report.touched:
            assert fixed == (UTF8_BOM if case.layout.bom else b"") + report.changed[path].encode(case.layout.encoding)
        assert_fixed_for_good(meta, example, root, report)


# ---------------------------------------------------------------- Python rules in notebook cells


def _cells(source: str, cuts: list[int]) -> list[str]:
    """`source` split into cells before the given top-level statements (each cell parses alone)."""
    tree = ast.parse(source)
    starts = sorted(
        {min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) for node in tree.body}
    )
    lines = source.splitlines(keepends=True)
    bounds = sorted({starts[i % len(starts)] - 1 for i in cuts} | {0}) if starts else [0]
    return ["".join(lines[a:b]) for a, b in zip(bounds, [*bounds[1:], len(lines)], strict=True) if lines[a:b]]


@pytest.mark.parametrize("code", PYTHON_RULES)
@PROPERTY
@given(
    data=st.data(),
    layout=layouts,
    indent=st.sampled_from([1, 2, "\t"]),
    ascii_only=st.booleans(),
    cuts=st.lists(st.integers(0, 20), max_size=3),
)
def test_python_fix_in_notebook_is_safe(
    code: str, data: st.DataObject, layout: Layout, indent: int | str, ascii_only: bool, cuts: list[int]
) -> None:
    """The same fixes through a notebook's JSON: cells split anywhere between statements, escaped or not."""
    meta, example = data.draw(st.sampled_from([case for case in PYTHON if case[0].code == code]), label="example")
    cells = ['# caf\u00e9\tnotes \\ "quoted"\n', *_cells(example["source"], cuts)]
    notebook = json.loads(make_notebook(cells))
    stored = layout.encode(json.dumps(notebook, indent=indent, sort_keys=True, ensure_ascii=ascii_only))
    with repository({"nb.ipynb": stored}) as root:
        with recording_rounds() as rounds:
            report = api.fix([root], _overrides(meta, example), unsafe=True)
        event(f"notebook fixed={bool(report.touched)}")
        text = layout.check((root / "nb.ipynb").read_bytes(), stored)
        fixed = json.loads(text)
        assert fixed["cells"][0] == notebook["cells"][0]
        for cell in fixed["cells"]:
            ast.parse("".join(cell["source"]))
        for old, edits, new in rounds:
            assert_only_edited_lines_changed(old, edits, new)
        assert_fixed_for_good(meta, example, root, report)


# ---------------------------------------------------------------- notebooks (MLJ001)


def _notebook_case() -> tuple[RuleMeta, dict[str, Any]]:
    return next((m, e) for m, e in examples_of("cells") if m.code == "MLJ001" and "fixed" in e)


@PROPERTY
@given(
    layout=layouts,
    indent=st.sampled_from([1, 2, 4, "\t"]),
    ascii_only=st.booleans(),
    printed=st.text(max_size=40),
    notes=st.text(max_size=40),
)
def test_notebook_fix_keeps_layout(
    layout: Layout, indent: int | str, ascii_only: bool, printed: str, notes: str
) -> None:
    """MLJ001 strips outputs through the JSON text: escapes, indentation and the other cells survive.
    The safe fix removes only the output over the limit (the image); the small printed one stays."""
    meta, example = _notebook_case()
    notebook = json.loads(make_notebook(example["cells"]))
    notebook["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": [printed]}]
    notebook["cells"].append({"cell_type": "markdown", "id": "notes", "metadata": {}, "source": [notes]})
    data = layout.encode(json.dumps(notebook, indent=indent, sort_keys=True, ensure_ascii=ascii_only))
    with repository({"nb.ipynb": data}) as root:
        with recording_rounds() as rounds:
            report = api.fix([root], _overrides(meta, example), unsafe=True)
        fixed = (root / "nb.ipynb").read_bytes()
        assert report.touched == ["nb.ipynb"]
        text = layout.check(fixed, data)
        stripped = json.loads(text)
        for before, after in zip(notebook["cells"], stripped["cells"], strict=True):
            assert all(output in before.get("outputs", []) for output in after.get("outputs", []))
            assert after.get("execution_count") == before.get("execution_count")
        assert stripped["cells"][1]["outputs"] == []  # the large image
        assert stripped["cells"][0]["outputs"] == notebook["cells"][0]["outputs"]  # printed text is content
        unchanged = ("metadata", "nbformat", "nbformat_minor")
        assert {k: stripped[k] for k in unchanged} == {k: notebook[k] for k in unchanged}
        assert [c["source"] for c in stripped["cells"]] == [c["source"] for c in notebook["cells"]]
        for old, edits, new in rounds:
            assert_only_edited_lines_changed(old, edits, new)
        assert_fixed_for_good(meta, example, root, report)


# ---------------------------------------------------------------- text and YAML files


def _lines(text: str) -> list[str]:
    """The lines of `text` whatever its line endings, without trailing empty lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")


def _file_cases() -> list[tuple[RuleMeta, dict[str, Any]]]:
    """Examples given as files whose fix edits a file that exists (CreateFile fixes have no layout to keep)."""
    return [(m, e) for m, e in examples_of("files") + examples_of("commits") if isinstance(e.get("fixed"), dict)]


def _edited(example: dict[str, Any]) -> list[str]:
    given: dict[str, str] = {}
    for commit in example.get("commits", []):
        given.update({k: v for k, v in commit.get("files", {}).items() if v is not None})
    given.update(example.get("files", {}))
    return [p for p, c in example["fixed"].items() if p in given and c is not None and c != given[p]]


FILE_CASES = [(m, e) for m, e in _file_cases() if _edited(e)]


@pytest.mark.parametrize(("meta", "example"), FILE_CASES, ids=[f"{m.code}::{e['name']}" for m, e in FILE_CASES])
@PROPERTY
@given(layout=layouts, oddity=st.sampled_from(["", "\x0c", "\x85", "\u2028", "\u2029"]))
def test_file_fix_keeps_layout(meta: RuleMeta, example: dict[str, Any], layout: Layout, oddity: str) -> None:
    """.gitignore appends, dvc.yaml and experiment YAML edits, .dvc/config moves: the layout survives.

    Each edited file starts with a comment ending in `oddity`: a character that str.splitlines, or
    YAML 1.1, takes for a line break although git, DVC and `Span` do not. Where PyYAML's marks then
    disagree with the file's lines, the rule must offer no fix rather than edit the wrong line."""
    edited = _edited(example)
    if layout.newline == "\r" and any(not p.endswith((".yaml", ".yml")) for p in edited):
        layout = Layout("\n", layout.bom, layout.final_newline)  # git reads .gitignore and .dvc/config by \n
    note = f"# layout note{oddity}\n"
    with tempfile.TemporaryDirectory(prefix="fixprops-") as name:
        root = Path(name)
        git_init(root)
        stored = {}
        steps = [*example.get("commits", []), {"files": example.get("files", {})}]
        for step in steps:
            files = dict(step.get("files", {}))
            write_files(root, files)
            for rel in edited:
                if files.get(rel) is not None:
                    stored[rel] = layout.encode(note + files[rel])
                    (root / rel).write_bytes(stored[rel])
            if "message" in step:
                commit_all(root, step["message"])
        with recording_rounds() as rounds:
            report = api.fix([root], _overrides(meta, example), unsafe=True)
        for rel in edited:
            data = (root / rel).read_bytes()
            if rel.endswith((".yaml", ".yml")) and oddity and data == stored[rel]:
                continue  # no fix: PyYAML refuses a form feed, and its marks count NEL, U+2028, U+2029 as lines
            assert rel in report.touched, f"{rel} was not fixed"
            text = layout.check(data, stored[rel])
            assert _lines(text) == _lines(note + example["fixed"][rel]), f"{rel} differs from the example's fixed text"
        for old, edits, new in rounds:
            assert_only_edited_lines_changed(old, edits, new)
        assert_fixed_for_good(meta, example, root, report)


# ---------------------------------------------------------------- interrupted writes


def _fail_at(step: str) -> Any:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError(f"simulated crash in {step}")

    return fail


class _HalfWritten:
    """A file handle that writes half of what it is given, then fails (a full disk, a killed process)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _HalfWritten:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError("simulated crash in write")


def _half_fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
    return _HalfWritten(_REAL_FDOPEN(fd, *args, **kwargs))


_REAL_FDOPEN = os.fdopen


@pytest.mark.parametrize("step", ["write", "fsync", "chmod", "replace"])
@pytest.mark.parametrize("kind", ["python", "notebook", "gitignore"])
def test_interrupted_write_leaves_the_original(kind: str, step: str) -> None:
    """Whatever step of the atomic write fails, the file keeps its old bytes, no temp file remains, and
    the run reports the file as not fixed (the CLI prints why) rather than stopping with a traceback."""
    if kind == "python":
        meta, example = next((m, e) for m, e in PYTHON if m.code == "MLN004" and "fixed" in e)
        files = {"a.py": Layout("\r\n", True, False).encode(example["source"])}
    elif kind == "notebook":
        meta, example = _notebook_case()
        files = {"nb.ipynb": make_notebook(example["cells"]).encode("utf-8")}
    else:
        meta, example = next((m, e) for m, e in FILE_CASES if m.code == "MLD002")
        files = {k: Layout("\r\n").encode(v) for k, v in example["files"].items()}
    with repository(files) as root:
        (root / "a.py").chmod(0o754) if kind == "python" else None
        targets = {p: (root / p).read_bytes() for p in files}
        patches = {
            "write": mock.patch.object(fixer.os, "fdopen", _half_fdopen),
            "fsync": mock.patch.object(fixer.os, "fsync", _fail_at("fsync")),
            "chmod": mock.patch.object(fixer.os, "chmod", _fail_at("chmod")),
            "replace": mock.patch.object(fixer.os, "replace", _fail_at("replace")),
        }
        with patches[step]:
            crashed = api.fix([root], _overrides(meta, example), unsafe=True)
        assert {p: (root / p).read_bytes() for p in files} == targets
        # reported as not fixed, with the reason, instead of a traceback (a new file needs no chmod: it may be written)
        assert not set(crashed.touched) & set(files)
        assert crashed.refused and all("simulated crash" in why for why in crashed.refused.values())
        leftovers = [p.name for p in root.rglob("*") if p.name.endswith(".mlops-lint-tmp")]
        assert not leftovers, leftovers
        written = api.fix([root], _overrides(meta, example), unsafe=True)  # and a later run still works
        assert written.touched


_KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from mlops_lint import api, fixer

def die(*_args):
    os.kill(os.getpid(), signal.SIGKILL)  # after the temp file is written, before the rename

fixer.os.replace = die
api.fix([Path(sys.argv[1])], api.Overrides(only=("MLN004",), cache=False, jobs=1))
"""


def test_process_killed_mid_write_leaves_the_original() -> None:
    """A process killed before the rename leaves the original bytes; its stray temp file is harmless."""
    original = Layout("\r\n", True, False).encode("import pandas as pds\n\ndf = pds.DataFrame()\n")
    with repository({"a.py": original}) as root:
        done = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE, str(root)], capture_output=True, check=False)
        assert done.returncode == -signal.SIGKILL, done.stderr
        assert (root / "a.py").read_bytes() == original
        assert [p.name for p in root.iterdir() if p.name.endswith(".mlops-lint-tmp")]  # the kill left it behind
        report = api.fix([root], api.Overrides(only=("MLN004",), cache=False, jobs=1))
        assert report.touched == ["a.py"] and not report.refused
        assert (root / "a.py").read_bytes() == Layout("\r\n", True, False).encode(
            "import pandas as pd\n\ndf = pd.DataFrame()\n"
        )
