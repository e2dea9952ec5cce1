"""The findings of a whole run, kept until anything they could depend on changes.

Per-file Python results are cached by their file's digest (`result_cache.py`), but path and
repository rules read other files (packaging files, `.gitignore`, every module an entry point
imports), so a key per file cannot describe them. This memo keys them by everything instead:

- the content of every listed file (through `StatDigests`: a stat per file, a read only for a
  file whose stat changed) and the list itself;
- the git state rules read besides the files: HEAD, the index, refs, config, info/exclude (stats
  of those files under the git dir, so a commit, `git add` or a new branch is a miss);
- the tool version (`Cache`), the configuration, the enabled rules with their options and
  catalogue text, the targets, and the ruff binary when ruff runs.

When the key matches, the run reuses the stored findings (ruff's included: ruff is not started)
and runs only the rules that declare `reads_outside_files` (git history, untracked data in the
workspace): their inputs are not in the key. A run that did not finish its work (an analysis
stopped by the time limit, ruff failing) is not stored, so the next run tries again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint.cache import Cache
from mlops_lint.diagnostics import Diagnostic, RuleError
from mlops_lint.git_gateway import GitGateway
from mlops_lint.plugins import plugin_versions
from mlops_lint.ruff_bridge import ruff_binary
from mlops_lint.rule_memo import RuleMemo
from mlops_lint.serialize import dump, dump_error, load, load_error
from mlops_lint.stat_cache import StatDigests

if TYPE_CHECKING:
    from mlops_lint.api import Session
    from mlops_lint.context.repo import RepoContext

KEEP = 4  # memos kept side by side (pre-commit's file lists and CI's whole-tree run)
_GIT_FILES = ("HEAD", "index", "packed-refs", "config", "info/exclude", "info/attributes", "shallow", "FETCH_HEAD")


def git_state(root: Path) -> list[Any]:
    """Stats of the git files rules may read besides the work tree (see the module doc)."""
    gateway = GitGateway(root)
    try:
        text = gateway.out("rev-parse", "--absolute-git-dir", "--git-common-dir")
    finally:
        gateway.close()
    out = (text or "").split("\n")
    if len(out) < 2 or not out[0]:
        return ["no git"]
    git_dir = Path(out[0])
    common = Path(out[1]) if os.path.isabs(out[1]) else (root / out[1]).resolve()
    state: list[Any] = [str(git_dir), str(common)]
    for folder in dict.fromkeys((git_dir, common)):
        for name in _GIT_FILES:
            state.append([name, _signature(folder / name)])
        for current, dirs, files in os.walk(folder / "refs"):
            dirs.sort()
            for name in sorted(files):
                path = Path(current, name)
                state.append([str(path.relative_to(folder)), _signature(path)])
    return state


def _signature(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns]


class RunMemo:
    """One run's stored findings, under a key of everything they depend on."""

    def __init__(self, cache: Cache, stats: StatDigests, name: str, key: str, rules: RuleMemo) -> None:
        self.cache = cache
        self.stats = stats
        self.name = name
        self.key = key
        self.rules = rules  # per-rule findings, for a run this memo cannot answer (`rule_memo.py`)

    @classmethod
    def open(
        cls, cache: Cache, stats: StatDigests, files: Sequence[str], described: Iterable[Any], ruff: str | None
    ) -> RunMemo:
        """`described`: the configuration, rules and targets, as JSON-able values (`repr` for the rest)."""
        settings = hashlib.sha256(json.dumps(list(described), default=repr).encode()).hexdigest()[:16]
        git = git_state(stats.root)
        parts = [settings, git, _binary(ruff), stats.fingerprint(files)]
        key = hashlib.sha256(json.dumps(parts, default=repr).encode()).hexdigest()[:32]
        listing = [settings, git, sorted(files)]  # the rule memo: names, not contents (those are its reads)
        rules = RuleMemo(cache, stats, hashlib.sha256(json.dumps(listing, default=repr).encode()).hexdigest()[:32])
        return cls(cache, stats, f"run-{settings}", key, rules)

    def load(self) -> tuple[list[Diagnostic], list[RuleError], list[str]] | None:
        """The stored (findings, rule errors, notices), or None on a miss."""
        data = self.cache.read(self.name, self.key)
        if data is None:
            return None
        try:
            return (
                [load(row) for row in data["diagnostics"]],
                [load_error(row) for row in data["errors"]],
                [str(notice) for notice in data["notices"]],
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None  # an entry of another shape: do the work

    def store(self, diagnostics: Iterable[Diagnostic], errors: Iterable[RuleError], notices: Iterable[str]) -> None:
        rows = {
            "diagnostics": [dump(d) for d in diagnostics],
            "errors": [dump_error(e) for e in errors],
            "notices": list(notices),
        }
        self.cache.write(self.name, self.key, rows)
        self.cache.prune("run-", KEEP)


def _binary(path: str | None) -> list[Any] | None:
    """The ruff binary that would run, by path and stat: another ruff is a miss."""
    if path is None:
        return None
    return [path, _signature(Path(path))]


def memo_for(session: Session, repo: RepoContext) -> RunMemo | None:
    """The memo of this run, or None when there is none to have: no cache (`--no-cache`), or the
    fix loop's in-memory texts (overlays), which no file on disk describes."""
    if session.result_cache is None or repo.overlays:
        return None
    rules = session.rules
    described = [
        sorted(
            (settings.meta.code, dict(settings.options), [str(settings.meta.severity), settings.meta.message,
             settings.meta.help])
            for settings, _cls in (*rules.path_rules, *rules.python_rules, *rules.repo_rules)
        ),
        rules.cache_key,
        plugin_versions(rules.codes),
        repr(session.config),
        list(repo.targets),
        session.ruff_active,
    ]  # fmt: skip
    ruff = ruff_binary() if session.ruff_active else None
    cache = session.result_cache.cache
    stats = StatDigests(cache, session.root, session.config.max_file_bytes)
    memo = RunMemo.open(cache, stats, session.inventory.files, described, ruff)
    stats.save(session.inventory.files)
    return memo
