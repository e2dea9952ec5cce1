"""One run's rules and ruff over the targets, or the memo of an identical run.

`api.lint` resolves the session and reports; this module does the work between: it asks the
whole-run memo (`run_memo.py`) first, else starts ruff in the background, runs every rule
(`engine.run`, with the per-rule memo of `rule_memo.py`), and joins ruff's findings, refined to
the project's own linting (`ruff_refine.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mlops_lint.cache import Cache
from mlops_lint.context.files import FileKind, classify
from mlops_lint.context.lint_config import read_project_linting
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.engine import FileResult, run, run_live
from mlops_lint.ruff_bridge import RuffRun
from mlops_lint.ruff_refine import drop_replaced, refine_in, replacing
from mlops_lint.rule import EngineEvent
from mlops_lint.run_memo import memo_for

if TYPE_CHECKING:
    from mlops_lint.api import Session


def run_rules(session: Session, repo: RepoContext, targets: list[str]) -> FileResult:
    """Every rule and ruff over the targets, or the memo of an identical run (`run_memo.py`) and
    the few rules that read outside the listed files."""
    memo = memo_for(session, repo)
    stored = memo.load() if memo is not None else None
    if stored is not None:
        diagnostics, errors, notices = stored
        repo.notices.extend(notices)
        live = run_live(repo, targets, session.rules.live)
        return FileResult(diagnostics + live.diagnostics, errors + live.errors)
    ruff = _start_ruff(session, repo, targets) if session.ruff_active else None
    try:
        result = run(repo, targets, session.rules, session.jobs, memo.rules if memo is not None else None)
    except BaseException:
        if ruff is not None:
            ruff.cancel()
        raise
    finally:
        repo.close()  # the run's git processes end with the rules that read git
    if ruff is not None:
        result.diagnostics = drop_replaced(
            result.diagnostics + _ruff_findings(session, repo, ruff), replacing(session.rules)
        )
    ruff_failed = session.rules.engine_reporters.get(EngineEvent.RUFF_FAILED)
    failed_code = ruff_failed.meta.code if ruff_failed is not None else None
    if memo is not None and not result.transient and all(d.code != failed_code for d in result.diagnostics):
        live_codes = session.rules.live.codes
        memo.rules.save()
        memo.store(
            [d for d in result.diagnostics if d.code not in live_codes],
            [e for e in result.errors if e.code not in live_codes],
            repo.notices,
        )
    return result


def _start_ruff(session: Session, repo: RepoContext, targets: Sequence[str]) -> RuffRun | None:
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


def _ruff_findings(session: Session, repo: RepoContext, ruff: RuffRun) -> list[Diagnostic]:
    outcome = ruff.result()
    reporter = session.rules.engine_reporters.get(EngineEvent.RUFF_FAILED)
    if outcome.failure is not None:
        return [reporter.diagnostic(Location(path="."), reason=outcome.failure)] if reporter else []
    crashes = [
        reporter.diagnostic(Location(path=path), reason=f"ruff crashed on this file {why}")
        for path, why in outcome.crashed
        if reporter is not None
    ]
    kept = refine_in(repo, outcome.diagnostics, ruff.linting, session.config.ruff.defer_to_project_linter)
    return [*kept, *crashes]
