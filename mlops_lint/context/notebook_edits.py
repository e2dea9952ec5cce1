"""Edits that strip notebook outputs the way nbstripout does, byte-exact everywhere else.

Two strengths, as in nbstripout:
- `strip_large`: only outputs over a size (nbstripout's `--max-size`); execution counts stay. In a
  course or a book the outputs are the content, and they cannot be regenerated without running the
  notebook, so this is all a safe fix may do.
- `strip_all`: every output and every execution count (nbstripout's default): an unsafe fix.

Both honour nbstripout's conventions for outputs meant to stay: `keep_output: true` in the
notebook's metadata (the whole notebook) or a cell's metadata, a `keep_output` cell tag, and
`init_cell: true` (outputs of initialisation cells, kept by nbstripout unless asked).
"""

from __future__ import annotations

from typing import Any

from mlops_lint.context.notebook import Cell, Notebook
from mlops_lint.fixes import TextEdit


def _cell_metadata(notebook: Notebook, cell: Cell) -> dict[str, Any]:
    raw = notebook.value.get("cells", [])[cell.index - 1]
    metadata = raw.get("metadata") if isinstance(raw, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def keeps_output(notebook: Notebook, cell: Cell) -> bool:
    """nbstripout's `determine_keep_output`: init_cell decides first, then keep_output metadata or tag,
    then the notebook's own keep_output."""
    metadata = _cell_metadata(notebook, cell)
    if "init_cell" in metadata:
        return bool(metadata["init_cell"])
    tags = metadata.get("tags")
    if "keep_output" in metadata or (isinstance(tags, list) and "keep_output" in tags):
        return bool(metadata.get("keep_output", True))
    notebook_metadata = notebook.value.get("metadata")
    return isinstance(notebook_metadata, dict) and bool(notebook_metadata.get("keep_output", False))


def _code_cells(notebook: Notebook) -> list[Cell]:
    return [cell for cell in notebook.cells if cell.cell_type == "code" and not keeps_output(notebook, cell)]


def _without(notebook: Notebook, cell: Cell, drop: set[int]) -> str:
    """The cell's `outputs` array text without the outputs at `drop`, the others byte for byte."""
    assert cell.output_span is not None
    start, end = cell.output_span
    spans = cell.output_spans
    kept = [span for index, span in enumerate(spans) if index not in drop]
    if not kept:
        return "[]"
    text = notebook.text
    separator = text[spans[0][1] : spans[1][0]] if len(spans) > 1 else ", "
    body = separator.join(text[s:e] for s, e in kept)
    return text[start : spans[0][0]] + body + text[spans[-1][1] : end]


def strip_large(path: str, notebook: Notebook, max_bytes: int) -> tuple[TextEdit, ...]:
    """Remove each output over `max_bytes` (its JSON text); nothing else changes."""
    edits = []
    for cell in _code_cells(notebook):
        drop = {index for index, size in enumerate(cell.output_sizes) if size > max_bytes}
        if drop and cell.output_span is not None and len(cell.output_spans) == len(cell.outputs):
            content = _without(notebook, cell, drop)
            edits.append(TextEdit(path=path, span=notebook.span(*cell.output_span), content=content))
    return tuple(edits)


def strip_all(path: str, notebook: Notebook) -> tuple[TextEdit, ...]:
    """Clear every output and execution count, as `nbstripout` does by default."""
    edits = []
    for cell in _code_cells(notebook):
        if cell.outputs and cell.output_span is not None:
            edits.append(TextEdit(path=path, span=notebook.span(*cell.output_span), content="[]"))
        if cell.execution_count is not None and cell.count_span is not None:
            edits.append(TextEdit(path=path, span=notebook.span(*cell.count_span), content="null"))
    return tuple(edits)
