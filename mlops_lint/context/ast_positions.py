"""Spans of `ast` nodes, in the coordinates libcst gives the same nodes.

A rule decided on the `ast` alone (`PythonRule.judged_on_ast`) reports `ast` nodes, and its
findings must point where the libcst rule's would. `ast` counts columns in UTF-8 bytes from 0,
libcst (and every `Span`) in characters from 1; both count lines from 1 across `\\n`, `\\r\\n` and
`\\r` (the tokenizer's newlines, `positions._NEWLINE`), and both leave an expression's enclosing
parentheses out. Only the lines of reported nodes are converted.
"""

from __future__ import annotations

import ast
import re

from mlops_lint.diagnostics import Span

_NEWLINE = re.compile(r"\r\n?|\n")


class AstPositions:
    """Spans of nodes of one module's `ast` (parsed from `text`)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None

    def span(self, node: ast.expr | ast.stmt) -> Span:
        if self._lines is None:
            self._lines = _NEWLINE.split(self.text)
        end_line = node.end_lineno if node.end_lineno is not None else node.lineno
        end_col = node.end_col_offset if node.end_col_offset is not None else node.col_offset
        return Span(
            start_line=node.lineno,
            start_col=_characters(self._lines[node.lineno - 1], node.col_offset) + 1,
            end_line=end_line,
            end_col=_characters(self._lines[end_line - 1], end_col) + 1,
        )


def _characters(line: str, offset: int) -> int:
    """The character column of a UTF-8 byte offset into `line`."""
    if line.isascii():
        return offset
    return len(line.encode("utf-8")[:offset].decode("utf-8", errors="replace"))
