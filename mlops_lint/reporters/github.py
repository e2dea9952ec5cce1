"""GitHub Actions output: the readable text report, annotations as workflow commands, a job summary.

The text report is printed between `::stop-commands::TOKEN` and `::TOKEN::`, so no path or message
from the repository can start a workflow command of its own (the runner trims leading blanks, so
indenting would not be enough). The annotations follow, escaped as the Actions toolkit does: in the
message `%`, CR and LF become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become `%3A`,
`%2C`. GitHub shows at most 10 annotations of each severity per step, so at most 10 are emitted per
severity, the notice that counts the rest included. The Markdown job summary (`summary_markdown`)
is appended to `$GITHUB_STEP_SUMMARY` by the command line, capped below GitHub's 1 MiB;
`mlops-lint report` appends its practice scores table there the same way.
"""

from __future__ import annotations

import html
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mlops_lint.diagnostics import Diagnostic, Family, RunReport, Severity
from mlops_lint.fingerprint import SourceLines
from mlops_lint.reporters import text
from mlops_lint.reporters.sarif import NotebookLine, notebook_file_line

ANNOTATIONS_PER_SEVERITY = 10
COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SUMMARY_LIMIT = 1024 * 1024 - 16 * 1024  # GitHub refuses a step summary of 1 MiB or more
SUMMARY_ROWS = 500


# other control characters (an ESC sequence in a YAML key) are shown escaped, never sent to the log
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(value: str) -> str:
    value = _CONTROL.sub(lambda match: repr(match.group())[1:-1], value)
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, properties: Mapping[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _properties(diagnostic: Diagnostic, sources: SourceLines, notebook_line: NotebookLine) -> dict[str, object]:
    location = diagnostic.location
    props: dict[str, object] = {}
    if location.path not in (".", ""):
        props["file"] = location.path
    span = location.span
    if span is not None and location.commit is None:
        if location.cell is None:
            props["line"] = span.start_line
            props["endLine"] = span.end_line
            if span.start_line == span.end_line:  # GitHub ignores columns on multi-line annotations
                props["col"] = span.start_col
                props["endColumn"] = span.end_col
        else:
            notebook = sources.text(location.path)
            line = None if notebook is None else notebook_line(notebook, location.path, location.cell, span.start_line)
            if line is not None:
                props["line"] = line
    props["title"] = f"{diagnostic.code} {diagnostic.name}"
    return props


def _message(diagnostic: Diagnostic) -> str:
    location = diagnostic.location
    where = []
    if location.cell is not None:
        where.append(f"cell {location.cell}" + (f", line {location.span.start_line}" if location.span else ""))
    if location.commit is not None:
        where.append(f"commit {location.commit[:12]}")
    return diagnostic.message + (f" ({'; '.join(where)})" if where else "")


def annotations(report: RunReport, notebook_line: NotebookLine = notebook_file_line) -> list[str]:
    """At most 10 workflow commands per severity; the last notice counts what was left out."""
    sources = SourceLines(report.root)
    by_severity: dict[Severity, list[Diagnostic]] = {s: [] for s in Severity}
    for diagnostic in report.diagnostics:
        by_severity[diagnostic.severity].append(diagnostic)
    notice_room = ANNOTATIONS_PER_SEVERITY
    left_out = {s: max(0, len(found) - ANNOTATIONS_PER_SEVERITY) for s, found in by_severity.items()}
    if sum(left_out.values()):
        notice_room -= 1  # keep room for the notice that counts the rest
        left_out[Severity.INFO] = max(0, len(by_severity[Severity.INFO]) - notice_room)
    lines = []
    for severity, found in by_severity.items():
        room = notice_room if severity is Severity.INFO else ANNOTATIONS_PER_SEVERITY
        for diagnostic in found[:room]:
            props = _properties(diagnostic, sources, notebook_line)
            lines.append(command(COMMANDS[severity], props, _message(diagnostic)))
    rest = sum(left_out.values())
    if rest:
        parts = ", ".join(f"{left_out[s]} {s}" for s in Severity if left_out[s])
        noun = "finding is" if rest == 1 else "findings are"
        lines.append(
            command(
                "notice",
                {"title": "mlops-lint"},
                f"{rest} more {noun} not annotated ({parts}): GitHub shows at most "
                f"{ANNOTATIONS_PER_SEVERITY} annotations per severity. All findings are in this step's log "
                "and in the job summary.",
            )
        )
    return lines


def render(report: RunReport, token: str | None = None, **_: Any) -> str:
    token = token or secrets.token_hex(16)
    body = text.render(report)
    lines = [f"::stop-commands::{token}", *body.splitlines(), f"::{token}::", *annotations(report)]
    return "\n".join(lines) + "\n"


# --- the job summary ---------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|!~])")


def cell(value: str) -> str:
    """Text safe inside a Markdown table cell: HTML escaped, Markdown specials and `|` backslashed, one line."""
    flat = " ".join(value.splitlines())
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=False)


