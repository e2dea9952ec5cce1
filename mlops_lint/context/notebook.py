"""A Jupyter notebook (.ipynb, nbformat 4) as rules see it: cells with their sources and outputs,
and where each piece sits in the file's text, so that findings point at the right line and fixes
edit only the spans they change (the rest of the file stays byte-identical).

One pass over the text decodes the JSON and records the offsets of the values rules need (each
cell's `source` and its items, `outputs` and each output, `execution_count`). Leaves are decoded by
the C JSON scanner (`raw_decode`), so a 5 MB base64 image is one call, not a loop over characters.
Nothing is mutated and the `nbformat` package is not needed: the structure the cells are read
from is checked here (what nbformat itself fails to read, and what rules need), and the first
problem is reported at its line; the rest of nbformat's schema is `notebook_schema`'s job. Cells are numbered from 1
over all cells, markdown included, as ruff does.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_lint.context.ipython import mask_ipython as mask_ipython
from mlops_lint.context.json_scan import WHITESPACE, Members, NotJsonError, Scanner
from mlops_lint.diagnostics import Span

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

CELL_TYPES = ("code", "markdown", "raw")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LF = re.compile("\n")  # much faster than _NEWLINE on a text without carriage returns
_MARKERS = ("<" * 7, "|" * 7, "=" * 7, ">" * 7)
_LINES = re.compile(r"[^\n]*\n|[^\n]+")  # how Jupyter splits a source into list items
_CONFLICT = re.compile(r"^(?:<{7}|\|{7}|={7}|>{7})(?=[ \t\r\n]|\Z)", re.MULTILINE)
KNOWN_MINOR = 5  # the newest nbformat 4 minor; a newer one may hold cell types we do not know
OLD_MAJORS = (1, 2, 3)  # read (and converted to 4) by nbformat and Jupyter
OLD_FORMAT = "an nbformat {major} notebook: Jupyter converts it on open, but its cells are not checked here"


@dataclass(frozen=True, slots=True)
class Cell:
    index: int  # 1-based over all cells
    cell_type: str
    source: str
    source_span: tuple[int, int]  # [start, end) offsets of the `source` JSON value in the notebook text
    line_json: tuple[int, ...]  # text line where source line i (1-based) starts: line_json[i - 1]
    execution_count: int | None
    outputs: tuple[dict, ...]
    output_span: tuple[int, int] | None
    count_span: tuple[int, int] | None
    output_sizes: tuple[int, ...] = ()  # characters of each output's JSON text
    output_spans: tuple[tuple[int, int], ...] = ()  # [start, end) of each output's JSON text


@dataclass(frozen=True, slots=True)
class Notebook:
    text: str
    value: dict
    cells: tuple[Cell, ...]
    nbformat: int
    nbformat_minor: int
    line_starts: tuple[int, ...] = (0,)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a text offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        (line, col), (end_line, end_col) = self.position(start), self.position(end)
        return Span(start_line=line, start_col=col, end_line=end_line, end_col=end_col)


@dataclass(frozen=True, slots=True)
class NotebookProblem:
    line: int
    column: int
    message: str
    old_format: bool = False  # nbformat 1-3: valid, and converted by Jupyter on open, but not read here


def _cell_scan(scanner: Scanner, i: int) -> tuple[Any, Any, int]:
    if not scanner.text.startswith("{", i):
        value, end = scanner.leaf(i)
        return value, None, end
    value, members, extras, end = scanner.object(i, {"source": scanner.strings, "outputs": scanner.array})
    return value, (members, extras), end


def _scan(text: str) -> tuple[Any, Any]:
    """The decoded document, and for a top-level object its members and each cell's scan."""
    scanner = Scanner(text)
    start = scanner.ws(0)
    if not text.startswith("{", start):
        value, end = scanner.leaf(start)
        extra = None
    else:
        cells = lambda s: scanner.array(s, lambda i: _cell_scan(scanner, i))  # noqa: E731
        value, members, extras, end = scanner.object(start, {"cells": cells})
        extra = (members, extras)
    if scanner.ws(end) != len(text):
        raise NotJsonError
    return value, extra


def _problem(starts: list[int], offset: int, message: str) -> NotebookProblem:
    line = bisect_right(starts, offset)
    return NotebookProblem(line=line, column=offset - starts[line - 1] + 1, message=message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(s, str) for s in value))


def _is_count(value: Any) -> bool:
    return value is None or _is_int(value)  # a negative count is nbformat's schema finding


