"""Fixes as data, and the one place that applies them to text.

A rule never writes a file. It attaches a :class:`Fix` to its diagnostic; `apply_edits` turns
the edits for one file into new text (sorted, overlapping edits dropped, so two rules can never
interleave their changes), and :mod:`mlops_lint.fixer` loops that to a fixed point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_lint.diagnostics import Span


class Applicability(str, Enum):
    """How sure a fix is: `safe` keeps behaviour, `unsafe` changes it on purpose, `display-only` is advice."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"

    def __str__(self) -> str:
        return str(self.value)


_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextEdit:
    """Replace `span` of the file at `path` (repo-relative) with `content`."""

    path: str
    span: Span
    content: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateFile:
    """Create a new file; never overwrites one that exists."""

    path: str
    content: str


Edit = TextEdit | CreateFile


@dataclass(frozen=True, slots=True, kw_only=True)
class Fix:
    """Edits applied together or not at all.

    `isolated` marks a scope-wide fix (a rename of every reference to a name): it is applied in a
    round of its own for its files, never beside another fix to the same file, because the other
    fix was computed against the old names and could write one back (ruff's fix isolation).
    """

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    isolated: bool = False

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(edit.path for edit in self.edits)


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins, splitting on \\n, \\r\\n and \\r only.

    `str.splitlines` also splits on form feeds and other separators that Python source treats as
    ordinary characters, which would shift every position after them.
    """
    return [0, *(match.end() for match in _LINE_END.finditer(text))]


def newline_of(text: str) -> str:
    """The line break a file uses (its first one), so that inserted lines match; \\n for a file without one.

    Testing only for \\r\\n would give a bare-CR file (\\r, which Python and YAML read as a line
    break) lines ending in \\n, and mixed line endings after a fix.
    """
    match = _LINE_END.search(text)
    return match.group() if match else "\n"


def split_lines(text: str, keepends: bool = False) -> list[str]:
    """`text.splitlines()` on \\n, \\r\\n and \\r only: the lines `line_starts` and every `Span` count."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    lines = [text[start:end] for start, end in zip(starts, ends, strict=True)]
    if lines and not lines[-1]:
        lines.pop()  # the empty remainder after a final line break is not a line
    return lines if keepends else [_LINE_END.sub("", line) for line in lines]


_YAML_ONLY_BREAKS = frozenset("\x85\u2028\u2029")


def yaml_lines_agree(text: str) -> bool:
    """Whether PyYAML's marks number the lines of `text` as a `Span` does.

    YAML 1.1 (PyYAML) also breaks lines at NEL, U+2028 and U+2029; after one of them every mark's
    line is one more than the line an edit would address, and an insertion would land inside the
    wrong key (silently, as the result still parses). A fix builder that places text by marks offers
    no fix for such a file.
    """
    return _YAML_ONLY_BREAKS.isdisjoint(text)


def span_offsets(starts: Sequence[int], text_len: int, span: Span) -> tuple[int, int]:
    """Convert a 1-based span to string offsets (clamped to the text)."""

    def offset(line: int, col: int) -> int:
        if line > len(starts):
            return text_len
        return min(starts[line - 1] + col - 1, text_len)

    return offset(span.start_line, span.start_col), offset(span.end_line, span.end_col)


def apply_edits(text: str, edits: Iterable[TextEdit]) -> tuple[str, int]:
    """Apply non-overlapping edits to `text`; returns the new text and how many edits were applied.

    Edits are taken in order of their start; one that overlaps an edit already taken is skipped
    (it will be recomputed on the next round of the fix loop, against the new text).
    """
    starts = line_starts(text)
    ranges = sorted(
        ((*span_offsets(starts, len(text), e.span), e.content) for e in edits),
        key=lambda r: (r[0], r[1]),
    )
    out: list[str] = []
    cursor = 0
    applied = 0
    previous: tuple[int, int] | None = None
    for start, end, content in ranges:
        if start < cursor or previous == (start, end):
            continue  # overlaps (or inserts at the same point as) an edit already taken
        out.append(text[cursor:start])
        out.append(content)
        cursor = end
        previous = (start, end)
        applied += 1
    out.append(text[cursor:])
    return "".join(out), applied
