"""A finding's fingerprint: stable when lines move, so baselines and code scanning can match findings.

The fingerprint hashes the rule code, the path, the commit (history findings) and the normalised
text of the flagged line: not the line number, so inserting lines above a finding keeps it. A
finding without a line (a whole file, a folder, the repository) uses its message instead. Two
findings of one rule on identical lines of one file share a fingerprint; a baseline compares
counts per fingerprint.

`SourceLines` is the one reader of flagged lines, for every consumer (the SARIF and GitHub
reporters, the baseline). Reporters read the files under the root (never through a symlink, at most
`MAX_BYTES` each); the baseline reads through the run's `RepoContext` (`SourceLines.of_repo`), so
the texts of a fix round count and a file outside the inventory has no line, as before.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.diagnostics import Diagnostic
from mlops_lint.fixes import line_starts

if TYPE_CHECKING:
    from mlops_lint.context.notebook import Notebook, NotebookProblem
    from mlops_lint.context.repo import RepoContext

VERSION = "v1"
MAX_BYTES = 5 * 1024 * 1024
_SPACE = re.compile(r"\s+")

CellLine = Callable[[str, str, int, int], "str | None"]
"""(notebook text, path, cell, cell line) -> the text of that line of the cell's source."""


def normalise(text: str) -> str:
    """Whitespace runs become one space, ends stripped: re-indenting or re-wrapping spaces keeps the print."""
    return _SPACE.sub(" ", text).strip()


def fingerprint(diagnostic: Diagnostic, line_text: str | None) -> str:
    """Hex SHA-256 of code, path, commit and the normalised flagged line (or the message, without one)."""
    location = diagnostic.location
    text = normalise(line_text) if line_text is not None else "message:" + normalise(diagnostic.message)
    parts = (VERSION, diagnostic.code, location.path, location.commit or "", text)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@functools.lru_cache(maxsize=4)
def _loaded(text: str) -> Notebook | NotebookProblem:
    """The notebook in `text`; the last few are kept, as a report asks for many lines of one notebook."""
    from mlops_lint.context.notebook import load_notebook

    return load_notebook(text)


def _cell_line(notebook: Notebook | NotebookProblem | None, cell: int, line: int) -> str | None:
    for candidate in getattr(notebook, "cells", ()):
        if candidate.index == cell:
            lines = re.split(r"\r\n|\r|\n", candidate.source)
            return lines[line - 1] if 1 <= line <= len(lines) else None
    return None


def notebook_cell_line(text: str, _path: str, cell: int, line: int) -> str | None:
    """Line `line` of cell `cell` (1-based over all cells) of a notebook, through the notebook context."""
    return _cell_line(_loaded(text), cell, line)


def notebook_file_line(text: str, _path: str, cell: int, line: int) -> int | None:
    """The notebook file's line holding line `line` of cell `cell` (`Cell.line_json`)."""
    for candidate in getattr(_loaded(text), "cells", ()):
        if candidate.index == cell:
            lines = candidate.line_json
            return lines[line - 1] if 1 <= line <= len(lines) else None
    return None


class SourceLines:
    """Text of the files under `root`, read once each; None for what cannot or may not be read."""

    def __init__(
        self,
        root: str | Path,
        cell_line: CellLine = notebook_cell_line,
        text_of: Callable[[str], str | None] | None = None,
    ) -> None:
        self.root = Path(root).resolve()
        self.cell_line = cell_line
        self._text_of = text_of or self._read
        self._texts: dict[str, str | None] = {}
        self._starts: dict[str, list[int]] = {}

    @classmethod
    def of_repo(cls, repo: RepoContext) -> SourceLines:
        """Lines as the run read them: files of the inventory (overlays included), notebooks
        through `RepoContext.notebook`."""

        def text_of(path: str) -> str | None:
            return repo.file(path).text if repo.has(path) else None

        def cell_line(_text: str, path: str, cell: int, line: int) -> str | None:
            return _cell_line(repo.notebook(path), cell, line)

        return cls(repo.root, cell_line=cell_line, text_of=text_of)

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._text_of(path)
        return self._texts[path]

    def _read(self, path: str) -> str | None:
        target = self.root / path
        try:
            if target.is_symlink() or not target.is_file() or not target.resolve().is_relative_to(self.root):
                return None
            with target.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_BYTES:
            return None
        return data.decode("utf-8-sig", errors="replace")

    def line(self, path: str, line: int) -> str | None:
        """Line `line` (1-based) of the file, without its line ending."""
        text = self.text(path)
        if text is None or line < 1:
            return None
        starts = self._starts.get(path)
        if starts is None:
            starts = self._starts[path] = line_starts(text)
        if line > len(starts):
            return None
        end = starts[line] if line < len(starts) else len(text)
        return text[starts[line - 1] : end].rstrip("\r\n")

    def flagged_line(self, diagnostic: Diagnostic) -> str | None:
        """The text of the line a finding points at: the cell's source line for notebooks; None for history."""
        location = diagnostic.location
        if location.span is None or location.commit is not None:
            return None
        if location.cell is not None:
            text = self.text(location.path)
            return (
                None if text is None else self.cell_line(text, location.path, location.cell, location.span.start_line)
            )
        return self.line(location.path, location.span.start_line)

    def fingerprint(self, diagnostic: Diagnostic) -> str:
        return fingerprint(diagnostic, self.flagged_line(diagnostic))
