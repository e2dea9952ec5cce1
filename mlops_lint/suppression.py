"""Inline suppression comments, read from the text of the flagged file.

- `# mlops-lint: ignore[MLN004,MLS002]` on the flagged line (or `# mlops-lint: ignore` for all);
- `# noqa: MLN004` for people used to flake8 and ruff (a bare `# noqa` silences every code, as in ruff);
- `# mlops-lint: ignore-file[MLN004]` on a line of its own, anywhere in the file, for the whole file.

Selectors inside the brackets may be codes, prefixes or rule names. For a multi-line finding the
comment may sit on its first or its last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from mlops_lint.catalogue import RuleMeta
from mlops_lint.diagnostics import Diagnostic
from mlops_lint.fixes import line_starts
from mlops_lint.selection import specificity

_LINE = re.compile(
    r"#\s*(?:mlops-lint:\s*ignore(?!-file)(?:\[(?P<ours>[^\]]*)\])?"
    r"|noqa(?::\s*(?P<noqa>[A-Za-z0-9_\-]+(?:[,\s]+[A-Za-z0-9_\-]+)*))?)",
    re.IGNORECASE,
)
_FILE = re.compile(r"^\s*#\s*mlops-lint:\s*ignore-file(?:\[(?P<codes>[^\]]*)\])?\s*$", re.MULTILINE)
ALL = ("ALL",)


def _split(codes: str | None) -> tuple[str, ...]:
    if codes is None:
        return ALL
    return tuple(c for c in re.split(r"[,\s]+", codes.strip()) if c)


def _matches(selectors: tuple[str, ...], meta: RuleMeta | None, code: str) -> bool:
    if selectors == ALL:
        return True
    if meta is None:
        return code in selectors
    return any(specificity(s, meta) for s in selectors)


@dataclass
class FileSuppressions:
    text: str

    @cached_property
    def _lines(self) -> list[str]:
        starts = line_starts(self.text)
        ends = [*starts[1:], len(self.text)]
        return [self.text[s:e].rstrip("\r\n") for s, e in zip(starts, ends, strict=True)]

    @cached_property
    def file_level(self) -> list[tuple[str, ...]]:
        if "ignore-file" not in self.text:
            return []
        return [_split(m.group("codes")) for m in _FILE.finditer(self.text)]

    @cached_property
    def _has_comments(self) -> bool:
        """Whether any line could hold a suppression: most flagged files hold none, and splitting a
        file into lines was a fifth of a warm run on diffusers."""
        return _LINE.search(self.text) is not None

    def line_selectors(self, line: int) -> list[tuple[str, ...]]:
        if not self._has_comments or not 1 <= line <= len(self._lines):
            return []
        found = []
        for match in _LINE.finditer(self._lines[line - 1]):
            if match.group(0).lower().startswith("#") and "noqa" in match.group(0).lower():
                found.append(_split(match.group("noqa")))
            else:
                found.append(_split(match.group("ours")))
        return found

    def suppresses(self, diagnostic: Diagnostic, meta: RuleMeta | None) -> bool:
        if any(_matches(s, meta, diagnostic.code) for s in self.file_level):
            return True
        span = diagnostic.location.span
        if span is None or diagnostic.location.cell is not None:
            return False
        for line in {span.start_line, span.end_line}:
            if any(_matches(s, meta, diagnostic.code) for s in self.line_selectors(line)):
                return True
        return False
