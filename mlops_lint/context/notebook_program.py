"""A notebook's code cells as one Python program, so every Python rule runs on notebooks unchanged.

The code cells, IPython syntax masked (same lines, same columns), are joined in order into one
module, as ruff does: a name bound in cell 2 is known in cell 5, a DataFrame read in one cell is
still a DataFrame in the next, a scaler fitted before the split in another cell is still leakage.
The program is parsed once (`ast`, then libcst for the rules that want it), and every position
maps back to `cell N, line L`. A cell that does not parse on its own is reported once (MLX001 at
its cell and line) and blanked out of the program, so the other cells are still checked.

Fixes computed on the program are turned back into notebook edits: the cell's new source is
rendered into its `source` JSON value in the original layout (`notebook.render_source`), so the
file stays byte-identical outside the cells that changed. A fix that would touch a masked IPython
line, or span two cells, is dropped (its finding stays, without a fix).
"""

from __future__ import annotations

import ast
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlops_lint.context.notebook import Cell, Notebook, mask_ipython, render_source
from mlops_lint.context.python import ParseFailure, parse_ast
from mlops_lint.diagnostics import Span
from mlops_lint.fixes import Fix, TextEdit, apply_edits, line_starts

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


@dataclass(frozen=True, slots=True)
class CellSlice:
    """Where one code cell sits in the program."""

    cell: Cell
    first_line: int  # program line of the cell's line 1
    line_count: int
    masked: frozenset[int]  # cell lines holding IPython syntax
    broken: ParseFailure | None = None  # the cell alone does not parse; its lines are blank in the program


@dataclass(frozen=True, slots=True)
class NotebookProgram:
    path: str
    notebook: Notebook
    text: str
    slices: tuple[CellSlice, ...]
    tree: ast.Module | ParseFailure
    # the first program line of each slice, for bisection; built once (a notebook of 20,000 cells
    # asks `slice_at` for every finding and displayed expression: rebuilding it made that quadratic)
    starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "starts", tuple(piece.first_line for piece in self.slices))

    def slice_at(self, line: int) -> CellSlice | None:
        """The cell that holds program line `line`."""
        i = bisect_right(self.starts, line) - 1
        if i < 0:
            return None
        piece = self.slices[i]
        return piece if line < piece.first_line + piece.line_count else None

    def to_cell(self, span: Span) -> tuple[CellSlice, Span] | None:
        """A program span as (cell, cell-relative span); None when it is not inside one cell."""
        piece = self.slice_at(span.start_line)
        if piece is None:
            return None
        end_line = span.end_line - piece.first_line + 1
        if end_line > piece.line_count:  # ends on the line after the cell: clamp to the cell's end
            end_line, end_col = piece.line_count, len(_line(piece.cell.source, piece.line_count)) + 1
        else:
            end_col = span.end_col
        start_line = span.start_line - piece.first_line + 1
        shifted = Span(start_line=start_line, start_col=span.start_col, end_line=end_line, end_col=end_col)
        return piece, shifted

    def cell_fix(self, fix: Fix | None) -> Fix | None:
        """The program-level fix as edits of the notebook's JSON text (None when it cannot be mapped)."""
        if fix is None:
            return None
        by_cell: dict[int, tuple[CellSlice, list[TextEdit]]] = {}
        for edit in fix.edits:
            if not isinstance(edit, TextEdit) or edit.path != self.path:
                return None
            mapped = self.to_cell(edit.span)
            if mapped is None:
                return None
            piece, span = mapped
            touched = range(span.start_line, span.end_line + 1)
            if any(line in piece.masked for line in touched) or piece.broken is not None:
                return None
            by_cell.setdefault(piece.cell.index, (piece, []))[1].append(
                TextEdit(path=self.path, span=span, content=edit.content)
            )
        edits = []
        for piece, cell_edits in by_cell.values():
            new_source, _applied = apply_edits(piece.cell.source, cell_edits)
            start, end = piece.cell.source_span
            rendered = render_source(self.notebook, piece.cell, new_source)
            edits.append(TextEdit(path=self.path, span=self.notebook.span(start, end), content=rendered))
        return Fix(title=fix.title, edits=tuple(edits), applicability=fix.applicability)


def displayed_expressions(program: NotebookProgram, module: cst.Module) -> frozenset[int]:
    """ids of the libcst `Expr` statements whose value Jupyter displays: the last top-level statement
    of a cell, when it is an expression. Top-level statements of libcst and `ast` are matched in
    order (a `;`-separated line is one libcst line holding several small statements)."""
    if not isinstance(program.tree, ast.Module):
        return frozenset()
    last_line_of_cell = {}
    for statement in program.tree.body:
        piece = program.slice_at(statement.lineno)
        if piece is not None:
            last_line_of_cell[piece.cell.index] = statement
    displayed_ast = {id(s) for s in last_line_of_cell.values() if isinstance(s, ast.Expr)}
    flat: list[cst.CSTNode] = []
    for statement in module.body:
        flat.extend(statement.body if isinstance(statement, cst.SimpleStatementLine) else [statement])
    if len(flat) != len(program.tree.body):
        return frozenset()  # the trees disagree (should not happen): display nothing special
    return frozenset(id(node) for node, twin in zip(flat, program.tree.body, strict=True) if id(twin) in displayed_ast)


def _line(text: str, number: int) -> str:
    starts = line_starts(text)
    if number > len(starts):
        return ""
    end = starts[number] if number < len(starts) else len(text)
    return text[starts[number - 1] : end].rstrip("\r\n")


def _count_lines(text: str) -> int:
    """Lines of a cell source as the program sees them (a final newline does not start a line)."""
    starts = line_starts(text)
    return len(starts) - 1 if text.endswith(("\n", "\r")) else len(starts)


def build_program(path: str, notebook: Notebook) -> NotebookProgram:
    pieces: list[tuple[Cell, str, frozenset[int]]] = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            masked, lines = mask_ipython(cell.source)
            pieces.append((cell, masked, lines))
    program = _assemble(path, notebook, pieces, broken={})
    if isinstance(program.tree, ParseFailure):  # find the cells that do not parse alone, and leave them out
        broken = {}
        for cell, masked, _lines in pieces:
            alone = parse_ast(masked)
            if isinstance(alone, ParseFailure):
                broken[cell.index] = alone
        if broken:
            program = _assemble(path, notebook, pieces, broken)
    return program


def _assemble(
    path: str, notebook: Notebook, pieces: list[tuple[Cell, str, frozenset[int]]], broken: dict[int, ParseFailure]
) -> NotebookProgram:
    chunks: list[str] = []
    slices: list[CellSlice] = []
    line = 1
    for cell, masked, lines in pieces:
        count = max(_count_lines(masked), 1)
        failure = broken.get(cell.index)
        body = "\n" * count if failure else _normalised(masked, count)
        chunks.append(body)
        slices.append(CellSlice(cell, line, count, lines, failure))
        line += count
    text = "".join(chunks)
    return NotebookProgram(path, notebook, text, tuple(slices), parse_ast(text))


def _normalised(masked: str, count: int) -> str:
    """The cell's masked source with `\\n` line ends and exactly `count` lines."""
    starts = line_starts(masked)
    ends = [*starts[1:], len(masked)]
    lines = [masked[start:end].rstrip("\r\n") for start, end in zip(starts, ends, strict=True)][:count]
    return "\n".join(lines + [""] * (count - len(lines))) + "\n"
