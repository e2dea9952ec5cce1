"""The notebook context: loading with positions, validation, IPython masking, source rendering;
and the notebook rules' strip fix (byte-identical outside the edited values) and speed."""

from __future__ import annotations

import ast
import base64
import json
import time
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.notebooks.installs import unpinned_packages
from mlops_lint.context.ipython import ipython_escapes
from mlops_lint.context.notebook import Notebook, NotebookProblem, load_notebook, mask_ipython, render_source
from mlops_lint.fixer import still_parses
from tests.helpers import compact, git_init, make_notebook, write_files


def _load(text: str) -> Notebook:
    notebook = load_notebook(text)
    assert isinstance(notebook, Notebook), notebook
    return notebook


# --- loading and positions ---------------------------------------------------------------------


def test_cells_are_numbered_over_all_cells_and_sources_map_to_json_lines() -> None:
    text = make_notebook([{"cell_type": "markdown", "source": "# Title"}, "import os\nx = 1\n\ny = 2"])
    notebook = _load(text)
    markdown, code = notebook.cells
    assert (markdown.index, code.index) == (1, 2)
    assert code.source == "import os\nx = 1\n\ny = 2"
    lines = text.splitlines()
    for number, json_line in enumerate(code.line_json, 1):
        assert json.loads(lines[json_line - 1].strip().rstrip(",")) == code.source.splitlines(True)[number - 1]
    start, end = code.source_span
    assert json.loads(text[start:end]) == ["import os\n", "x = 1\n", "\n", "y = 2"]
    assert text[slice(*code.output_span)] == "[]" and text[slice(*code.count_span)] == "null"


def test_a_string_source_maps_every_line_to_the_string() -> None:
    text = (
        '{"cells": [{"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],\n'
        '"source": "a = 1\\nb = 2"}],\n"metadata": {}, "nbformat": 4, "nbformat_minor": 4}'
    )
    (cell,) = _load(text).cells
    assert cell.source == "a = 1\nb = 2" and cell.line_json == (2, 2) and cell.execution_count == 2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", (1, 1, "not a notebook: the JSON document is not an object")),
        (
            '{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "cells": []}',
            (1, 14, "an nbformat 3 notebook: Jupyter converts it on open, but its cells are not checked here"),
        ),
        ('{"nbformat": 5, "nbformat_minor": 0, "metadata": {}, "cells": []}', (1, 14, "nbformat is 5, not 4")),
        ('{"nbformat": 4, "nbformat_minor": 4, "metadata": {}}', (1, 1, "no 'cells'")),
        (
            '{"nbformat": 4, "nbformat_minor": 4, "metadata": {},\n "cells": [{"cell_type": "code", "metadata": {},'
            ' "outputs": [], "source": [], "execution_count": true}]}',
            (2, 98, "cell 1: 'execution_count' is not an integer or null"),
        ),
        (
            '{"nbformat": 4, "nbformat_minor": 4, "metadata": {},\n "cells": [{"cell_type": "heading", "metadata":'
            ' {}, "source": ""}]}',
            (2, 26, 'cell 1: unknown cell_type "heading"'),
        ),
        ('{"cells": [}', (1, 12, "not valid JSON: Expecting value")),
        ("{}\n=======\n", (2, 1, "merge-conflict marker '======='")),
    ],
)
def test_the_first_problem_is_reported_at_its_line(text: str, problem: tuple[int, int, str]) -> None:
    found = load_notebook(text)
    assert isinstance(found, NotebookProblem)
    assert (found.line, found.column, found.message) == problem


def test_loading_does_not_mutate_and_keeps_values() -> None:
    text = make_notebook([{"source": "x", "outputs": [{"output_type": "stream", "name": "stdout", "text": "é\n"}]}])
    notebook = _load(text)
    assert notebook.value == json.loads(text)
    assert notebook.cells[0].outputs == ({"output_type": "stream", "name": "stdout", "text": "é\n"},)
    item = text[slice(*notebook.cells[0].output_span)][1:-1].strip()
    assert notebook.cells[0].output_sizes == (len(item),) and json.loads(item)["text"] == "é\n"


