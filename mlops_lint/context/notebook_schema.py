"""A notebook checked against nbformat's own JSON Schema, with nbformat's own leniency.

nbformat ships one schema per minor version of format 4 (`nbformat.v4.{0..5}.schema.json`, copied
unchanged into `mlops_lint/schemas/`); `nbformat.validate` picks the one the notebook declares and
runs it after repairing what Jupyter repairs on load. We do the same, without the `nbformat`
package (and its jupyter_core/traitlets dependencies): jsonschema is already ours, and our
notebook loader already holds the decoded document. As in nbformat 5.10:

- from 4.5 on, a cell without `id` is given one (nbformat warns and repairs; so does Jupyter),
  and a repeated id is renamed: neither is an error;
- a minor version newer than 4.5 is validated against the 4.5 schema with every
  `additionalProperties` relaxed and unknown cell and output types allowed.

The first problem, in document order, is reported, at the line of the offending key or value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from mlops_lint.context.json_scan import Scanner
from mlops_lint.context.notebook import KNOWN_MINOR, Notebook, NotebookProblem
from mlops_lint.context.schema_check import Path, SchemaProblem, problems, validator, where
from mlops_lint.resources import schema


def _from_the_future(schema: dict[str, Any]) -> dict[str, Any]:
    """nbformat's `_relax_additional_properties` and `_allow_undefined`, for a newer minor."""

    def relax(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (True if k == "additionalProperties" else relax(v)) for k, v in node.items()}
        return [relax(v) for v in node] if isinstance(node, list) else node

    relaxed = relax(schema)
    relaxed["definitions"]["cell"]["oneOf"].append({"$ref": "#/definitions/unrecognized_cell"})
    relaxed["definitions"]["output"]["oneOf"].append({"$ref": "#/definitions/unrecognized_output"})
    return relaxed


def _is_text(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(line, str) for line in value))


def _thin(mapping: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """`mapping` with each text value of `keys` (a string or a list of strings, nbformat's
    `multiline_string`) replaced by "": valid either way, and jsonschema, which would check
    every line of every source and output one by one, is spared the bulk of a notebook."""
    keys = tuple(keys)
    if not any(key in mapping and _is_text(mapping[key]) for key in keys):
        return mapping
    return {k: ("" if k in keys and _is_text(v) else v) for k, v in mapping.items()}


# values that the schema checks on their own (a count, a well-formed id) and that differ in every
# cell: replaced by one valid stand-in before a cell's shape is validated (and memoised)
_CELL_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")  # nbformat 4.5's cell_id: pattern, minLength, maxLength
_SAME: dict[str, Any] = {"execution_count": 1, "id": "id"}
_SAME_OK: dict[str, Any] = {
    "execution_count": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
    "id": lambda v: isinstance(v, str) and _CELL_ID.fullmatch(v) is not None,
}


def _moved(found: list[SchemaProblem], where: Path) -> list[SchemaProblem]:
    return [SchemaProblem((*where, *p.path), (*where, *p.subject), p.text) for p in found]


class _Checker:
    """nbformat's validation, split the way nbformat's own `better_validation_error` reads it:
    the notebook without its cells, each cell by its own `cell_type` definition without its
    outputs, each output by its `output_type`. Same verdicts as one `oneOf` pass, without
    evaluating every cell against every cell type (ten times faster on a course notebook)."""

    def __init__(self, minor: int) -> None:
        future = minor > KNOWN_MINOR
        self.name = f"nbformat.v4.{KNOWN_MINOR if future else minor}.schema.json"
        self.transform = _from_the_future if future else None
        self.minor = minor
        self.definitions = set(schema(self.name)["definitions"])
        self.memo: dict[tuple[str, str], list[SchemaProblem]] = {}

    def _by(self, definition: str, value: Any, where: Path) -> list[SchemaProblem]:
        """Problems of `value` under one definition. Cells and outputs repeat their shape (a
        stream output, a code cell with its count): each shape is validated once."""
        if isinstance(value, dict):
            value = {k: (_SAME[k] if k in _SAME and _SAME_OK[k](v) else v) for k, v in value.items()}
        try:
            key = (definition, json.dumps(value, sort_keys=True))
        except (TypeError, ValueError):
            key = None
        if key is None or key not in self.memo:
            found = problems(validator(self.name, self.transform, f"#/definitions/{definition}"), value)
            if key is None:
                return _moved(found, where)
            self.memo[key] = found
        return _moved(self.memo[key], where)

    def problems(self, value: dict[str, Any]) -> list[SchemaProblem]:
        found = problems(validator(self.name, self.transform), {**value, "cells": []})  # notebook metadata
        for n, cell in enumerate(value["cells"]):
            found += self._cell(n, cell)
        return found

    def _cell(self, n: int, cell: Any) -> list[SchemaProblem]:
        kind = cell.get("cell_type") if isinstance(cell, dict) else None
        if not isinstance(kind, str) or f"{kind}_cell" not in self.definitions:
            return self._by("cell", cell, ("cells", n))
        thin = _thin(cell, ("source",))
        if self.minor >= 5 and "id" not in thin:  # nbformat gives it an id on load
            thin = {**thin, "id": f"cell-{n}"}
        outputs = thin.get("outputs")
        if isinstance(outputs, list):
            thin = {**thin, "outputs": []}
        found = self._by(f"{kind}_cell", thin, ("cells", n))
        for m, output in enumerate(outputs if isinstance(outputs, list) else ()):
            found += self._output(output, ("cells", n, "outputs", m))
        return found

    def _output(self, output: Any, where: Path) -> list[SchemaProblem]:
        kind = output.get("output_type") if isinstance(output, dict) else None
        if not isinstance(kind, str) or kind not in self.definitions or kind in ("cell", "output"):
            return self._by("output", output, where)
        thin = _thin(output, ("text",))
        data = thin.get("data")
        if isinstance(data, dict):  # a mimebundle: text per MIME type, except the JSON types
            thin = {**thin, "data": _thin(data, (k for k in data if not k.endswith("json")))}
        return self._by(kind, thin, where)


def _offset(text: str, path: Path) -> int:
    """Where the value at `path` starts in the JSON text (a mapping member: where its key starts)."""
    scanner = Scanner(text)
    at = scanner.ws(0)
    for depth, key in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(key, str) and text.startswith("{", at):
            _value, members, _extras, _end = scanner.object(at)
            if key not in members:
                break
            at = members[key][0] if last else members[key][1]
        elif isinstance(key, int) and text.startswith("[", at):
            _values, spans, _end = scanner.array(at)
            if key >= len(spans):
                break
            at = spans[key][0]
        else:
            break
    return at


def _order(problem: SchemaProblem) -> list[tuple[bool, str]]:
    return [(isinstance(k, str), str(k).zfill(9)) for k in problem.path]


def notebook_schema_problem(notebook: Notebook) -> NotebookProblem | None:
    """The first thing nbformat's validator (after its repairs) refuses in a readable notebook."""
    found = sorted(_Checker(notebook.nbformat_minor).problems(notebook.value), key=_order)
    if not found:
        return None
    first = found[0]
    subject, message = first.subject, first.message
    if len(subject) >= 2 and subject[0] == "cells" and isinstance(subject[1], int):  # "cell 3: ..."
        inner = where(subject[2:])
        message = f"cell {subject[1] + 1}: {inner + ': ' if inner else ''}{first.text}"
    line, column = notebook.position(_offset(notebook.text, first.path))
    return NotebookProblem(line=line, column=column, message=message)
