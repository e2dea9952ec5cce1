"""ruff in a lint run: started on the run's readable Python files and notebooks before our own
file work (so it runs alongside), then its result turned into findings: refined against the
text the run read, and a failure or a crash reported as the engine's MLI finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlops_lint.cache import Cache
from mlops_lint.checks.internal import RuffFailed
from mlops_lint.context.files import FileKind, classify
from mlops_lint.context.lint_config import read_project_linting
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.ruff_bridge import RuffRun
from mlops_lint.ruff_refine import refine_in

if TYPE_CHECKING:
    from mlops_lint.api import Session


def start_ruff(session: Session, repo: RepoContext, targets: Sequence[str]) -> RuffRun | None:
    # only files we could read ourselves: never a symlink out of the repository
    python = [
        path
        for path in targets
        if classify(path) in (FileKind.PYTHON, FileKind.NOTEBOOK) and repo.file(path).text is not None
    ]
    if not python:
        return None
    cache_dir = Cache(session.root, session.result_cache is not None).folder_for("ruff")
    # the bytes the run read, so that ruff's findings can be made to describe the same text
    read = {path: raw for path in python if path not in repo.overlays and (raw := repo.file(path).raw) is not None}
    linting = read_project_linting(session.root, session.inventory.files)
    return RuffRun(session.root, python, session.config.ruff, repo.overlays, cache_dir, read, linting)


def ruff_findings(session: Session, repo: RepoContext, ruff: RuffRun) -> list[Diagnostic]:
    outcome = ruff.result()
    settings = session.rules.engine_rules.get(RuffFailed.code)
    if outcome.failure is not None:
        return [RuffFailed(settings).diagnostic(Location(path="."), reason=outcome.failure)] if settings else []
    crashes = [
        RuffFailed(settings).diagnostic(Location(path=path), reason=f"ruff crashed on this file {why}")
        for path, why in outcome.crashed
        if settings is not None
    ]
    kept = refine_in(repo, outcome.diagnostics, ruff.linting, session.config.ruff.defer_to_project_linter)
    return [*kept, *crashes]