# --- IPython masking ---------------------------------------------------------------------------

CELL = """\
%matplotlib inline
import numpy as np
!pip install torch \\
    torchvision
files = !ls data
x = np.ones(3)
if x.any():
    %time y = x.sum()
np.ones?
?np.zeros
np.array??
text = '''
!not a command
'''
total = (x
% 2)
z = x / 0
"""


def test_masking_keeps_lines_and_columns_and_the_result_parses() -> None:
    masked, lines = mask_ipython(CELL)
    assert masked.count("\n") == CELL.count("\n")
    ast.parse(masked)
    assert sorted(lines) == [1, 3, 4, 5, 8, 9, 10, 11]
    original, after = CELL.splitlines(), masked.splitlines()
    for number, (before, now) in enumerate(zip(original, after, strict=True), 1):
        if number not in lines:
            assert before == now
    assert after[4] == "files = ..." and after[7] == "    pass" and after[3] == ""
    tree = ast.parse(masked)
    last = tree.body[-1]
    assert (last.lineno, last.col_offset) == (17, 0)  # `z = x / 0` found at its own line after the magics


@pytest.mark.parametrize(
    ("cell", "masked_lines", "masked"),
    [
        ("%%bash\necho hi\n  ls\n", {1, 2, 3}, "\n\n\n"),
        ("%%writefile train.py\nimport os\n", {1, 2}, "\n\n"),
        ("%%time\nimport os\n!ls\nx = 1", {1, 3}, "pass\nimport os\npass\nx = 1"),
        ("\n%%capture\nimport os\n", {2}, "\npass\nimport os\n"),
        ("x = 1\n%%time\n", {2}, "x = 1\npass\n"),
    ],
)
def test_cell_magics(cell: str, masked_lines: set[int], masked: str) -> None:
    assert mask_ipython(cell) == (masked, frozenset(masked_lines))


def test_escapes_are_listed_with_positions() -> None:
    escapes = ipython_escapes(CELL)
    assert [(e.line, e.column, e.end_line, e.kind, e.text) for e in escapes] == [
        (1, 1, 1, "magic", "matplotlib inline"),
        (3, 1, 4, "shell", "pip install torch torchvision"),
        (5, 9, 5, "shell", "ls data"),
        (8, 5, 8, "magic", "time y = x.sum()"),
    ]


def test_lint_positions_after_magics_are_exact(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"nb.ipynb": make_notebook(["%load_ext autoreload\n!ls\nx = 1\n%pip install torch"])})
    report = api.lint([tmp_path], api.Overrides(only=("MLJ006",)))
    assert [compact(d).split(": MLJ006")[0] for d in report.diagnostics] == ["nb.ipynb:cell 1:4:1"]


# --- rendering a changed source ----------------------------------------------------------------


def test_render_keeps_unchanged_items_verbatim_and_the_layout() -> None:
    text = (
        '{\n  "cells": [\n    {\n      "cell_type": "code",\n      "execution_count": null,\n      "metadata": {},\n'
        '      "outputs": [],\n      "source": [\n        "caf\\u00e9 = 1\\n",\n        "x = 2"\n      ]\n    }\n  ],\n'
        '  "metadata": {},\n  "nbformat": 4,\n  "nbformat_minor": 4\n}\n'
    )
    notebook = _load(text)
    cell = notebook.cells[0]
    rendered = render_source(notebook, cell, "café = 1\nx = 3\ny = 4")
    assert rendered == '[\n        "caf\\u00e9 = 1\\n",\n        "x = 3\\n",\n        "y = 4"\n      ]'
    new_text = text[: cell.source_span[0]] + rendered + text[cell.source_span[1] :]
    assert _load(new_text).cells[0].source == "café = 1\nx = 3\ny = 4"
    assert render_source(notebook, cell, "") == "[]"


