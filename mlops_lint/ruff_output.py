"""ruff's JSON output as our findings: positions, fixes, severities, and the names of files.

ruff keeps its own codes and names; the family is `code-quality` and the severity is chosen per
code (ruff_refine.severity). Syntax errors are left to MLX001, which reports them at the same place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from mlops_lint.diagnostics import Diagnostic, Family, Location, Span
from mlops_lint.fixes import Applicability, Fix, TextEdit
from mlops_lint.ruff_refine import severity

_RUFF_CODE = re.compile(r"^[A-Z]+[0-9]+$")


def _span(start: Mapping[str, int], end: Mapping[str, int]) -> Span:
    return Span(start_line=start["row"], start_col=start["column"], end_line=end["row"], end_col=end["column"])


def _fix(path: str, raw: Mapping[str, Any] | None) -> Fix | None:
    if not raw or not raw.get("edits"):
        return None
    edits = tuple(
        TextEdit(path=path, span=_span(edit["location"], edit["end_location"]), content=edit["content"])
        for edit in raw["edits"]
    )
    applicability = {"safe": Applicability.SAFE, "unsafe": Applicability.UNSAFE}.get(
        raw.get("applicability", ""), Applicability.DISPLAY_ONLY
    )
    return Fix(title=raw.get("message") or "Apply ruff's fix", edits=edits, applicability=applicability)


def to_diagnostics(items: Iterable[Mapping[str, Any]], root: Path, stdin_path: str | None = None) -> list[Diagnostic]:
    found = []
    for item in items:
        code = item.get("code")
        if not code or not _RUFF_CODE.match(code):
            continue  # syntax errors (`invalid-syntax`): MLX001 reports them with the same position
        path = stdin_path or _relative(item.get("filename", ""), root)
        if path is None:
            continue
        cell = item.get("cell") if isinstance(item.get("cell"), int) else None  # notebooks: 1-based over all cells
        found.append(
            Diagnostic(
                code=code,
                name=item.get("name") or code,
                family=Family.CODE_QUALITY,
                severity=severity(code, path, item.get("message") or ""),
                message=item["message"],
                location=Location(path=path, span=_span(item["location"], item["end_location"]), cell=cell),
                # ruff's notebook edits are cell-relative: reported, not applied (ruff check --fix does them)
                fix=None if cell is not None else _fix(path, item.get("fix")),
            )
        )
    return found


def _relative(filename: str, root: Path) -> str | None:
    for base in (root, root.resolve()):
        try:
            return Path(filename).relative_to(base).as_posix()
        except ValueError:
            continue
    return None


def restore_names(found: list[Diagnostic], paths: Sequence[str]) -> list[Diagnostic]:
    """ruff prints a file name that is not UTF-8 with U+FFFD for its odd bytes; map it back to
    the name we passed (kept as surrogate escapes), so the finding lands on the real file for
    suppression, baselines and fixes."""
    lossy = {}
    for path in paths:
        shown = path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if shown != path:
            lossy[shown] = path
    if not lossy:
        return found
    restored = []
    for diagnostic in found:
        real = lossy.get(diagnostic.location.path)
        if real is not None:
            fix = diagnostic.fix
            if fix is not None:
                fix = replace(fix, edits=tuple(replace(edit, path=real) for edit in fix.edits))
            diagnostic = replace(diagnostic, location=replace(diagnostic.location, path=real), fix=fix)
        restored.append(diagnostic)
    return restored
