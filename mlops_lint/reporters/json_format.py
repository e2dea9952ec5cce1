"""JSON output: a list of findings. A public interface: fields are only ever added, never changed."""

from __future__ import annotations

import json
from typing import Any

from mlops_lint.diagnostics import Diagnostic, RunReport
from mlops_lint.fixes import CreateFile, Edit, TextEdit


def _edit(edit: Edit) -> dict[str, Any]:
    if isinstance(edit, TextEdit):
        span = edit.span
        return {
            "kind": "replace",
            "path": edit.path,
            "start_line": span.start_line,
            "start_column": span.start_col,
            "end_line": span.end_line,
            "end_column": span.end_col,
            "content": edit.content,
        }
    assert isinstance(edit, CreateFile)
    return {"kind": "create", "path": edit.path, "content": edit.content}


def finding(diagnostic: Diagnostic) -> dict[str, Any]:
    location = diagnostic.location
    span = location.span
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "family": str(diagnostic.family),
        "severity": str(diagnostic.severity),
        "message": diagnostic.message,
        "path": location.path,
        "line": span.start_line if span else None,
        "column": span.start_col if span else None,
        "end_line": span.end_line if span else None,
        "end_column": span.end_col if span else None,
        "cell": location.cell,
        "cell_line": span.start_line if span and location.cell is not None else None,
        "commit": location.commit,
        "fix": None
        if fix is None
        else {"applicability": str(fix.applicability), "title": fix.title, "edits": [_edit(e) for e in fix.edits]},
        "help": diagnostic.help,
    }


def render(report: RunReport, **_: Any) -> str:
    return json.dumps([finding(d) for d in report.diagnostics], indent=2) + "\n"