def _link(diagnostic: Diagnostic, env: Mapping[str, str]) -> str:
    where = cell(text.location_text(diagnostic))
    location = diagnostic.location
    server, repo, sha = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (server and repo and sha) or location.path in (".", ""):
        return where
    url = f"{server}/{repo}/blob/{location.commit or sha}/{quote(location.path)}"
    if location.span is not None and location.cell is None and location.commit is None:
        url += f"#L{location.span.start_line}"
    return f"[{where}]({html.escape(url, quote=True).replace(')', '%29').replace('(', '%28')})"


def summary_markdown(report: RunReport, env: Mapping[str, str] | None = None, limit: int = SUMMARY_LIMIT) -> str:
    """Counts per severity and family, then a table of the first findings, under `limit` bytes of UTF-8."""
    env = os.environ if env is None else env
    diagnostics = report.diagnostics
    head = ["## mlops-lint", "", *(cell(line) for line in text.summary(report)), ""]
    if diagnostics:
        families = [f for f in Family if any(d.family is f for d in diagnostics)]
        counts = Counter((d.family, d.severity) for d in diagnostics)
        head += ["| Family | " + " | ".join(str(s) for s in Severity) + " | total |", "|---|---:|---:|---:|---:|"]
        for family in families:
            row = [counts[(family, s)] for s in Severity]
            head.append(f"| {family} | " + " | ".join(str(n) for n in row) + f" | {sum(row)} |")
        totals = [sum(1 for d in diagnostics if d.severity is s) for s in Severity]
        head.append("| **total** | " + " | ".join(str(n) for n in totals) + f" | {len(diagnostics)} |")
        head += ["", "| Severity | Rule | Location | Message |", "|---|---|---|---|"]
    out = "\n".join(head) + "\n"
    size = len(out.encode("utf-8"))
    shown = 0
    for diagnostic in diagnostics[:SUMMARY_ROWS]:
        row = (
            f"| {diagnostic.severity} | `{diagnostic.code}` {diagnostic.name} | {_link(diagnostic, env)} "
            f"| {cell(diagnostic.message)} |\n"
        )
        row_size = len(row.encode("utf-8"))
        if size + row_size + 200 > limit:  # 200: room for the closing line
            break
        out += row
        size += row_size
        shown += 1
    if shown < len(diagnostics):
        out += f"\n{len(diagnostics) - shown} more not listed here: see the step's log.\n"
    return out


def _append_summary(text: Callable[[int], str], env: Mapping[str, str] | None) -> Path | None:
    """Append `text(room)` to `$GITHUB_STEP_SUMMARY` when it is set; the file keeps below 1 MiB."""
    env = os.environ if env is None else env
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    used = path.stat().st_size if path.is_file() else 0
    room = SUMMARY_LIMIT - used
    if room < 4096:
        return None
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text(room) + "\n")
    return path


def write_step_summary(report: RunReport, env: Mapping[str, str] | None = None) -> Path | None:
    """Append the findings summary to `$GITHUB_STEP_SUMMARY` when it is set."""
    env = os.environ if env is None else env
    return _append_summary(lambda room: summary_markdown(report, env, room), env)


def write_scorecard_summary(table: str, env: Mapping[str, str] | None = None) -> Path | None:
    """Append `mlops-lint report`'s practice scores table (Markdown, a few hundred bytes) to the job summary."""
    return _append_summary(lambda room: table if len(table.encode("utf-8")) < room else "", env)
