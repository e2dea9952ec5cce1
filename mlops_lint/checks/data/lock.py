"""DVC pipelines: a dvc.lock that no longer matches dvc.yaml, its params or its dependencies (MLD007)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.data.pipeline import stage_span
from mlops_lint.context.dvc_pipeline import (
    EOLS,
    LockStage,
    Stage,
    dvc_yaml_files,
    is_missing,
    join,
    lock_stages,
    lookup,
    params_file,
    pipeline_stages,
    workspace_md5,
)
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.rule import RepoRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


def _normal(declared: str) -> str:
    return posixpath.normpath(declared)


class DvcLockStale(RepoRule):
    reads_outside_files = True
    code = "MLD007"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        limit = int(self.options.get("max-hash-size", 10 * 1024 * 1024))
        for dvc_yaml in dvc_yaml_files(repo):
            folder = posixpath.dirname(dvc_yaml)
            lock_path = join(folder, "dvc.lock") or "dvc.lock"
            lock = lock_stages(repo, lock_path) if repo.has(lock_path) else None
            if lock is None or not ({dvc_yaml, lock_path} & set(repo.targets)):
                continue
            stages = pipeline_stages(repo, dvc_yaml)
            for stage in stages:
                locked = lock.get(stage.name) if stage.expanded else None
                if locked is not None:  # a stage never reproduced is not in the lock: not reported
                    for path, line, column, reason in self._stage(repo, stage, locked, lock_path, dvc_yaml, limit):
                        yield self._finding(path, line, column, stage.name, reason)
            doc = repo.yaml(dvc_yaml)
            declared = doc.value.get("stages") if isinstance(getattr(doc, "value", None), dict) else None
            definitions = {str(name) for name in declared} if isinstance(declared, dict) else set()
            for name, locked in lock.items():
                if name.split("@", 1)[0] not in definitions:
                    yield self._finding(
                        lock_path, locked.line, locked.column, name, "the stage is no longer in dvc.yaml"
                    )

    def _finding(self, path: str, line: int, column: int, stage: str, reason: str) -> Diagnostic:
        return self.diagnostic(Location(path=path, span=stage_span(line, column)), stage=stage, reason=reason)

    def _stage(
        self, repo: RepoContext, stage: Stage, locked: LockStage, lock_path: str, dvc_yaml: str, limit: int
    ) -> Iterator[tuple[str, int, int, str]]:
        templated = any("${" in c for c in stage.commands)
        if locked.commands is not None and not templated and locked.commands != stage.commands:
            yield lock_path, locked.cmd_line, locked.cmd_column, "cmd differs from dvc.yaml"
        for section, ours, theirs in (("deps", stage.deps, locked.deps), ("outs", stage.outs, locked.outs)):
            if stage.unresolved:
                break
            yaml_paths = {_normal(e.declared): e for e in ours}
            lock_paths = {_normal(p): e for p, e in theirs.items()}
            for path, entry in sorted(yaml_paths.items()):
                if path not in lock_paths:
                    yield dvc_yaml, entry.line, entry.column, f"{section[:-1]} {path} of dvc.yaml is not in dvc.lock"
            for path, lock_entry in sorted(lock_paths.items()):
                if path not in yaml_paths:
                    yield (
                        lock_path,
                        lock_entry.line,
                        lock_entry.column,
                        f"{section[:-1]} {path} is no longer in dvc.yaml",
                    )
        for declared, lock_entry in sorted(locked.deps.items()):
            path = join(stage.wdir, declared)
            if path is None or not repo.has(path) or not lock_entry.md5 or lock_entry.md5.endswith(".dir"):
                continue
            current = workspace_md5(repo, path, limit, "lf" if lock_entry.legacy else "raw")
            if current is None or current == lock_entry.md5:
                continue
            # the same text checked out with other line endings (a lock written on Windows) is not stale
            if lock_entry.md5 not in {workspace_md5(repo, path, limit, eol) for eol in EOLS}:
                yield (
                    lock_path,
                    lock_entry.md5_line,
                    lock_entry.md5_column,
                    f"md5 of {path} ({lock_entry.md5[:8]}…) differs from the workspace",
                )
        for line, column, reason, in_lock in self._params(repo, stage, locked):
            yield (lock_path if in_lock else dvc_yaml), line, column, reason

    @staticmethod
    def _params(repo: RepoContext, stage: Stage, locked: LockStage) -> Iterator[tuple[int, int, str, bool]]:
        for file, values in sorted(locked.params.items()):
            path = join(stage.wdir, file)
            loaded = params_file(repo, path) if path is not None else None
            if loaded is None or not loaded.readable:
                continue
            for key, (value, line, column) in sorted(values.items()):
                current = lookup(loaded.value, key)
                if is_missing(current):
                    yield line, column, f"param {key} is no longer in {file}", True
                elif current != value:  # as DVC compares them (1 == 1.0)
                    yield (
                        line,
                        column,
                        f"param {key} is {_show(value)} in dvc.lock but {_show(current)} in {file}",
                        True,
                    )
        for ref in stage.params:
            if ref.key is None:
                continue
            file = posixpath.relpath(ref.file, stage.wdir or ".")
            if file in locked.params and ref.key not in locked.params[file]:
                yield ref.line, ref.column, f"param {ref.key} of dvc.yaml is not in dvc.lock", False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


RULES = [DvcLockStale]
