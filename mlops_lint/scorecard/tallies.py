"""Counts drawn from a card's findings, shared by the page, the Markdown summary and the text output."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from mlops_lint.diagnostics import Family, Severity

SEVERITIES = tuple(s.value for s in Severity)


def location(finding: Mapping[str, Any]) -> str:
    """`path[@commit][:cell N][:line:col]`, as the text output writes it."""
    where = finding["path"]
    if finding.get("commit"):
        where += f"@{finding['commit'][:7]}"
    if finding.get("cell") is not None:
        where += f":cell {finding['cell']}"
    if finding.get("line") is not None:
        where += f":{finding['line']}:{finding.get('column') or 1}"
    return where


def by_family(findings: Sequence[Mapping[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    """(family, {severity: count}) for every family that has findings, in the catalogue's family order."""
    counts = Counter((f["family"], f["severity"]) for f in findings)
    rows = []
    for family in Family:
        row = {s: counts[(family.value, s)] for s in SEVERITIES}
        if sum(row.values()):
            rows.append((family.value, row))
    return rows


def _folders(path: str) -> list[str]:
    parts = path.strip("/").split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def hotspots(
    findings: Sequence[Mapping[str, Any]], limit: int = 10
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The folders (a finding counts for each folder above it) and the files with the most findings.

    A finding about a folder itself (`experiments/run 1/`) counts for that folder; repository-wide
    ones (path `.`) for neither list. Ties are broken by path, so the lists never depend on order."""
    folders: Counter[str] = Counter()
    files: Counter[str] = Counter()
    for finding in findings:
        path = finding["path"]
        if path in (".", ""):
            continue
        if path.endswith("/"):
            folders.update([*_folders(path), path])
            continue
        files[path] += 1
        folders.update(_folders(path))

    def top(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:limit]

    return top(folders), top(files)
