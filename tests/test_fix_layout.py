"""A fix that rewrites a multi-line statement keeps the statement's layout: its continuation lines
and closing parenthesis stay where they were, at any block depth and indentation, in a `.py` file
and in a notebook cell (libcst renders a node without its block's indentation; see
`PythonContext.code_in_place`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_lint import api
from tests.helpers import make_notebook

FIX = api.Overrides(only=("MLS007",), cache=False, history="none", jobs=1)
LAYOUT = settings(max_examples=12, deadline=None, derandomize=True, database=None)


@st.composite
def indented_calls(draw: st.DrawFn) -> tuple[str, str]:
    """(source, expected): a discarded multi-line `dropna(...)` nested in blocks, and its fixed form."""
    unit = draw(st.sampled_from(["    ", "  ", "\t"]))
    depth = draw(st.integers(min_value=1, max_value=3))
    args = draw(st.lists(st.sampled_from(['how="all"', 'subset=["a"]', "axis=0", "thresh=2"]), min_size=1, max_size=3))
    hanging = draw(st.booleans())  # the closing parenthesis on a line of its own, or after the last argument
    # module-level blocks: `frame` stays the module's DataFrame (a function parameter would hide its kind)
    heads = ["if frame is not None:", "for _ in range(2):", "with open('log.txt') as log:"][:depth]
    lines = ["import pandas as pd", "", "frame = pd.read_csv('x.csv')"]
    lines += [unit * level + head for level, head in enumerate(heads)]
    inner = unit * depth
    body = [inner + unit + arg + "," for arg in args]
    if not hanging:
        body[-1] = body[-1].rstrip(",") + ")"
    call = [inner + "frame.dropna(", *body, *([inner + ")"] if hanging else [])]
    source = "\n".join([*lines, *call]) + "\n"
    fixed = source.replace(inner + "frame.dropna(", inner + "frame = frame.dropna(", 1)
    return source, fixed


@LAYOUT
@given(case=indented_calls())
def test_multi_line_fix_keeps_its_layout_in_a_python_file(case: tuple[str, str]) -> None:
    source, expected = case
    with tempfile.TemporaryDirectory(prefix="layout-") as name:
        root = Path(name)
        (root / ".mlops-lint.toml").write_text("", encoding="utf-8")
        (root / "clean.py").write_text(source, encoding="utf-8")
        api.fix([root], FIX)
        assert (root / "clean.py").read_text(encoding="utf-8") == expected


@LAYOUT
@given(case=indented_calls())
def test_multi_line_fix_keeps_its_layout_in_a_notebook_cell(case: tuple[str, str]) -> None:
    source, expected = case
    head, cell = source.split("\n\n", 1)  # the import in one cell, the rest in another
    with tempfile.TemporaryDirectory(prefix="layout-") as name:
        root = Path(name)
        (root / ".mlops-lint.toml").write_text("", encoding="utf-8")
        (root / "clean.ipynb").write_text(make_notebook([head, cell.rstrip("\n")]), encoding="utf-8")
        api.fix([root], FIX)
        cells = json.loads((root / "clean.ipynb").read_text(encoding="utf-8"))["cells"]
        assert "".join(cells[1]["source"]) == expected.split("\n\n", 1)[1].rstrip("\n")
