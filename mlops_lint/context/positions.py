"""Source positions of a few libcst nodes, without libcst's position metadata for every node.

libcst knows where a node is only by generating the module's code and counting: its
`PositionProvider` does that for the whole module and builds a range object for every node, which
cost more than the rules on a file with one finding. The findings of a file need the positions of
a handful of nodes, so this runs the same code generation (libcst's own, so positions are exactly
the `PositionProvider`'s), counts lines and columns without keeping the generated text, records
ranges only for the nodes asked for (and the children libcst hoists their bounds from), and stops
as soon as the last of them has been generated.

This is the one module that uses libcst's private API (`libcst._nodes.internal.CodegenState` and
`Module._codegen`). `pyproject.toml` bounds libcst below 2, and `tests/test_positions.py`, which
compares every range with `PositionProvider`'s, is the guard: if a libcst release changes the
code generation, that test fails before a finding points at a wrong line.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

_NEWLINE = re.compile(r"\r\n?|\n")


class _Done(Exception):  # noqa: N818 - not an error: a way out of libcst's recursive code generation
    """Every wanted node has its range: the rest of the module need not be generated."""


def node_ranges(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, cst.metadata.CodeRange]:
    """The `PositionProvider` range of each of `nodes` (those found in `module`)."""
    wanted = set(nodes)
    if not wanted:
        return {}
    state = _state_class()(module, wanted)
    with contextlib.suppress(_Done):
        module._codegen(state)
    return {node: found for node, found in state.ranges.items() if node in wanted}


@functools.cache
def _state_class() -> type:
    """The recording state, a subclass of libcst's codegen state (built on first use, as libcst is
    imported lazily)."""
    from libcst._nodes.internal import CodegenState  # private: see the module docstring
    from libcst.metadata import CodePosition, CodeRange

    class _Syntactic:
        """`record_syntactic_position` as a plain context manager (libcst's is a generator one)."""

        __slots__ = ("end_node", "node", "start", "start_node", "state")

        def __init__(self, state: Any, node: Any, start_node: Any, end_node: Any) -> None:
            self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

        def __enter__(self) -> None:
            self.start = (self.state.line, self.state.column)

        def __exit__(self, *exc: object) -> None:
            state = self.state
            ranges = state.ranges
            start = ranges[self.start_node].start if self.start_node is not None else CodePosition(*self.start)
            end = ranges[self.end_node].end if self.end_node is not None else CodePosition(state.line, state.column)
            ranges[self.node] = CodeRange(start, end)

    class _Null:
        __slots__ = ()

        def __enter__(self) -> None:
            return None

        def __exit__(self, *exc: object) -> None:
            return None

    null = _Null()

    class RecordingState(CodegenState):  # type: ignore[misc]
        def __init__(self, module: Any, wanted: set[Any]) -> None:
            super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
            self.wanted = wanted
            self.recorded = set(wanted)  # the wanted nodes and the children their bounds come from
            self.pending = set(wanted)
            self.ranges: dict[Any, Any] = {}
            self.starts: dict[Any, tuple[int, int]] = {}
            self.line = 1
            self.column = 0

        def _advance(self, value: str) -> None:
            if "\n" not in value and "\r" not in value:
                self.column += len(value)
                return
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])

        # The text is not kept; `tokens` only holds the first token, since the module's code
        # generation asks whether any token was written (an empty module still gets its newline).
        def add_token(self, value: str) -> None:
            if not self.tokens:
                self.tokens.append(value)
            self._advance(value)

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.add_token(token)

        def pop_trailing_newline(self) -> None:
            return None  # libcst's position state does not move back either

        def before_codegen(self, node: Any) -> None:
            if node in self.recorded:
                self.starts[node] = (self.line, self.column)

        def after_codegen(self, node: Any) -> None:
            if node not in self.recorded:
                return
            start = self.starts.pop(node)
            if node not in self.ranges:  # a syntactic range, recorded inside the node, comes first
                self.ranges[node] = CodeRange(CodePosition(*start), CodePosition(self.line, self.column))
            if node in self.pending:
                self.pending.discard(node)
                if not self.pending:
                    raise _Done

        def record_syntactic_position(self, node: Any, *, start_node: Any = None, end_node: Any = None) -> Any:
            if node not in self.recorded:
                return null
            for child in (start_node, end_node):
                if child is not None:
                    self.recorded.add(child)  # generated inside this block: its range is recorded too
            return _Syntactic(self, node, start_node, end_node)

    return RecordingState