def test_render_a_string_source_and_an_empty_list() -> None:
    text = make_notebook(["", "é"]).replace('"source": [\n    "é"\n   ]', '"source": "é"')
    notebook = _load(text)
    empty, string = notebook.cells
    assert render_source(notebook, string, "é\nb") == '"é\\nb"'
    assert render_source(notebook, string, "é") == '"é"'  # unchanged: the original text
    rendered = render_source(notebook, empty, "a\nb")
    assert rendered == '[\n    "a\\n",\n    "b"\n   ]'
    new_text = text[: empty.source_span[0]] + rendered + text[empty.source_span[1] :]
    assert new_text == make_notebook(["a\nb", "é"]).replace('"source": [\n    "é"\n   ]', '"source": "é"')


# --- the strip fix -----------------------------------------------------------------------------

TEMPLATE = (
    '{\r\n  "cells": [\r\n    {\r\n      "cell_type": "code",\r\n      "execution_count": {COUNT1},\r\n'
    '      "id": "x1",\r\n      "metadata": {"scrolled": true, "tags": ["keep"]},\r\n      "outputs": {OUT1},\r\n'
    '      "source": ["print(\\"h\\u00e9\\")"]\r\n    },\r\n    {"cell_type": "markdown", "id": "x2", "metadata": {},'
    ' "source": "# Ünïcode"},\r\n    {\r\n      "cell_type": "code",\r\n      "execution_count": {COUNT2},\r\n'
    '      "id": "x3",\r\n      "metadata": {},\r\n      "outputs": {OUT2},\r\n      "source": []\r\n    }\r\n  ],\r\n'
    '  "metadata": {"kernelspec": {"name": "python3"}},\r\n  "nbformat": 4,\r\n  "nbformat_minor": 5\r\n}'
)
OUTPUT = (
    '[\r\n        {"output_type": "stream", "name": "stdout", "text": ["hé\\n"]},\r\n'
    '        {"output_type": "display_data", "data": {"image/png": "AAAA"}, "metadata": {}}\r\n      ]'
)


def _fill(**values: str) -> str:
    text = TEMPLATE
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def test_strip_fix_changes_only_outputs_and_counts(tmp_path: Path) -> None:
    git_init(tmp_path)
    original = _fill(COUNT1="12", OUT1=OUTPUT, COUNT2="3", OUT2="[]")
    assert isinstance(load_notebook(original), Notebook)
    (tmp_path / "nb.ipynb").write_bytes(original.encode("utf-8"))
    overrides = api.Overrides(only=("MLJ001",), options={"MLJ001": {"max-total-bytes": 10}})
    assert len(api.lint([tmp_path], overrides).diagnostics) == 1
    assert api.fix([tmp_path], overrides).touched == []  # no single output is too large: clearing all is unsafe
    api.fix([tmp_path], overrides, unsafe=True)
    expected = _fill(COUNT1="null", OUT1="[]", COUNT2="null", OUT2="[]")
    assert (tmp_path / "nb.ipynb").read_bytes() == expected.encode("utf-8")
    assert api.lint([tmp_path], overrides).diagnostics == ()


def test_a_fix_that_breaks_the_notebook_is_refused() -> None:
    assert still_parses("a.ipynb", make_notebook(["x"])) is None
    assert "would not load" in (still_parses("a.ipynb", "{") or "")


# --- unpinned installs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "packages"),
    [
        ("pip install torch", ["torch"]),
        ("python -m pip install -U --index-url https://x.org/simple torch 'numpy==1.26'", ["torch"]),
        ("pip install torch > /dev/null 2>&1", ["torch"]),
        ("pip install -q -c constraints.txt torch", []),
        ("pip -q install 'transformers[torch]'", ["transformers[torch]"]),
        ("conda install -c pytorch pytorch=2.3 torchvision", ["torchvision"]),
        ("cd src && pip install . && pip install wandb", ["wandb"]),
        ("pip uninstall -y torch", []),
        ("echo pip install torch", []),
        ("sudo -H pip3 install --user torch", ["torch"]),
        ("uv pip install polars", ["polars"]),
        ("/opt/conda/bin/python3 -m pip install xgboost", ["xgboost"]),
    ],
)
def test_unpinned_packages(command: str, packages: list[str]) -> None:
    assert unpinned_packages(command)[1] == packages