# (key, required for, is valid, message when invalid) in the order they are checked
_CELL_FIELDS: tuple[tuple[str, str, Any, str], ...] = (
    ("source", "every", _is_strings, "'source' is not a string or a list of strings"),
    ("metadata", "every", lambda v: isinstance(v, dict), "'metadata' is not an object"),
    ("outputs", "code", lambda v: isinstance(v, list), "'outputs' is not a list"),
    ("execution_count", "code", _is_count, "'execution_count' is not an integer or null"),
)


def _check_cell(n: int, cell: Any, start: int, members: Members) -> tuple[int, str] | None:
    """(offset, message) of the cell's first problem that stops its reading, or None. Cell ids
    are not checked here: a missing or repeated id is one nbformat and Jupyter repair on load,
    and a malformed one is left to the nbformat schema (`notebook_schema`)."""
    if not isinstance(cell, dict):
        return start, f"cell {n}: not a JSON object"
    if "cell_type" not in cell:
        return start, f"cell {n}: no 'cell_type'"
    kind = cell["cell_type"]
    if kind not in CELL_TYPES:
        return members["cell_type"][1], f"cell {n}: unknown cell_type {json.dumps(kind)}"
    for key, needed_by, valid, message in _CELL_FIELDS:
        if needed_by == "code" and kind != "code":
            continue
        if key not in cell:
            return start, f"cell {n}: {'code cell without' if needed_by == 'code' else 'no'} '{key}'"
        if not valid(cell[key]):
            return members[key][1], f"cell {n}: {message}"
    return None


def _check_top(value: Any, members: Members) -> tuple[int, str] | None:
    if not isinstance(value, dict):
        return 0, "not a notebook: the JSON document is not an object"
    major = value.get("nbformat")
    if _is_int(major) and major in OLD_MAJORS:  # before the keys: nbformat 3 has `worksheets`, not `cells`
        return members["nbformat"][1], OLD_FORMAT.format(major=major)
    for key in ("nbformat", "nbformat_minor", "metadata", "cells"):
        if key not in value:
            return 0, f"no '{key}'"
    if major != 4 or not _is_int(major):
        return members["nbformat"][1], f"nbformat is {json.dumps(major)}, not 4"
    if not _is_int(value["nbformat_minor"]) or value["nbformat_minor"] < 0:
        return members["nbformat_minor"][1], "nbformat_minor is not a number"
    if not isinstance(value["metadata"], dict):
        return members["metadata"][1], "'metadata' is not an object"
    if not isinstance(value["cells"], list):
        return members["cells"][1], "'cells' is not a list"
    return None


def _line_json(items: list[tuple[int, str]], source: str, starts: tuple[int, ...]) -> tuple[int, ...]:
    """For each line of `source`, the text line of the JSON string in which it starts."""
    if not items:
        return ()
    one_per_line = "\r" not in source and "\n" not in items[-1][1][:-1]  # Jupyter's layout
    if one_per_line and all(text.count("\n") == 1 and text.endswith("\n") for _start, text in items[:-1]):
        lines = [bisect_right(starts, start) for start, _text in items]
        return tuple(lines + lines[-1:] if items[-1][1].endswith("\n") else lines)
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(source))]
    found: list[int] = []
    k, end_of_item = 0, len(items[0][1])
    for start in line_starts:
        while start >= end_of_item and k < len(items) - 1:
            k += 1
            end_of_item += len(items[k][1])
        found.append(bisect_right(starts, items[k][0]))
    return tuple(found)


