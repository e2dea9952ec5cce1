"""`mlops-lint fix`: apply fixes in memory to a fixed point, then write only what changed.

Each round lints the current in-memory state, takes the fixes allowed by `--unsafe-fixes`, drops
any fix whose edits overlap one already taken (whole fixes, never half of one), applies them, and
re-parses every Python file it touched: a result that no longer parses is refused and that file
keeps its previous text. The loop stops when a round applies nothing (or after `MAX_ROUNDS`).

If the run would end with more findings of some severity than it began with (a fix to a DVC
stage's script makes dvc.lock stale), its latest rounds are undone until it does not: their files
get back the texts they had and take no further fixes, with a notice. So a fix never raises any
severity's count.

Fixes are computed against the text a round starts from, so two fixes of one file can each be
right and still be wrong together: a rename of `pds` to `pd` beside a fix that writes `pds.isna(...)`.
Two guards keep that from being written. A scope-wide fix (`Fix.isolated`) gets a round of its own
for its files. And after each round, a Python file or notebook whose undefined names (ruff's F821)
grew is rolled back to the text it had before that round, and takes no further fixes in this run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mlops_lint.context.files import UTF8_BOM, FileKind, classify
from mlops_lint.context.notebook import NotebookProblem, load_notebook
from mlops_lint.context.python import ParseFailure, parse_python
from mlops_lint.diagnostics import Diagnostic, RunReport
from mlops_lint.fixes import Applicability, CreateFile, Fix, TextEdit, apply_edits, line_starts, span_offsets

MAX_ROUNDS = 10


@dataclass
class FixReport:
    """What a fix run did: final texts of changed files, created files, refusals, and the remaining findings."""

    originals: dict[str, str] = field(default_factory=dict)
    changed: dict[str, str] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    rolled_back: dict[str, str] = field(default_factory=dict)  # a round's fixes dropped: the file keeps the rest
    applied: int = 0  # findings fixed (the unit of `check`'s "N fixable")
    applied_paths: list[frozenset[str]] = field(default_factory=list)  # the files of each fixed finding
    remaining: RunReport | None = None

    @property
    def touched(self) -> list[str]:
        return sorted({p for p, t in self.changed.items() if t != self.originals.get(p)} | set(self.created))


def allowed(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


def _ranges(fix: Fix, texts: Mapping[str, str]) -> list[tuple[str, int, int]]:
    out = []
    starts: dict[str, list[int]] = {}  # once per file, not per edit: a notebook strip fix has hundreds of edits
    for edit in fix.edits:
        if isinstance(edit, TextEdit):
            text = texts.get(edit.path, "")
            if edit.path not in starts:
                starts[edit.path] = line_starts(text)
            start, end = span_offsets(starts[edit.path], len(text), edit.span)
            out.append((edit.path, start, end))
    return out


def choose_fixes(diagnostics: list[Diagnostic], texts: Mapping[str, str], unsafe: bool) -> list[Fix]:
    """Whole fixes in finding order, skipping any that overlaps a fix already chosen, and keeping an
    isolated fix alone in its files for this round (the others wait for the next round)."""
    taken: list[tuple[str, int, int]] = []
    chosen: list[Fix] = []
    touched: set[str] = set()
    isolated: set[str] = set()
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        fix = diagnostic.fix
        if not allowed(fix, unsafe) or fix is None or fix in chosen:
            continue
        if not fix.paths.isdisjoint(isolated) or (fix.isolated and not fix.paths.isdisjoint(touched)):
            continue
        ranges = _ranges(fix, texts)
        clash = any(
            p == q and ((s < e2 and s2 < e) or (s == e == s2 == e2)) for p, s, e in ranges for q, s2, e2 in taken
        )
        if clash:
            continue
        chosen.append(fix)
        taken.extend(ranges)
        touched |= fix.paths
        if fix.isolated:
            isolated |= fix.paths
    return chosen


def still_parses(path: str, text: str) -> str | None:
    """Why the fixed text is refused, or None if it is acceptable."""
    if classify(path) is FileKind.PYTHON:
        parsed = parse_python(text)
        if isinstance(parsed, ParseFailure):
            return f"the fixed code would not parse ({parsed.message}, line {parsed.line})"
    elif classify(path) is FileKind.NOTEBOOK:
        notebook = load_notebook(text)
        if isinstance(notebook, NotebookProblem):
            return f"the fixed notebook would not load ({notebook.message}, line {notebook.line})"
    return None


UndefinedNames = Callable[[str, str], "Counter[str] | None"]


def new_undefined_names(path: str, before: str, after: str, undefined: UndefinedNames) -> list[str]:
    """Undefined names that `after` has more of than `before` (empty when they cannot be counted)."""
    if classify(path) not in (FileKind.PYTHON, FileKind.NOTEBOOK):
        return []
    found_after = undefined(path, after)
    if not found_after:
        return []
    found_before = undefined(path, before)
    if found_before is None:
        return []
    return sorted(name for name, count in found_after.items() if count > found_before[name])


def fix_to_fixed_point(
    lint_state: Callable[[Mapping[str, str]], tuple[RunReport, Mapping[str, str]]],
    unsafe: bool,
    undefined: UndefinedNames | None = None,
) -> FixReport:
    """Drive the loop. `lint_state(overlays)` lints with the given in-memory texts and returns the
    report plus the current text of every file that has fixes (read through the same contexts).
    `undefined(path, text)` counts a text's undefined names (ruff's F821), or None if it cannot."""
    report = FixReport()
    overlays: dict[str, str] = {}
    initial: Counter[str] | None = None  # the counts before any fix: the run may not end above them
    rounds: list[_Round] = []
    for _round in range(MAX_ROUNDS):
        run_report, texts = lint_state(overlays)
        report.remaining = run_report
        initial = _counts(run_report) if initial is None else initial
        last = _Round()
        rounds.append(last)
        frozen = report.refused.keys() | report.rolled_back.keys()
        candidates = [d for d in run_report.diagnostics if d.location.path not in frozen]
        fixes = choose_fixes(candidates, texts, unsafe)
        if not fixes:
            break
        # the unit is the finding, as in `check`'s "N fixable": two findings that share one fix count twice
        findings = Counter(d.fix for d in candidates if d.fix in fixes)
        edits_by_path: dict[str, list[TextEdit]] = {}
        created_now: set[str] = set()
        for fix in fixes:
            for edit in fix.edits:
                if isinstance(edit, TextEdit):
                    edits_by_path.setdefault(edit.path, []).append(edit)
                elif isinstance(edit, CreateFile) and edit.path not in texts and edit.path not in overlays:
                    overlays[edit.path] = edit.content
                    report.created[edit.path] = edit.content
                    created_now.add(edit.path)
                    last.before.setdefault(edit.path, None)
        refused_now: set[str] = set()
        for path, edits in edits_by_path.items():
            before = overlays.get(path, texts.get(path))
            if before is None:
                continue
            after, _count = apply_edits(before, edits)
            problem = still_parses(path, after)
            if problem:
                report.refused[path] = problem
                refused_now.add(path)
                continue
            added = new_undefined_names(path, before, after, undefined) if undefined is not None else []
            if added:
                names = ", ".join(added)
                report.rolled_back[path] = (
                    f"fixes applied together would leave an undefined name ({names}); not applied"
                )
                refused_now.add(path)
                continue
            report.originals.setdefault(path, texts[path])
            last.before.setdefault(path, before)
            overlays[path] = after
            report.changed[path] = after
        for fix in fixes:
            text_paths = {edit.path for edit in fix.edits if isinstance(edit, TextEdit)}
            done = text_paths.isdisjoint(refused_now) if text_paths else not fix.paths.isdisjoint(created_now)
            if done:
                report.applied += findings[fix]
                report.applied_paths += [frozenset(fix.paths)] * findings[fix]
                last.applied += findings[fix]
    _undo_what_made_it_worse(report, overlays, rounds, initial, lint_state)
    return report


def _counts(run_report: RunReport) -> Counter[str]:
    return Counter(str(d.severity) for d in run_report.diagnostics)


def _undo_what_made_it_worse(
    report: FixReport,
    overlays: dict[str, str],
    rounds: list[_Round],
    initial: Counter[str] | None,
    lint_state: Callable[[Mapping[str, str]], tuple[RunReport, Mapping[str, str]]],
) -> None:
    """While some severity has more findings than before the first round (a fix to a DVC stage's
    script makes dvc.lock stale, say), undo the latest round: its files get back the texts they had
    and take no more fixes. A round may raise a count on the way (an error fixed, an unused import
    left for the next round); only where the run ends counts."""
    if initial is None or report.remaining is None:
        return
    while rounds:
        final = _counts(report.remaining)
        grown = sorted(severity for severity, n in final.items() if n > initial[severity])
        if not grown:
            return
        done = rounds.pop()
        if not done.before:
            continue
        done.undo(report, overlays, ", ".join(grown))
        report.remaining, _texts = lint_state(overlays)


@dataclass
class _Round:
    """What one round of the loop did, so that it can be undone: each file's text before it (None:
    the round created the file) and how many findings it fixed."""

    before: dict[str, str | None] = field(default_factory=dict)
    applied: int = 0

    def undo(self, report: FixReport, overlays: dict[str, str], grown: str) -> None:
        for path, text in self.before.items():
            if text is None:  # created by the round
                overlays.pop(path, None)
                report.created.pop(path, None)
            else:
                overlays[path] = text
                report.changed[path] = text  # back to its text before the round (`touched` compares)
            report.rolled_back[path] = f"its fixes would raise the number of {grown} findings; not applied"
        report.applied -= self.applied
        del report.applied_paths[len(report.applied_paths) - self.applied :]


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it is to set it; put it straight back
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str, bom: bool, encoding: str = "utf-8") -> None:
    """Write via a temporary file in the same folder and a rename, keeping the file's mode.

    A new file gets the mode `open()` would give it (0666 less the umask), not mkstemp's private
    0600: a baseline or a created `.gitignore` is meant to be read by others and committed."""
    data = (UTF8_BOM if bom else b"") + text.encode(encoding)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".mlops-lint-tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
