"""The Python rules of many files on all cores: a process pool over the files the cache cannot answer.

libcst is pure Python, so threads would not help; processes do. The pool is only used when it
pays (enough files not served by the result cache), workers are forked with the run's repository
view already built (nothing is pickled on the way in but file paths), and they send back findings
as plain rows (`mlops_lint.serialize`), which the parent stores in the cache. The parent keeps the
order of the files, so a run with one process and a run with many give the same report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mlops_lint import lazy

if TYPE_CHECKING:
    import multiprocessing.context

    from mlops_lint.context.repo import RepoContext
    from mlops_lint.engine import ActiveRules

MIN_FILES = 24  # below this, starting processes costs more than it saves
CHUNK = 2  # small tasks, largest files first: no worker is left with the one huge module at the end

_WORKER: tuple[RepoContext, ActiveRules] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext | None:
    """fork: workers inherit the parent's loaded modules and repository view. Where fork is not
    available (Windows) the run stays in one process rather than re-importing everything per worker."""
    try:
        import multiprocessing

        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def _init(repo: RepoContext, rules: ActiveRules) -> None:
    global _WORKER
    _WORKER = (repo, rules)


def _work(paths: Sequence[str]) -> list[tuple[str, list[Any], list[Any], Any]]:
    """Findings rows, and the module facts when a repository rule reads them (None otherwise)."""
    from mlops_lint.context.files import FileKind
    from mlops_lint.context.python_facts_data import facts_to_data
    from mlops_lint.engine import FileResult, run_code
    from mlops_lint.serialize import dump, dump_error

    assert _WORKER is not None
    repo, rules = _WORKER
    want_facts = any(cls.reads_module_facts for _settings, cls in rules.repo_rules)
    out = []
    for path in paths:
        result = FileResult([], [])
        file = repo.file(path)
        run_code(repo, file, rules, result, use_cache=False)
        facts = None
        if want_facts and file.kind in (FileKind.PYTHON, FileKind.NOTEBOOK):
            module_facts = repo.facts(path)
            facts = [None if module_facts is None else facts_to_data(module_facts)]
        out.append((path, [dump(d) for d in result.diagnostics], [dump_error(e) for e in result.errors], facts))
        repo.forget(path)  # keep a worker's memory flat over a long run
    return out


def analyse(
    repo: RepoContext, rules: ActiveRules, paths: Sequence[str], jobs: int
) -> dict[str, tuple[list[Any], list[Any]]] | None:
    """Findings rows by path, computed by `jobs` processes; None when a pool is not worth it here.
    Module facts the workers computed are handed to `repo` (`RepoContext.adopt_facts`)."""
    context = _context()
    if jobs < 2 or len(paths) < MIN_FILES or context is None:
        return None
    lazy.preload()  # once here, not once in every worker
    paths = sorted(paths, key=lambda path: -len(repo.file(path).text or ""))
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    results: dict[str, tuple[list[Any], list[Any]]] = {}
    from concurrent.futures import ProcessPoolExecutor  # imported when a pool runs: a tenth of start-up

    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init, initargs=(repo, rules)) as pool:
        for batch in pool.map(_work, chunks):
            for path, diagnostics, errors, facts in batch:
                results[path] = (diagnostics, errors)
                if facts is not None:
                    repo.adopt_facts(path, facts[0])
    return results