# --- speed -------------------------------------------------------------------------------------


def big_notebook(megabytes: int = 5) -> str:
    image = base64.b64encode(bytes(range(256)) * (3 * 1024)).decode("ascii")  # ~1 MiB of base64 per output
    cells = []
    for k in range(megabytes):
        cells.append(
            {
                "source": f"plt.plot(x{k})\nplt.show()",
                "execution_count": k + 1,
                "outputs": [{"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}],
            }
        )
        cells.append("x = 1\n" * 50)
    return make_notebook(cells)


def test_a_5_mb_notebook_with_images_is_checked_fast(tmp_path: Path) -> None:
    text = big_notebook()
    assert len(text) > 5_000_000
    git_init(tmp_path)
    (tmp_path / "big.ipynb").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    report = api.lint([tmp_path], api.Overrides(select=("MLJ",)))
    elapsed = time.perf_counter() - started
    assert [d.code for d in report.diagnostics] == ["MLJ001"]
    assert elapsed < 1.0, f"{elapsed:.2f} s"


# --- context cache and skipped copies ----------------------------------------------------------


def test_notebook_for_is_cached_per_run_and_none_without_text(tmp_path: Path) -> None:
    from mlops_lint.context.notebook import notebook_for

    git_init(tmp_path)
    write_files(tmp_path, {"a.ipynb": make_notebook(["x = 1"])})
    (tmp_path / "b.ipynb").write_bytes(b"\xff\xfe{}")
    session = api.open_session([tmp_path])
    repo = session.repo()
    first = notebook_for(repo, "a.ipynb")
    assert isinstance(first, Notebook) and notebook_for(repo, "a.ipynb") is first
    assert notebook_for(repo, "b.ipynb") is None
    assert notebook_for(session.repo(), "a.ipynb") is not first  # a new run (or fix round) reads again


def test_checkpoint_copies_are_left_to_mln002(tmp_path: Path) -> None:
    git_init(tmp_path)
    broken = make_notebook([{"source": "1/0", "execution_count": 2}, {"source": "x", "execution_count": 1}])
    write_files(tmp_path, {".ipynb_checkpoints/a-checkpoint.ipynb": broken, "b.ipynb": "{"})
    report = api.lint([tmp_path], api.Overrides(select=("MLJ",)))
    assert [compact(d) for d in report.diagnostics] == [
        "b.ipynb:1:2: MLJ003 Invalid notebook: not valid JSON: Expecting property name enclosed in double quotes"
    ]


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("pip install torch", True),
        ("cd ../data", True),
        ("ls ../input", True),
        ("time model.fit(X)", True),
        ("ls -la", False),  # valid Python (ls minus la): left alone
        ("ls = 3", False),
        ("run (a,", False),  # a call continued on the next line
        ("print x", False),  # Python 2, not a magic: the syntax error is reported
        ("cdx ../data", False),
    ],
)
def test_automagic_lines_are_masked_only_when_they_are_not_python(line: str, masked: bool) -> None:
    assert (mask_ipython(line)[1] == {1}) is masked


def test_line_json_when_items_are_not_one_per_line() -> None:
    text = (
        '{"cells": [{"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": [\n'
        '"a = 1\\nb = 2\\n",\n"c = ", "3\\n"]}],\n"metadata": {}, "nbformat": 4, "nbformat_minor": 4}'
    )
    (cell,) = _load(text).cells
    assert cell.source == "a = 1\nb = 2\nc = 3\n"
    assert cell.line_json == (2, 2, 3, 3)  # the last entry is the empty line after the final newline
