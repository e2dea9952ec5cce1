"""Baselines: adopt mlops-lint in an old repository by acknowledging what is already there.

`mlops-lint baseline` writes today's findings to `.mlops-lint-baseline.json`; `check --baseline
FILE` then reports only findings that are not in it. A finding is identified by a fingerprint
that survives edits elsewhere in the file (`mlops_lint.fingerprint`, shared with SARIF's
`partialFingerprints`): the rule code, the path, the commit of a history finding, and the flagged
line's text with whitespace normalised (not its line number), so inserting lines above an old finding
does not make it new. Findings without a line use their message. Identical fingerprints are counted,
so a second copy of an acknowledged line is still reported.

Entries that no longer match anything are stale: `check` says how many (the baseline should only
shrink), and `mlops-lint baseline --prune` drops them without adding anything new.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic
from mlops_lint.fingerprint import SourceLines
from mlops_lint.fixer import write_atomically

DEFAULT_FILE = ".mlops-lint-baseline.json"
FORMAT_VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read; the message is one line."""


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    path: str
    fingerprint: str
    message: str  # for people reading the file; not part of the match


@dataclass
class Baseline:
    entries: list[Entry]

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
        except ValueError as exc:
            raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from exc
        rows = data.get("findings") if isinstance(data, dict) else None
        if data.get("version") != FORMAT_VERSION or not isinstance(rows, list):
            raise BaselineError(f"baseline {path} is not an mlops-lint baseline (version {FORMAT_VERSION})")
        entries = []
        for row in rows:
            if not isinstance(row, dict) or not all(
                isinstance(row.get(k), str) for k in ("code", "path", "fingerprint")
            ):
                raise BaselineError(f"baseline {path}: malformed entry {row!r:.80}")
            entries.append(Entry(row["code"], row["path"], row["fingerprint"], str(row.get("message", ""))))
        return cls(entries)

    def split(self, repo: RepoContext, diagnostics: Sequence[Diagnostic]) -> tuple[list[Diagnostic], int, list[Entry]]:
        """(new findings, how many the baseline matched, stale entries)."""
        remaining = Counter((e.code, e.path, e.fingerprint) for e in self.entries)
        lines = SourceLines.of_repo(repo)
        new: list[Diagnostic] = []
        matched = 0
        for diagnostic in diagnostics:
            key = (diagnostic.code, diagnostic.location.path, lines.fingerprint(diagnostic))
            if remaining[key] > 0:
                remaining[key] -= 1
                matched += 1
            else:
                new.append(diagnostic)
        stale: list[Entry] = []
        for entry in self.entries:
            key = (entry.code, entry.path, entry.fingerprint)
            if remaining[key] > 0:
                remaining[key] -= 1
                stale.append(entry)
        return new, matched, stale


def entries_for(repo: RepoContext, diagnostics: Iterable[Diagnostic]) -> list[Entry]:
    lines = SourceLines.of_repo(repo)
    return [
        Entry(d.code, d.location.path, lines.fingerprint(d), d.message)
        for d in sorted(diagnostics, key=Diagnostic.sort_key)
    ]


def write(path: Path, entries: Sequence[Entry]) -> None:
    """The baseline as stable, diff-friendly JSON (sorted, one finding per object)."""
    rows = [
        {"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "message": e.message}
        for e in sorted(entries, key=lambda e: (e.path, e.code, e.fingerprint))
    ]
    text = json.dumps({"version": FORMAT_VERSION, "tool": "mlops-lint", "findings": rows}, indent=2) + "\n"
    write_atomically(path, text, bom=False)
