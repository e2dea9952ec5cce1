"""SARIF 2.1.0 output for code scanning (GitHub, GitLab, Azure DevOps, the VS Code SARIF viewer).

One run; `tool.driver.rules` lists the rules that have results (sorted by code), so the log stays
small and every `ruleIndex` points into it. URIs are repo-relative under `%SRCROOT%` (left
undefined so the log is the same on every machine; the uploader knows the checkout). Columns are
converted to UTF-16 code units, SARIF's default `columnKind`, from the file's line text (a line that
cannot be read keeps code-point columns, which agree on the Basic Multilingual Plane). A notebook
finding points at the notebook's JSON text line holding the cell's source line, without columns;
the cell and its line and column go into the result's `properties`. History findings carry their
commit in `properties`. `security-severity` is set on secret rules only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from mlops_lint import __version__
from mlops_lint.catalogue import RuleMeta
from mlops_lint.diagnostics import Diagnostic, RunReport, Severity, Span
from mlops_lint.docs import explain
from mlops_lint.fingerprint import SourceLines
from mlops_lint.fingerprint import notebook_file_line as notebook_file_line
from mlops_lint.fixes import CreateFile, Fix, TextEdit

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/mlops-lint/"
FINGERPRINT_KEY = "mlopsLintFingerprint/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

NotebookLine = Callable[[str, str, int, int], "int | None"]
"""(notebook text, path, cell, cell line) -> the notebook file's line holding that source line."""


def uri(path: str) -> str:
    """A repo-relative POSIX path as a URI reference (spaces, `%`, `#` and `?` percent-encoded).

    A file name that is not UTF-8 (kept by discovery as surrogate escapes) is encoded byte for
    byte, so `caf\\xe9.py` becomes `caf%E9.py` instead of failing the whole report."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/!$&'()*+,;=:@-._~")


def utf16_column(line_text: str | None, column: int) -> int:
    """A 1-based code-point column as a 1-based UTF-16 column."""
    if line_text is None:
        return column
    prefix = line_text[: column - 1]
    return column + sum(1 for ch in prefix if ord(ch) > 0xFFFF)


def _rule(meta: RuleMeta | None, diagnostic: Diagnostic) -> dict[str, Any]:
    level = LEVELS[diagnostic.severity]
    if meta is None:  # ruff's findings keep ruff's codes and are not in our catalogue
        return {
            "id": diagnostic.code,
            "name": diagnostic.name,
            "shortDescription": {"text": diagnostic.name},
            "helpUri": f"https://docs.astral.sh/ruff/rules/{diagnostic.name}/",
            "defaultConfiguration": {"level": level},
            "properties": {"tags": [str(diagnostic.family), "ruff"]},
        }
    properties: dict[str, Any] = {"tags": [str(meta.family)]}
    if meta.security_severity is not None:  # declared in the catalogue entry (`security-severity:`)
        properties["tags"].append("security")
        properties["security-severity"] = f"{meta.security_severity:.1f}"
    help_text = explain(meta)
    return {
        "id": meta.code,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": meta.docs["what"].strip()},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": properties,
    }


class _Builder:
    def __init__(self, report: RunReport, metas: Mapping[str, RuleMeta], notebook_line: NotebookLine) -> None:
        self.sources = SourceLines(report.root)
        self.metas = metas
        self.notebook_line = notebook_line

    def region(self, path: str, span: Span) -> dict[str, Any]:
        start = self.sources.line(path, span.start_line)
        end = start if span.end_line == span.start_line else self.sources.line(path, span.end_line)
        start_line = max(1, span.start_line)  # SARIF positions are 1-based: clamp, never emit an invalid region
        start_col = max(1, utf16_column(start, span.start_col))
        end_line = max(start_line, span.end_line)
        end_col = utf16_column(end, span.end_col)
        if end_line == start_line:
            end_col = max(start_col, end_col)
        return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": max(1, end_col)}

    def notebook_region(self, path: str, cell: int, span: Span) -> dict[str, Any] | None:
        text = self.sources.text(path)
        if text is None:
            return None
        start = self.notebook_line(text, path, cell, span.start_line)
        if start is None:
            return None
        end = self.notebook_line(text, path, cell, span.end_line) or start
        return {"startLine": start, "endLine": max(start, end)}

    def location(self, diagnostic: Diagnostic) -> dict[str, Any]:
        location = diagnostic.location
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri(location.path), "uriBaseId": SRCROOT}}
        region = None
        if location.span is not None and location.commit is None:
            if location.cell is None:
                region = self.region(location.path, location.span)
            else:
                region = self.notebook_region(location.path, location.cell, location.span)
        if region is not None:
            physical["region"] = region
        return {"physicalLocation": physical}

    def fix(self, fix: Fix) -> dict[str, Any] | None:
        changes: dict[str, list[dict[str, Any]]] = {}
        for edit in fix.edits:
            if isinstance(edit, TextEdit):
                deleted = self.region(edit.path, edit.span)
            else:
                assert isinstance(edit, CreateFile)
                deleted = {"charOffset": 0, "charLength": 0}  # a new file: insert into nothing
            changes.setdefault(edit.path, []).append(
                {"deletedRegion": deleted, "insertedContent": {"text": edit.content}}
            )
        if not changes:
            return None
        return {
            "description": {"text": fix.title},
            "artifactChanges": [
                {"artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT}, "replacements": replacements}
                for path, replacements in changes.items()
            ],
            "properties": {"applicability": str(fix.applicability)},
        }

    def result(self, diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
        location = diagnostic.location
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": rule_index,
            "level": LEVELS[diagnostic.severity],
            "message": {"text": diagnostic.message},
            "locations": [self.location(diagnostic)],
            "partialFingerprints": {FINGERPRINT_KEY: self.sources.fingerprint(diagnostic)},
        }
        if diagnostic.fix is not None:
            fix = self.fix(diagnostic.fix)
            if fix is not None:
                result["fixes"] = [fix]
        properties: dict[str, Any] = {}
        if location.cell is not None:
            properties["cell"] = location.cell
            if location.span is not None:
                properties["cellLine"] = location.span.start_line
                properties["cellColumn"] = location.span.start_col
        if location.commit is not None:
            properties["commit"] = location.commit
        if diagnostic.help is not None:
            properties["help"] = diagnostic.help  # what to do, for a finding whose fix (if any) has no title here
        if properties:
            result["properties"] = properties
        return result


def sarif_log(
    report: RunReport,
    metas: Mapping[str, RuleMeta] | None = None,
    notebook_line: NotebookLine = notebook_file_line,
) -> dict[str, Any]:
    """The SARIF log as a dict (the reporter's output is its JSON)."""
    if metas is None:
        from mlops_lint.registry import metas as load_metas

        metas = load_metas()
    builder = _Builder(report, metas, notebook_line)
    first: dict[str, Diagnostic] = {}
    for diagnostic in report.diagnostics:
        first.setdefault(diagnostic.code, diagnostic)
    codes = sorted(first)
    index = {code: i for i, code in enumerate(codes)}
    rules = [_rule(metas.get(code), first[code]) for code in codes]
    results = [builder.result(d, index[d.code]) for d in report.diagnostics]
    notifications = [
        {
            "level": "error",
            "message": {"text": f"rule {error.code} crashed on {error.location.path}: {error.error}"},
            "descriptor": {"id": error.code},
        }
        for error in report.errors
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlops-lint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [invocation],
                "columnKind": "utf16CodeUnits",
                "results": results,
            }
        ],
    }


def render(report: RunReport, **_: Any) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