def load_notebook(text: str) -> Notebook | NotebookProblem:
    """The notebook in `text`, or its first problem (merge-conflict markers, JSON, structure)."""
    starts = [0, *(m.end() for m in (_NEWLINE if "\r" in text else _LF).finditer(text))]
    conflict = _CONFLICT.search(text) if any(marker in text for marker in _MARKERS) else None
    if conflict is not None:
        return _problem(starts, conflict.start(), f"merge-conflict marker '{conflict.group()}'")
    try:
        value, extra = _scan(text)
    except (ValueError, IndexError, RecursionError):  # NotJsonError and JSONDecodeError are ValueErrors
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return NotebookProblem(line=exc.lineno, column=exc.colno, message=f"not valid JSON: {exc.msg}")
        except RecursionError:
            return NotebookProblem(line=1, column=1, message="not valid JSON: nested too deeply")
        return NotebookProblem(line=1, column=1, message="not valid JSON")
    members, extras = extra if extra is not None else ({}, {})
    bad = _check_top(value, members)
    if bad is not None:
        problem = _problem(starts, bad[0], bad[1])
        old = isinstance(value, dict) and _is_int(value.get("nbformat")) and value["nbformat"] in OLD_MAJORS
        return NotebookProblem(problem.line, problem.column, problem.message, old_format=old)
    minor = value["nbformat_minor"]
    cell_spans = extras.get("cells", [])
    notebook = Notebook(text, value, (), 4, minor, tuple(starts))
    cells: list[Cell] = []
    for n, (cell, (start, _end, scan)) in enumerate(zip(value["cells"], cell_spans, strict=True), 1):
        cell_members, cell_extras = scan if scan is not None else ({}, {})
        if minor > KNOWN_MINOR and isinstance(cell, dict) and cell.get("cell_type") not in CELL_TYPES:
            continue  # nbformat allows unknown cell types from a newer minor; no rule reads them
        bad = _check_cell(n, cell, start, cell_members)
        if bad is not None:
            return _problem(starts, bad[0], bad[1])
        cells.append(_cell(notebook, n, cell, cell_members, cell_extras))
    return Notebook(text, value, tuple(cells), 4, minor, tuple(starts))


def _cell(notebook: Notebook, n: int, cell: dict, members: Members, extras: dict[str, Any]) -> Cell:
    raw = cell["source"]
    source_start, source_end = members["source"][1:]
    if isinstance(raw, str):
        items = [(source_start, raw)]
    else:
        items = [(start, text) for text, (start, _end, _x) in zip(raw, extras["source"], strict=True)]
        if not items:
            items = [(source_start, "")]
    source = raw if isinstance(raw, str) else "".join(raw)
    code = cell["cell_type"] == "code"
    outputs = tuple(cell["outputs"]) if code else ()
    spans = tuple((start, end) for start, end, _x in extras.get("outputs", ())) if code else ()
    sizes = tuple(end - start for start, end in spans)
    return Cell(
        index=n,
        cell_type=cell["cell_type"],
        source=source,
        source_span=(source_start, source_end),
        line_json=_line_json(items, source, notebook.line_starts),
        execution_count=cell["execution_count"] if code else None,
        outputs=outputs,
        output_span=members["outputs"][1:] if code else None,
        count_span=members["execution_count"][1:] if code else None,
        output_sizes=sizes,
        output_spans=spans,
    )


def render_source(notebook: Notebook, cell: Cell, new_source: str) -> str:
    """JSON text for `cell.source_span` holding `new_source`, in the original's form and layout:
    a string stays a string; a list keeps its item indentation, and unchanged lines keep their
    original JSON text verbatim (escapes included)."""
    start, end = cell.source_span
    text = notebook.text
    if new_source == cell.source:
        return text[start:end]
    if text.startswith('"', start):
        return json.dumps(new_source, ensure_ascii=False)
    lines = _LINES.findall(new_source)
    if not lines:
        return "[]"
    _values, spans, _end = Scanner(text).array(start)
    raw = {json.loads(text[s:e]): text[s:e] for s, e, _x in reversed(spans)}
    if spans:
        before, after = text[start + 1 : spans[0][0]], text[spans[-1][1] : end - 1]
        between = text[spans[0][1] : spans[1][0]] if len(spans) > 1 else "," + before
    else:
        before, after = _invented_layout(notebook, start)
        between = "," + before
    items = [raw.get(line) or json.dumps(line, ensure_ascii=False) for line in lines]
    return "[" + before + between.join(items) + after + "]"


def _invented_layout(notebook: Notebook, start: int) -> tuple[str, str]:
    """Whitespace around the items of a list that was empty: the key's indentation plus one step."""
    text = notebook.text
    line, _col = notebook.position(start)
    line_start = notebook.line_starts[line - 1]
    if line == 1:
        return "", ""
    indent = WHITESPACE.match(text, line_start).group().strip("\r\n")  # type: ignore[union-attr]
    first = notebook.line_starts[1] if len(notebook.line_starts) > 1 else 0
    step = WHITESPACE.match(text, first).group().strip("\r\n") or " "  # type: ignore[union-attr]
    newline = _NEWLINE.search(text)
    eol = newline.group() if newline else "\n"
    return eol + indent + step, eol + indent


def notebook_for(repo: RepoContext, path: str) -> Notebook | NotebookProblem | None:
    """The notebook at `path`, loaded once per run (`RepoContext.notebook`)."""
    return repo.notebook(path)
