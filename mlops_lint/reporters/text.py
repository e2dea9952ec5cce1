"""Text output for people: `path:line:col: CODE [*] severity: message`, a `help:` line, and a summary.

The severity is a word on every line, as in compilers' `file:line:col: warning: ...`, so that it
survives without colour (a CI log, a pipe, `grep ': error: '`); `[*]` marks a safe fix, as in ruff.
The `help:` line is the fix's title, or else the rule's catalogue help: what to do about it.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import click

from mlops_lint.diagnostics import Diagnostic, RunReport, Severity
from mlops_lint.fixes import Applicability

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # C0 (but tab), DEL and C1


def printable(value: str) -> str:
    """`value` with control characters escaped as Python does (`\\n`, `\\x1b`). Paths and
    messages carry text from the linted repository (a file name with a newline, a YAML key with an
    ESC sequence): a finding stays one line, and a repository never drives the reader's terminal."""
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], value)


def location_text(diagnostic: Diagnostic) -> str:
    location = diagnostic.location
    where = printable(location.path)
    if location.commit:
        where += f"@{location.commit[:7]}"
    if location.cell is not None:
        where += f":cell {location.cell}"
    if location.span is not None:
        where += f":{location.span.start_line}:{location.span.start_col}"
    return where


def _line(diagnostic: Diagnostic, colour: bool, show_fixes: bool) -> list[str]:
    where = location_text(diagnostic)
    code = diagnostic.code
    fixable = diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.SAFE
    marker = " [*]" if fixable else ""
    if colour:
        where = click.style(where, bold=True)
        code = click.style(code, fg=_SEVERITY_COLOURS[diagnostic.severity], bold=True)
    severity = str(diagnostic.severity)
    if colour:
        severity = click.style(severity, fg=_SEVERITY_COLOURS[diagnostic.severity])
    lines = [f"{where}: {code}{marker} {severity}: {printable(diagnostic.message)}"]
    if diagnostic.fix is not None and (show_fixes or diagnostic.fix.applicability is not Applicability.DISPLAY_ONLY):
        hint = "" if diagnostic.fix.applicability is Applicability.SAFE else f" ({diagnostic.fix.applicability} fix)"
        lines.append(f"  help: {printable(diagnostic.fix.title)}{hint}")
    elif diagnostic.help:
        lines.append(f"  help: {printable(diagnostic.help)}")
    return lines


def summary(report: RunReport) -> list[str]:
    diagnostics = report.diagnostics
    if not diagnostics and not report.errors:
        acknowledged = f"; {report.baselined} acknowledged in the baseline" if report.baselined else ""
        return [f"All checks passed ({plural(report.files_checked, 'file')}{acknowledged})."]
    lines = []
    if diagnostics:
        counts = Counter(d.severity for d in diagnostics)
        parts = [
            f"{counts[s]} {s}{'s' if counts[s] != 1 and s is not Severity.INFO else ''}" for s in Severity if counts[s]
        ]
        noun = "finding" if len(diagnostics) == 1 else "findings"
        lines.append(f"Found {len(diagnostics)} {noun} ({', '.join(parts)}) in {plural(report.files_checked, 'file')}.")
        safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
        unsafe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE)
        if safe:
            lines.append(f"[*] {safe} fixable with `mlops-lint fix`.")
        if unsafe:
            lines.append(f"{unsafe} more fixable with `mlops-lint fix --unsafe-fixes`.")
        below = len(diagnostics) - len(report.failing)
        if below:
            lines.append(f"Not failing the run: {plural(below, 'finding')} below fail-on = {report.fail_on}.")
    for error in report.errors:
        lines.append(f"error: rule {error.code} crashed on {error.location.path}: {error.error}")
    if report.baselined:
        lines.append(f"{plural(report.baselined, 'finding')} acknowledged in the baseline not shown.")
    return lines


def statistics_rows(report: RunReport) -> list[dict[str, Any]]:
    """One row per rule that fired: code, name, count, and whether its findings have safe fixes."""
    counts = Counter((d.code, d.name) for d in report.diagnostics)
    fixable = {d.code for d in report.diagnostics if d.fix and d.fix.applicability is Applicability.SAFE}
    return [
        {"code": code, "name": name, "count": count, "fixable": code in fixable}
        for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def statistics(report: RunReport) -> str:
    rows = statistics_rows(report)
    if not rows:
        return "\n".join(summary(report)) + "\n"
    width = max(len(str(row["count"])) for row in rows)
    lines = [
        f"{row['count']:>{width}}\t{row['code']}\t[{'*' if row['fixable'] else ' '}] {row['name']}" for row in rows
    ]
    return "\n".join(lines) + "\n"


def render(report: RunReport, colour: bool = False, show_fixes: bool = False, **_: Any) -> str:
    lines: list[str] = []
    for diagnostic in report.diagnostics:
        lines.extend(_line(diagnostic, colour, show_fixes))
    if lines:
        lines.append("")
    lines.extend(summary(report))
    return "\n".join(lines) + "\n"
