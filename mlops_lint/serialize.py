"""Findings to plain data and back, losslessly: what the result cache stores.

Unlike the JSON output (a public format for people and tools), this is private and compact: a
finding read back from the cache must be equal to the one the rules produced, fix included.
"""

from __future__ import annotations

from typing import Any

from mlops_lint.diagnostics import Diagnostic, Family, Location, RuleError, Severity, Span
from mlops_lint.fixes import Applicability, CreateFile, Edit, Fix, TextEdit


def _span(span: Span | None) -> list[int] | None:
    return None if span is None else [span.start_line, span.start_col, span.end_line, span.end_col]


def _unspan(row: list[int] | None) -> Span | None:
    if row is None:
        return None
    return Span(start_line=row[0], start_col=row[1], end_line=row[2], end_col=row[3])


def _edit(edit: Edit) -> list[Any]:
    if isinstance(edit, TextEdit):
        return ["t", edit.path, _span(edit.span), edit.content]
    return ["c", edit.path, edit.content]


def _unedit(row: list[Any]) -> Edit:
    if row[0] == "t":
        span = _unspan(row[2])
        assert span is not None
        return TextEdit(path=row[1], span=span, content=row[3])
    return CreateFile(path=row[1], content=row[2])


def dump(diagnostic: Diagnostic) -> list[Any]:
    location, fix = diagnostic.location, diagnostic.fix
    return [
        diagnostic.code,
        diagnostic.name,
        diagnostic.family.value,
        diagnostic.severity.value,
        diagnostic.message,
        [location.path, _span(location.span), location.cell, location.commit],
        None if fix is None else [fix.title, fix.applicability.value, [_edit(e) for e in fix.edits], fix.isolated],
        diagnostic.help,
    ]


def load(row: list[Any]) -> Diagnostic:
    code, name, family, severity, message, where, fix = row[:7]
    path, span, cell, commit = where
    return Diagnostic(
        code=code,
        name=name,
        family=Family(family),
        severity=Severity(severity),
        message=message,
        location=Location(path=path, span=_unspan(span), cell=cell, commit=commit),
        fix=None
        if fix is None
        else Fix(
            title=fix[0],
            applicability=Applicability(fix[1]),
            edits=tuple(_unedit(e) for e in fix[2]),
            isolated=bool(fix[3]) if len(fix) > 3 else False,  # a rename must keep its round of its own
        ),
        help=row[7] if len(row) > 7 else None,
    )


def dump_error(error: RuleError) -> list[Any]:
    return [error.code, error.location.path, error.error]


def load_error(row: list[Any]) -> RuleError:
    return RuleError(code=row[0], location=Location(path=row[1]), error=row[2])
