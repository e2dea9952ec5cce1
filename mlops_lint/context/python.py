"""A Python source parsed once: a libcst module behind a guard, shared by every Python rule.

`ast.parse` runs first. It is several times faster than libcst, gives the clearest syntax-error
messages, and refuses pathologically nested code cleanly (libcst's recursive parser can take the
interpreter down on it). Only code that `ast` accepts, or that libcst accepts on its own (newer
syntax than the running interpreter), reaches libcst.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from mlops_lint.context.declared_requirements import DeclaredRequirements
from mlops_lint.context.kinds import KindIndex
from mlops_lint.context.names import ImportTable
from mlops_lint.context.positions import node_ranges

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.notebook_program import NotebookProgram
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy
from mlops_lint.diagnostics import Span
from mlops_lint.fixes import line_starts

TOO_DEEP = "code is too deeply nested to parse safely"


@dataclass(frozen=True, slots=True)
class ParseFailure:
    message: str
    line: int
    column: int


DEEP_RECURSION_LIMIT = 20_000


@contextmanager
def deep_recursion() -> Iterator[None]:
    """Let libcst's recursive parser and visitors handle long expressions (an 11,000-character
    line of `a + b + ...` is real code). Pure-Python recursion on CPython 3.11+ does not grow the C
    stack, so a higher limit is safe; `ast.parse` has already refused anything pathological."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous, DEEP_RECURSION_LIMIT))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def parse_ast(text: str) -> ast.Module | ParseFailure:
    """`ast.parse`, never raising: the syntax check, the guard for libcst, and the cheap tree
    that cross-file facts are read from."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc. is not ours
            return ast.parse(text)
    except SyntaxError as exc:
        return ParseFailure(message=f"{type(exc).__name__}: {exc.msg}", line=exc.lineno or 1, column=exc.offset or 1)
    except (RecursionError, MemoryError):
        return ParseFailure(message=TOO_DEEP, line=1, column=1)
    except ValueError as exc:
        return ParseFailure(message=str(exc), line=1, column=1)


# What `ast` says of code libcst must not see: NUL bytes, and parentheses nested deeper than the
# tokenizer's limit (200), which `ast` refuses cleanly and libcst's native parser crashes on.
_REFUSED_BEFORE_LIBCST = re.compile(r"null bytes|too many nested parentheses")


def parse_cst(text: str, syntax: ast.Module | ParseFailure) -> cst.Module | ParseFailure:
    """libcst's tree, only for code `ast` accepted or cannot judge (syntax newer than this Python);
    never for code `ast` found too deep or with NUL bytes. Never raises."""
    if isinstance(syntax, ParseFailure) and (
        syntax.message == TOO_DEEP or _REFUSED_BEFORE_LIBCST.search(syntax.message)
    ):
        return syntax  # libcst's native parser overflows the C stack on deep nesting: never ask it
    try:
        with deep_recursion():
            return cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        if isinstance(syntax, ParseFailure):
            return syntax
        return ParseFailure(message=f"libcst cannot parse: {exc.message}", line=exc.raw_line, column=exc.raw_column + 1)
    except cst.CSTValidationError as exc:  # libcst builds a node it then refuses (e.g. `else(` with no space)
        return ParseFailure(
            message=f"libcst, which the Python rules use, rejects this valid code: {exc}", line=1, column=1
        )
    except (RecursionError, MemoryError):
        return ParseFailure(message=TOO_DEEP, line=1, column=1)


def parse_python(text: str) -> cst.Module | ParseFailure:
    """Both parses, guard first (used where no cached `ast` tree exists, e.g. to check a fix)."""
    return parse_cst(text, parse_ast(text))


def code_range_to_span(code_range: cst.metadata.CodeRange) -> Span:
    return Span(
        start_line=code_range.start.line,
        start_col=code_range.start.column + 1,
        end_line=code_range.end.line,
        end_col=code_range.end.column + 1,
    )


_MISSES_BEFORE_ALL = 4


class PythonContext:
    """One parsed module, its metadata wrapper, and lazily resolved positions."""

    def __init__(
        self,
        path: str,
        module: cst.Module,
        program: NotebookProgram | None = None,
        declared: Callable[[], DeclaredRequirements] | None = None,
    ) -> None:
        self.path = path
        self.module = module
        self.program = program  # set for a notebook: the cells behind the module
        self._declared = declared  # the repository's (cached) reader of the project's requirements
        # The module is never mutated by rules, so libcst's defensive deep copy is wasted work.
        self.wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
        self._spans: dict[cst.CSTNode, Span] = {}
        # filled by the engine's traversal as it goes (see `cst_walk.visit_batched`); `parent()`
        # falls back to the kind index's complete map for a node the traversal has not reached
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._misses = 0

    @property
    def declared_requirements(self) -> DeclaredRequirements:
        """What the project's packaging files declare (empty outside a repository run). A rule that
        reads this sets `reads_declared_requirements`, so that cached results follow those files."""
        return self._declared() if self._declared is not None else DeclaredRequirements()

    def want(self, nodes: Iterable[cst.CSTNode]) -> None:
        """Find the positions of `nodes` in one pass (see `positions`): the engine asks for all the
        nodes a file's findings and fixes name before it asks for any one of them."""
        missing = [node for node in nodes if node not in self._spans]
        if missing:
            found = node_ranges(self.module, missing)
            self._spans.update((node, code_range_to_span(code_range)) for node, code_range in found.items())

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        found = self.parents.get(node)
        if found is None and node is not self.module:
            return self.kinds.parents.get(node)
        return found

    def span(self, node: cst.CSTNode) -> Span:
        found = self._spans.get(node)
        if found is None:
            self._misses += 1
            if self._misses > _MISSES_BEFORE_ALL:  # a rule asking node by node: one full pass instead
                positions = self.wrapper.resolve(cst.metadata.PositionProvider)
                self._spans.update((n, code_range_to_span(r)) for n, r in positions.items())
            else:
                self.want([node])
            found = self._spans[node]
        return found

    def code_for(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def code_in_place(self, node: cst.CSTNode, rendered: cst.CSTNode | None = None) -> str:
        """`rendered` (default: `node`) as source text that can replace `node` where it stands.

        libcst writes a block's indentation as it enters each line of the block, so a node rendered
        on its own loses it: the continuation lines and the closing parenthesis of a multi-line call
        in an `if` body came out at the indentation of the module. The block's indentation is what the
        source has on the node's continuation lines beyond what the rendering has; it is put back on
        every continuation line of the new text (blank lines stay blank).
        """
        text = self.code_for(node if rendered is None else rendered)
        if "\n" not in text:
            return text
        indent = self._block_indent(node)
        lines = text.split("\n")
        return "\n".join([lines[0], *(indent + line if line.strip() else line for line in lines[1:])])

    def _block_indent(self, node: cst.CSTNode) -> str:
        own = self.code_for(node).split("\n")
        span = self.span(node)
        source = [line.rstrip("\r\n") for line in self.lines[span.start_line - 1 : span.end_line]]
        for rendered_line, source_line in zip(own[1:], source[1:], strict=False):
            rendered_line = rendered_line.rstrip("\r")
            if rendered_line.strip() and source_line.endswith(rendered_line):
                return source_line[: len(source_line) - len(rendered_line)]
        return ""

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
    def names(self) -> ImportTable:
        """Qualified names through the module's imports (`np.nan` -> `numpy.nan`), read once for all rules."""
        return ImportTable(self.module)

    @cached_property
    def kinds(self) -> KindIndex:
        """Kinds of expressions (DataFrame, Tensor, Optimizer...), computed once for all rules."""
        return KindIndex(self.wrapper, self.names)
