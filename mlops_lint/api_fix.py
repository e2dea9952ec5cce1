"""`mlops-lint fix` and the baseline, on top of `api`'s session: fixes to a fixed point, written
atomically and only where nothing changed on disk meanwhile; the baseline's entries and file."""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from mlops_lint import api
from mlops_lint.api import Overrides, Session, _common_dir, _lint_repo, open_session
from mlops_lint.baseline import Baseline, Entry, entries_for
from mlops_lint.config import load_config
from mlops_lint.context.files import Decoded, FileContext, classify
from mlops_lint.diagnostics import RunReport
from mlops_lint.discovery import find_root
from mlops_lint.fixer import FixReport, write_atomically
from mlops_lint.registry import registry
from mlops_lint.ruff_bridge import undefined_names

NO_OVERRIDES = Overrides()


def baseline_entries(
    paths: Sequence[Path], overrides: Overrides = NO_OVERRIDES, prune: Path | None = None
) -> list[Entry]:
    """The entries a baseline file should hold now: every current finding, or, with `prune`, only the
    entries of that baseline that still match a finding (a pruned baseline never grows)."""
    session = replace(open_session(paths, replace(overrides, baseline=None)), baseline=None)  # nothing filtered
    repo = session.repo()
    report = _lint_repo(session, repo)
    current = entries_for(repo, report.diagnostics)
    if prune is None:
        return current
    remaining = Counter((e.code, e.path, e.fingerprint) for e in current)
    kept = []
    for entry in Baseline.load(prune).entries:
        key = (entry.code, entry.path, entry.fingerprint)
        if remaining[key] > 0:
            remaining[key] -= 1
            kept.append(entry)
    return kept


def baseline_target(paths: Sequence[Path], overrides: Overrides = NO_OVERRIDES) -> Path | None:
    """The configured baseline file (`baseline = "..."`, relative to the project root), if any."""
    config_paths = list(paths) or [Path.cwd()]
    root = find_root(Path(_common_dir(config_paths)))
    configured = load_config(root, {code: meta for code, (meta, _cls) in registry().items()}, overrides.config_file)
    return root / configured.baseline if configured.baseline else None


def fix(
    paths: Sequence[Path], overrides: Overrides = NO_OVERRIDES, unsafe: bool = False, write: bool = True
) -> FixReport:
    """Apply fixes to a fixed point; write changed files atomically unless `write` is False."""
    session = open_session(paths, overrides)
    return fix_session(session, unsafe=unsafe, write=write)


def fix_session(session: Session, unsafe: bool = False, write: bool = True) -> FixReport:
    stored: dict[str, Decoded] = {}

    def lint_state(overlays: Mapping[str, str]) -> tuple[RunReport, Mapping[str, str]]:
        repo = session.repo(overlays)
        report = _lint_repo(session, repo)
        texts: dict[str, str] = {}
        for diagnostic in report.diagnostics:
            if diagnostic.fix is None:
                continue
            for edit in diagnostic.fix.edits:
                if edit.path in texts or (not repo.has(edit.path) and edit.path not in overlays):
                    continue
                file = repo.file(edit.path)
                decoded = file.decoded
                if decoded is not None:
                    texts[edit.path] = decoded.text
                    stored.setdefault(edit.path, decoded)
        return report, texts

    # through `api`, so that a test can stand in for the loop there
    report = api.fix_to_fixed_point(lint_state, unsafe, undefined=undefined_names)
    session.save_cache()
    if write:
        for path in report.touched:
            try:
                _write_one(session.root, path, report, stored.get(path), session.config.max_file_bytes)
            except OSError as exc:  # a full disk, a read-only file: the file keeps its old bytes, the run goes on
                report.refused[path] = f"could not be written ({exc.strerror or exc})"
            if path in report.refused:
                report.changed.pop(path, None)
                report.created.pop(path, None)
        if any(path in report.refused for path in stored):
            # the remaining findings and the count were computed as if every fix was written
            report.remaining = _lint_repo(session, session.repo())
            written = [paths for paths in report.applied_paths if not paths & report.refused.keys()]
            report.applied, report.applied_paths = len(written), written
    return report


def _write_one(root: Path, path: str, report: FixReport, how: Decoded | None, max_bytes: int) -> None:
    """Write one fixed or created file (atomically), or record why it is refused."""
    target = root / path
    if path in report.created:
        if target.exists() or target.is_symlink():
            report.refused[path] = "exists already; a fix never overwrites a file"
            return
        write_atomically(target, report.changed.get(path, report.created[path]), bom=False)
    elif target.is_symlink():
        report.refused[path] = "is a symlink; fixes do not write through symlinks"
    elif how is not None and _read_again(root, path, max_bytes) != how:
        # another fix, an editor or a checkout wrote the file after we read it: ours would undo that
        report.refused[path] = "changed on disk while the fixes were computed; run `mlops-lint fix` again"
    else:
        encoding = how.encoding if how else "utf-8"
        try:
            write_atomically(target, report.changed[path], bom=bool(how and how.bom), encoding=encoding)
        except UnicodeEncodeError:
            report.refused[path] = f"the fixed text cannot be written back as {encoding}"


def _read_again(root: Path, path: str, max_bytes: int) -> Decoded | None:
    """The file as it is now, read and decoded as the run read it. What is left is the moment
    between this read and the rename: as small as it can be made."""
    return FileContext(path=path, root=root, kind=classify(path), max_bytes=max_bytes).decoded


def unified_diff(report: FixReport) -> str:
    """The fixes as one unified diff, paths as a/… and b/…; new files diff against /dev/null."""
    chunks: list[str] = []
    for path in report.touched:
        before = "" if path in report.created else report.originals.get(path, "")
        after = report.changed.get(path, report.created.get(path, ""))
        chunks.extend(
            difflib.unified_diff(
                before.splitlines(keepends=True),
                after.splitlines(keepends=True),
                fromfile="/dev/null" if path in report.created else f"a/{path}",
                tofile=f"b/{path}",
            )
        )
    return "".join(chunks)
