"""The run: build each context once, run every enabled rule on it, suppress, and report.

For each target file: path rules; then, for Python (`python_run.py`), one guarded parse and one batched libcst
traversal shared by all Python rules that may fire there: their trigger tokens occur in the text,
and their candidate check accepts the file's `ast` (`context/ast_index.py`), which every file has
anyway. A file no rule can fire in is never parsed by libcst. Repository rules run once at the
end. A rule that raises becomes a `RuleError` and the others carry on.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from mlops_lint import parallel
from mlops_lint.active_rules import ActiveRules, FileResult, _error
from mlops_lint.catalogue import RuleMeta
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.git_history import history_index
from mlops_lint.context.notebook_program import NotebookProgram
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic
from mlops_lint.gc_pace import fewer_collections
from mlops_lint.python_run import (
    PARSED,
    TOO_DEEP_TO_ANALYSE,
    _engine_finding,
    _run_notebook,
    _run_python,
)
from mlops_lint.selection import PerFileIgnores
from mlops_lint.serialize import dump, dump_error, load, load_error
from mlops_lint.suppression import FileSuppressions
from mlops_lint.time_limit import AnalysisTimeout
from mlops_lint.time_limit import expired as timed_out

if TYPE_CHECKING:
    from mlops_lint.rule import RepoRule, RuleSettings
    from mlops_lint.rule_memo import RuleMemo

__all__ = [
    "PARSED",
    "TOO_DEEP_TO_ANALYSE",
    "ActiveRules",
    "FileResult",
    "check_file",
    "check_repo",
    "run",
    "run_code",
    "run_live",
    "suppress",
]


def _run_path_rules(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    """The path rules of `rules` that look at this kind of file; a rule that raises becomes an error."""
    for settings, cls in rules.path_rules:
        if cls.kinds is not None and file.kind not in cls.kinds:
            continue
        try:
            result.diagnostics.extend(cls(settings).check(file, repo))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, file.path, exc))


def check_file(
    repo: RepoContext,
    path: str,
    rules: ActiveRules,
    precomputed: Mapping[str, tuple[list, list]] | None = None,
    memo: RuleMemo | None = None,
) -> FileResult:
    """Every per-file rule on one file (`precomputed`: Python findings rows from the process pool;
    `memo`: the path rules' findings of the last run, reused while what they read is unchanged)."""
    result = FileResult([], [])
    file = repo.file(path)
    if memo is None:
        _run_path_rules(repo, file, rules, result)
    else:
        _run_path_rules(repo, file, rules.live, result)
        work = partial(_run_path_rules, repo, file, rules.settled)
        memo.remembered(repo, f"path\0{path}", work, result, notices=False)  # the history thread runs now
    if file.kind in CODE_KINDS:
        run_code(repo, file, rules, result, rows=(precomputed or {}).get(path))
    return result


CODE_KINDS = (FileKind.PYTHON, FileKind.NOTEBOOK)


def run_code(
    repo: RepoContext,
    file: FileContext,
    rules: ActiveRules,
    result: FileResult,
    use_cache: bool = True,
    rows: tuple[list, list] | None = None,
) -> None:
    """The Python rules on a Python file or a notebook: from `rows` computed by a worker, from the
    result cache when the text is unchanged, or by parsing and visiting it here."""
    run = _run_python if file.kind is FileKind.PYTHON else _run_notebook
    cache = repo.result_cache if use_cache else None
    digest = file.digest if cache is not None else None
    if rows is None and cache is not None and digest is not None:
        found = cache.get_findings(file.path, digest)
        rows = (found[0], found[1]) if found is not None else None
    elif rows is not None and cache is not None and digest is not None:
        cache.put_findings(file.path, digest, [rows[0], rows[1]])
    if rows is not None:
        result.diagnostics += [load(row) for row in rows[0]]
        result.errors += [load_error(row) for row in rows[1]]
        return
    fresh = FileResult([], [])
    limit = repo.config.analysis_timeout
    try:
        run(repo, file, rules, fresh)  # the libcst parse and the rules run under the file's time limit
    except (AnalysisTimeout, Exception) as exc:
        if not isinstance(exc, AnalysisTimeout) and not timed_out():
            raise
        repo.release(file.path)  # the half-built trees
        reason = f"its analysis was stopped after {limit:g} s (the `analysis-timeout` setting)"
        result.diagnostics += _engine_finding(rules, file.path, None, reason=reason)
        result.transient = True
        return  # not cached: the next run tries again (a busy machine is not the file's fault)
    if cache is not None and digest is not None:
        cache.put_findings(
            file.path, digest, [[dump(d) for d in fresh.diagnostics], [dump_error(e) for e in fresh.errors]]
        )
    result.diagnostics += fresh.diagnostics
    result.errors += fresh.errors


def check_repo(repo: RepoContext, rules: ActiveRules, memo: RuleMemo | None = None) -> FileResult:
    """Every repository rule once; with `memo`, a rule whose reads are unchanged since the last run
    is answered from it, and the others are recorded into it (`rule_memo.py`)."""
    result = FileResult([], [])
    for settings, cls in rules.repo_rules:
        if memo is None or cls.reads_outside_files:
            _run_repo_rule(repo, settings, cls, result)
        else:
            memo.remembered(repo, settings.meta.code, partial(_run_repo_rule, repo, settings, cls), result)
    return result


def _run_repo_rule(repo: RepoContext, settings: RuleSettings, cls: type[RepoRule], result: FileResult) -> None:
    try:
        result.diagnostics.extend(cls(settings).check(repo))
    except Exception as exc:
        result.errors.append(_error(settings.meta.code, ".", exc))


def _in_parallel(
    repo: RepoContext, targets: Sequence[str], rules: ActiveRules, jobs: int
) -> Mapping[str, tuple[list, list]] | None:
    cache = repo.result_cache
    misses = []
    for path in targets:
        file = repo.file(path)
        if file.kind not in CODE_KINDS or file.text is None:
            continue
        if cache is not None and cache.has_findings(path, file.digest or ""):
            continue
        misses.append(path)
    return parallel.analyse(repo, rules, misses, jobs)


def _history_in_background(repo: RepoContext, rules: ActiveRules) -> threading.Thread | None:
    """Start the one history scan now, so that git works while Python checks the files."""
    if repo.run_options.history.kind == "none" or not any("history" in s.meta.needs for s, _c in rules.repo_rules):
        return None
    thread = threading.Thread(target=history_index, args=(repo,), daemon=True)
    thread.start()
    return thread


def suppress(
    repo: RepoContext,
    diagnostics: Sequence[Diagnostic],
    metas: Mapping[str, RuleMeta],
    per_file: PerFileIgnores,
) -> tuple[list[Diagnostic], int]:
    """Drop findings silenced by per-file-ignores or inline comments; returns (kept, dropped count).

    In a notebook, a finding inside a cell is matched against the comments of the cells (a
    `# noqa` on its line, an `ignore-file` comment in any code cell), not the JSON text."""
    kept: list[Diagnostic] = []
    cache: dict[str, FileSuppressions | None] = {}
    for diagnostic in diagnostics:
        meta = metas.get(diagnostic.code)
        path = diagnostic.location.path
        if per_file.ignores(path, meta) if meta is not None else per_file.ignores_ruff(path, diagnostic.code):
            continue
        program = repo.notebook_program(path) if diagnostic.location.cell is not None and repo.has(path) else None
        key = f"{path}\0cells" if program is not None else path
        if key not in cache:
            text = program.text if program is not None else (repo.file(path).text if repo.has(path) else None)
            cache[key] = FileSuppressions(text) if text else None
        suppressions = cache[key]
        checked = _in_program(program, diagnostic) if program is not None else diagnostic
        if suppressions is not None and suppressions.suppresses(checked, meta):
            continue
        kept.append(diagnostic)
    return kept, len(diagnostics) - len(kept)


def _in_program(program: NotebookProgram, diagnostic: Diagnostic) -> Diagnostic:
    """The finding with its cell-relative lines shifted to program lines (for the comment lookup)."""
    span = diagnostic.location.span
    piece = next((p for p in program.slices if p.cell.index == diagnostic.location.cell), None)
    if span is None or piece is None:
        return diagnostic
    shift = piece.first_line - 1
    moved = replace(span, start_line=span.start_line + shift, end_line=span.end_line + shift)
    return replace(diagnostic, location=replace(diagnostic.location, span=moved, cell=None))


def run(
    repo: RepoContext, targets: Sequence[str], rules: ActiveRules, jobs: int = 1, memo: RuleMemo | None = None
) -> FileResult:
    """All rules over the targets and the repository; findings unsorted and unsuppressed.

    With `jobs > 1`, the Python files and notebooks the result cache cannot answer are analysed by a
    process pool first; the git history scan (when a history rule is on) runs in a thread while
    the files are checked."""
    with fewer_collections():
        return _run(repo, targets, rules, jobs, memo)


def _run(repo: RepoContext, targets: Sequence[str], rules: ActiveRules, jobs: int, memo: RuleMemo | None) -> FileResult:
    total = FileResult([], [])
    precomputed = _in_parallel(repo, targets, rules, jobs) if jobs > 1 and rules.python_rules else None
    history = _history_in_background(repo, rules)
    keep_facts = any(cls.reads_module_facts for _settings, cls in rules.repo_rules)
    for path in targets:
        one = check_file(repo, path, rules, precomputed, memo)
        total.diagnostics += one.diagnostics
        total.errors += one.errors
        total.transient = total.transient or one.transient
        repo.release(path, keep_facts)
    if history is not None:
        history.join()
    repo_result = check_repo(repo, rules, memo)
    total.diagnostics += repo_result.diagnostics
    total.errors += repo_result.errors
    return total


def run_live(repo: RepoContext, targets: Sequence[str], live: ActiveRules) -> FileResult:
    """The rules of `ActiveRules.live`: path rules on the targets of their kinds (no file is read
    for any other rule), then repository rules, the history scan among them."""
    total = FileResult([], [])
    for path in targets if live.path_rules else ():
        _run_path_rules(repo, repo.file(path), live, total)
    repo_result = check_repo(repo, live)
    total.diagnostics += repo_result.diagnostics
    total.errors += repo_result.errors
    return total
