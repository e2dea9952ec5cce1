"""A Python source parsed once: a libcst module behind a guard, shared by every Python rule.

`ast.parse` runs first. It is several times faster than libcst, gives the clearest syntax-error
messages, and refuses pathologically nested code cleanly (libcst's recursive parser can take the
interpreter down on it). Only code that `ast` accepts, or that libcst accepts on its own (newer
syntax than the running interpreter), reaches libcst.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from functools import cached_property

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from mlops_lint.context.kinds import KindIndex
from mlops_lint.diagnostics import Span
from mlops_lint.fixes import line_starts

TOO_DEEP = "code is too deeply nested to parse safely"


@dataclass(frozen=True, slots=True)
class ParseFailure:
    message: str
    line: int
    column: int


def check_syntax(text: str) -> ParseFailure | None:
    """`ast.parse` only: is the text Python at all, and safe to hand to libcst?"""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc. is not ours
            ast.parse(text)
    except SyntaxError as exc:
        return ParseFailure(message=f"{type(exc).__name__}: {exc.msg}", line=exc.lineno or 1, column=exc.offset or 1)
    except (RecursionError, MemoryError):
        return ParseFailure(message=TOO_DEEP, line=1, column=1)
    except ValueError as exc:
        return ParseFailure(message=str(exc), line=1, column=1)
    return None


def parse_python(text: str, need_tree: bool = True) -> cst.Module | ParseFailure | None:
    """Parse `text` with the guard described above; never raises.

    With `need_tree=False` only `ast` runs when it succeeds (None is returned): the cheap path for
    files that no enabled Python rule wants to see. libcst still gets the last word on code that
    `ast` rejects, since it may accept syntax newer than the running interpreter.
    """
    ast_failure = check_syntax(text)
    if ast_failure is not None and (ast_failure.message == TOO_DEEP or "null bytes" in ast_failure.message):
        return ast_failure
    if ast_failure is None and not need_tree:
        return None
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        if ast_failure is not None:
            return ast_failure
        return ParseFailure(message=f"libcst cannot parse: {exc.message}", line=exc.raw_line, column=exc.raw_column + 1)
    except (RecursionError, MemoryError):
        return ParseFailure(message=TOO_DEEP, line=1, column=1)
    return module if need_tree else None


def code_range_to_span(code_range: CodeRange) -> Span:
    return Span(
        start_line=code_range.start.line,
        start_col=code_range.start.column + 1,
        end_line=code_range.end.line,
        end_col=code_range.end.column + 1,
    )


class PythonContext:
    """One parsed module, its metadata wrapper, and lazily resolved positions."""

    def __init__(self, path: str, module: cst.Module) -> None:
        self.path = path
        self.module = module
        # The module is never mutated by rules, so libcst's defensive deep copy is wasted work.
        self.wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        self._positions: object | None = None

    def span(self, node: cst.CSTNode) -> Span:
        if self._positions is None:
            self._positions = self.wrapper.resolve(PositionProvider)
        return code_range_to_span(self._positions[node])  # type: ignore[index]

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    @property
    def newline(self) -> str:
        return self.module.default_newline

    def indent_at(self, span: Span) -> str:
        """The whitespace before `span` on its first line (the indentation of a statement)."""
        line = self.lines[span.start_line - 1] if span.start_line <= len(self.lines) else ""
        prefix = line[: span.start_col - 1]
        return prefix if prefix.strip() == "" else ""

    @cached_property
    def lines(self) -> list[str]:
        text = self.module.code
        starts = line_starts(text)
        return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]

    @cached_property
    def kinds(self) -> KindIndex:
        """Kinds of expressions (DataFrame, Tensor, Optimizer...), computed once for all rules."""
        return KindIndex(self.wrapper)
