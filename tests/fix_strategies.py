"""Hypothesis strategies for the fix property tests: the catalogue's triggering examples, re-laid out.

Every case comes from the catalogue (`rules/*.yaml`), so a new fixable rule is covered as soon as
it has an example. A strategy keeps the example's code and varies only what a fix must not care
about: line endings, a BOM, the source encoding, the final newline, the indentation unit, comment
and blank lines between statements, and hypothesmith-generated statements around it. The marker
comments it inserts are how a test sees that text outside the fix's edits came through untouched.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Any

import hypothesmith
from hypothesis import strategies as st

from mlops_lint.catalogue import RuleMeta, load_catalogue
from mlops_lint.fixes import Applicability

NEWLINES = ("\n", "\r\n", "\r")
UTF8_BOM = b"\xef\xbb\xbf"


def fixable_rules() -> list[RuleMeta]:
    """Every rule whose fix may be applied (safe, or unsafe with --unsafe-fixes)."""
    wanted = {Applicability.SAFE, Applicability.UNSAFE}
    return [meta for meta in load_catalogue().values() if meta.fix_applicability in wanted]


def examples_of(kind: str) -> list[tuple[RuleMeta, dict[str, Any]]]:
    """The triggering examples (those with findings) of fixable rules that are given as `kind`."""
    return [
        (meta, dict(example))
        for meta in fixable_rules()
        for example in meta.examples
        if kind in example and not example.get("valid") and example.get("expect")
    ]


@dataclass(frozen=True)
class Layout:
    """How one file's text is stored: the things a fix must write back exactly as it found them."""

    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True
    encoding: str = "utf-8"

    def encode(self, text: str) -> bytes:
        """`text` (with \\n line breaks) stored in this layout."""
        text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n") + ("\n" if self.final_newline else "")
        body = text.replace("\n", self.newline).encode(self.encoding)
        return (UTF8_BOM if self.bom else b"") + body

    def check(self, data: bytes, before: bytes) -> str:
        """Decode fixed bytes, asserting they keep the layout of `before`; returns the text."""
        assert data.startswith(UTF8_BOM) == self.bom, "BOM not preserved"
        text = (data[len(UTF8_BOM) :] if self.bom else data).decode(self.encoding)
        rest = text.replace("\r\n", "") if self.newline == "\r\n" else text
        stray = [nl for nl in ("\n", "\r") if nl != self.newline and nl in rest]
        assert not stray or not _has_line_break(before), (
            f"line endings mixed: {stray} in a file that used {self.newline!r}"
        )
        had = before.endswith(self.newline.encode(self.encoding))
        ends = text.endswith(self.newline)
        assert ends == had or (ends and _appended_only(before, data)), "final newline changed"
        return text


def _has_line_break(data: bytes) -> bool:
    """A file of one unterminated line shows no line-ending style for a fix to follow."""
    return b"\n" in data or b"\r" in data


def _appended_only(before: bytes, after: bytes) -> bool:
    """An append to a file without a final newline must end its last line first; then gaining one is right."""
    return after.startswith(before)


layouts = st.builds(
    Layout,
    newline=st.sampled_from(NEWLINES),
    bom=st.booleans(),
    final_newline=st.booleans(),
)

# ---------------------------------------------------------------- Python sources


@functools.cache
def _generated_statements() -> st.SearchStrategy[str]:
    """hypothesmith programs that can sit next to the example: no __future__ import (it must come
    first), no carriage returns (the layout owns line breaks), bounded in size. Built once: building
    hypothesmith's grammar takes seconds."""
    return (
        hypothesmith.from_grammar()
        .filter(lambda code: "__future__" not in code and "\r" not in code and len(code) < 400)
        .map(lambda code: code if code.endswith("\n") or not code else code + "\n")
    )


def _statement_lines(source: str) -> list[int]:
    """1-based lines where a statement (or its first decorator) begins: a comment line may go before each."""
    tree = ast.parse(source)
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt):
            decorators = getattr(node, "decorator_list", [])
            lines.add(min([node.lineno, *(d.lineno for d in decorators)]))
    return sorted(lines)


_LEADING = re.compile(r"^( +)", re.MULTILINE)


def reindent(source: str, unit: str) -> str:
    """Replace each 4-space indentation step with `unit` (a tab, two spaces, ...)."""
    return _LEADING.sub(lambda m: unit * (len(m.group(1)) // 4) + " " * (len(m.group(1)) % 4), source)


@dataclass(frozen=True)
class PythonCase:
    """A Python file to fix: its bytes, its layout, and the marker lines that must survive the fix."""

    data: bytes
    layout: Layout
    markers: tuple[str, ...]
    generated: bool


@st.composite
def python_files(draw: st.DrawFn, source: str) -> PythonCase:
    """The example `source`, re-laid out and surrounded by generated code, as it would be on disk."""
    layout = draw(layouts)
    # a PEP 263 source encoding instead of UTF-8 (a BOM would contradict it), with any line break
    if draw(st.booleans()):
        layout = Layout(layout.newline, False, layout.final_newline, "latin-1")
    source = reindent(source, draw(st.sampled_from(["    ", "  ", "\t", "        "])))
    lines = source.splitlines(keepends=True)
    candidates = _statement_lines(source)
    chosen = draw(st.lists(st.sampled_from(candidates), max_size=4, unique=True)) if candidates else []
    markers: list[str] = []
    for number, line in enumerate(sorted(chosen, reverse=True)):
        indent = lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]
        oddity = draw(st.sampled_from(["", "\x0c", "\u2028", "\x85", "\x1c"]))  # not line breaks to Python
        marker = f"{indent}# keep-{number} caf\u00e9{oddity} \\ \n" if draw(st.booleans()) else "\n"
        lines.insert(line - 1, marker)
        if marker.strip():
            markers.append(marker)
    body = "".join(lines)
    before = draw(_generated_statements()) if draw(st.booleans()) else ""
    after = draw(_generated_statements()) if draw(st.booleans()) else ""
    if before and before.strip():
        markers.append("# end of generated prefix\n")
        before += "# end of generated prefix\n"
    if not body.endswith("\n"):
        body += "\n"
    text = before + body + after
    if layout.encoding != "utf-8":
        text = f"# -*- coding: {layout.encoding} -*-\n" + text
    try:
        data = layout.encode(text)
    except UnicodeEncodeError:
        layout = Layout(layout.newline, layout.bom, layout.final_newline)
        data = layout.encode(text.replace("# -*- coding: latin-1 -*-\n", "", 1))
    return PythonCase(data, layout, tuple(markers), bool(before.strip() or after.strip()))
