"""Notebook hygiene read from the .ipynb JSON: output size, clean execution, validity (unpinned
installs are in `installs.py`). Python rules run on the cells through the engine; the rules
here only read `context.notebook`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.notebook import Cell, Notebook, NotebookProblem, notebook_for
from mlops_lint.context.notebook_edits import keeps_output, strip_all, strip_large
from mlops_lint.context.notebook_schema import notebook_schema_problem
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Severity, Span
from mlops_lint.fixes import Applicability, Fix
from mlops_lint.rule import PathRule

NOTEBOOK = frozenset({FileKind.NOTEBOOK})


def _size(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _checkpoint(file: FileContext) -> bool:
    return ".ipynb_checkpoints" in file.parts[:-1]  # Jupyter's autosave copies: MLN002 reports them


def loaded_notebook(file: FileContext, repo: RepoContext) -> Notebook | None:
    if _checkpoint(file):
        return None
    notebook = notebook_for(repo, file.path)
    return notebook if isinstance(notebook, Notebook) else None


def code_cells(notebook: Notebook) -> Iterator[Cell]:
    return (cell for cell in notebook.cells if cell.cell_type == "code")


def _content_length(value: object) -> int:
    if isinstance(value, list):
        return sum(len(part) for part in value if isinstance(part, str))
    return len(value) if isinstance(value, str) else 0


def output_kind(output: dict) -> str:
    """What an output mostly is: its largest mime type, `stream (stdout)`, or `error`."""
    kind = output.get("output_type")
    if kind == "stream":
        return f"stream ({output.get('name', 'stdout')})"
    data = output.get("data")
    if isinstance(data, dict) and data:
        return max(data, key=lambda mime: _content_length(data[mime]))
    return str(kind or "output")


class NotebookLargeOutputs(PathRule):
    code = "MLJ001"
    kinds = NOTEBOOK

    def _fix(self, path: str, notebook: Notebook) -> Fix | None:
        """Safe: remove only the outputs over `max-output-bytes` (outputs are content in a course or a
        book, and only running the notebook brings them back). When no single output is over it, the
        unsafe fix clears them all, as nbstripout does. keep_output and init_cell are honoured."""
        large = strip_large(path, notebook, self.options["max-output-bytes"])
        if large:
            title = f"Remove the outputs over {_size(self.options['max-output-bytes'])} (like nbstripout --max-size)"
            return Fix(title=title, edits=large)
        everything = strip_all(path, notebook)
        if not everything:
            return None
        return Fix(title=self.fix_title(), edits=everything, applicability=Applicability.UNSAFE)

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = loaded_notebook(file, repo)
        if notebook is None:
            return
        sized = [
            (size, cell, output)
            for cell in code_cells(notebook)
            if not keeps_output(notebook, cell)  # nbstripout's keep_output / init_cell: kept on purpose
            for size, output in zip(cell.output_sizes, cell.outputs, strict=True)
        ]
        if not sized:
            return
        total = sum(size for size, _cell, _output in sized)
        biggest, cell, output = max(sized, key=lambda entry: entry[0])
        if total <= self.options["max-total-bytes"] and biggest <= self.options["max-output-bytes"]:
            return
        fix = self._fix(file.path, notebook)
        yield self.diagnostic(
            Location(path=file.path, cell=cell.index),
            fix,
            total=_size(total),
            cell=cell.index,
            kind=output_kind(output),
            size=_size(biggest),
        )


COUNTS_AROUND = 3  # counts shown on each side of the first one out of order


def _raises_on_purpose(notebook: Notebook, cell: Cell) -> bool:
    """Cells tagged `raises-exception` (nbval, nbconvert --allow-errors) show an error on purpose."""
    raw = notebook.value["cells"][cell.index - 1]
    tags = raw.get("metadata", {}).get("tags")
    return isinstance(tags, list) and "raises-exception" in tags


class NotebookNotCleanlyExecuted(PathRule):
    code = "MLJ002"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = loaded_notebook(file, repo)
        if notebook is None:
            return
        counts = [
            (cell.index, cell.execution_count) for cell in code_cells(notebook) if cell.execution_count is not None
        ]
        first = next((k for k in range(1, len(counts)) if counts[k][1] <= counts[k - 1][1]), None)
        if first is not None:
            low, high = max(0, first - COUNTS_AROUND), min(len(counts), first + COUNTS_AROUND)
            shown = ", ".join(str(count) for _index, count in counts[low:high])
            shown = ("…, " if low else "") + shown + (", …" if high < len(counts) else "")
            yield self.diagnostic(
                Location(path=file.path, cell=counts[first][0]),
                problem=f"cells ran out of order (execution counts in cell order: {shown})",
            )
        for cell in code_cells(notebook):
            error = next((o for o in cell.outputs if isinstance(o, dict) and o.get("output_type") == "error"), None)
            if error is not None and not _raises_on_purpose(notebook, cell):
                yield self.diagnostic(
                    Location(path=file.path, cell=cell.index),
                    problem=f"the cell has an error output ({error.get('ename') or 'error'})",
                )


class NotebookInvalid(PathRule):
    code = "MLJ003"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if _checkpoint(file):
            return
        notebook = notebook_for(repo, file.path)
        if isinstance(notebook, NotebookProblem):  # nbformat cannot read it, or we cannot read its cells
            span = Span.point(notebook.line, notebook.column)
            found = self.diagnostic(Location(path=file.path, span=span), problem=notebook.message)
            yield replace(found, severity=Severity.INFO) if notebook.old_format else found
        elif notebook is None and file.text_problem is not None:  # too large, binary, a symlink out...
            yield self.diagnostic(Location(path=file.path), problem=f"cannot be read: {file.text_problem}")
        elif notebook is not None:
            # readable, and its other checks run; nbformat's validator refuses it and Jupyter opens
            # it with a "Notebook validation failed" warning: a warning, not an error
            refused = notebook_schema_problem(notebook)
            if refused is not None:
                span = Span.point(refused.line, refused.column)
                found = self.diagnostic(Location(path=file.path, span=span), problem=refused.message)
                yield replace(found, severity=Severity.WARNING)


RULES = [NotebookLargeOutputs, NotebookNotCleanlyExecuted, NotebookInvalid]
