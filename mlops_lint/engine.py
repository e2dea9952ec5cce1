"""The run: build each context once, run every enabled rule on it, suppress, and report.

For each target file: path rules; then, for Python, one guarded parse and one batched libcst
traversal shared by all Python rules whose trigger tokens occur in the text. Repository rules run
once at the end. A rule that raises becomes a `RuleError` and the others carry on.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from mlops_lint import lazy, parallel
from mlops_lint.catalogue import RuleMeta
from mlops_lint.context.cst_walk import visit_batched
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.git_history import history_index
from mlops_lint.context.notebook_program import NotebookProgram
from mlops_lint.context.python import ParseFailure, PythonContext, deep_recursion
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, RuleError, Span
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.result_cache import rules_key
from mlops_lint.rule import EngineEvent, EngineRule, NodeFix, PathRule, PythonRule, RepoRule, Rule, RuleSettings
from mlops_lint.selection import PerFileIgnores
from mlops_lint.serialize import dump, dump_error, load, load_error
from mlops_lint.suppression import FileSuppressions
from mlops_lint.time_limit import AnalysisTimeout, time_limit
from mlops_lint.time_limit import expired as timed_out

if TYPE_CHECKING:
    import libcst as cst


# How many files libcst parsed in this process: a debug figure for the benchmarks, printed to stderr
# at exit when MLOPS_LINT_STATS is set (pool workers' parses are not counted: use `--jobs 1`).
PARSED = {"libcst": 0}
if os.environ.get("MLOPS_LINT_STATS"):
    atexit.register(lambda: sys.stderr.write(f"mlops-lint stats: libcst-parsed {PARSED['libcst']}\n"))


def _shown(meta: RuleMeta) -> list[str | None]:
    return [str(meta.severity), meta.message, meta.help]


@dataclass(frozen=True)
class ActiveRules:
    """The enabled rules, split by how they run, with their settings resolved once."""

    path_rules: tuple[tuple[RuleSettings, type[PathRule]], ...]
    python_rules: tuple[tuple[RuleSettings, type[PythonRule]], ...]
    repo_rules: tuple[tuple[RuleSettings, type[RepoRule]], ...]
    engine_rules: Mapping[str, RuleSettings]
    # the enabled engine rules by the event they report (`EngineRule.reports`): the engine asks for
    # "the rule that reports an unparsable file", never for a code
    engine_reporters: Mapping[EngineEvent, EngineRule] = field(default_factory=dict)

    @property
    def cache_key(self) -> str:
        """What cached per-file Python results depend on: the Python rules, their options, the engine codes,
        and the catalogue text each finding carries (severity, message, help), so that a catalogue edit
        without a version bump never serves findings with the old severity or wording."""
        return rules_key(
            ((s.meta.code, {"options": dict(s.options), "shown": _shown(s.meta)}) for s, _c in self.python_rules),
            [json.dumps([code, *_shown(settings.meta)]) for code, settings in self.engine_rules.items()],
        )

    @classmethod
    def build(
        cls, registry: Mapping[str, tuple[RuleMeta, type[Rule]]], codes: Iterable[str], options: Mapping[str, Mapping]
    ) -> ActiveRules:
        path, python, repo, engine, reporters = [], [], [], {}, {}
        for code in codes:
            meta, rule_cls = registry[code]
            settings = RuleSettings(meta, {**meta.default_options(), **options.get(code, {})})
            if issubclass(rule_cls, PythonRule):
                python.append((settings, rule_cls))
            elif issubclass(rule_cls, PathRule):
                path.append((settings, rule_cls))
            elif issubclass(rule_cls, RepoRule):
                repo.append((settings, rule_cls))
            else:
                engine[code] = settings
                if issubclass(rule_cls, EngineRule):
                    reporters[rule_cls.reports] = rule_cls(settings)
        return cls(tuple(path), tuple(python), tuple(repo), engine, reporters)

    def live(self) -> ActiveRules:
        """Only the path and repository rules that read outside the listed files: what a run whose
        findings were memoized still runs (see `run_memo.py`)."""
        return ActiveRules(
            tuple(rule for rule in self.path_rules if rule[1].reads_outside_files),
            (),
            tuple(rule for rule in self.repo_rules if rule[1].reads_outside_files),
            {},
        )

    @property
    def codes(self) -> frozenset[str]:
        rules = (*self.path_rules, *self.python_rules, *self.repo_rules)
        return frozenset(settings.meta.code for settings, _cls in rules) | frozenset(self.engine_rules)


@dataclass
class FileResult:
    diagnostics: list[Diagnostic]
    errors: list[RuleError]
    transient: bool = False  # an analysis was stopped by the time limit: not to be remembered


def _error(code: str, path: str, exc: BaseException) -> RuleError:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return RuleError(code=code, location=Location(path=path), error=f"{type(exc).__name__}: {exc}{where}")


TOO_DEEP_TO_ANALYSE = "code is nested too deeply for libcst to analyse (other checks still ran)"


def _engine_finding(rules: ActiveRules, path: str, span: Span | None, **args: str) -> list[Diagnostic]:
    return _located_engine_finding(rules, Location(path=path, span=span), **args)


def _node_fix(context: PythonContext, path: str, fix: NodeFix | None) -> Fix | None:
    if fix is None:
        return None
    edits = [TextEdit(path=path, span=context.span(node), content=text) for node, text in fix.replacements]
    for node, line in fix.lines_before:
        span = context.span(node)
        start = Span.point(span.start_line, span.start_col)
        edits.append(TextEdit(path=path, span=start, content=line + context.newline + context.indent_at(span)))
    return Fix(
        title=fix.title,
        edits=tuple(sorted(edits, key=lambda edit: edit.span)),
        applicability=fix.applicability,
        isolated=fix.isolated,
    )


def _run_python(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    text = file.text
    if text is None:
        problem = file.text_problem or "unreadable"
        result.diagnostics += _engine_finding(rules, file.path, None, reason=problem)
        return
    wanted = [(s, c) for s, c in rules.python_rules if c.wants(text, s.options)]
    if not wanted and EngineEvent.UNPARSABLE_FILE not in rules.engine_reporters:
        return  # nothing would look at the tree (e.g. `--select git-history`)
    syntax = repo.python_ast(file.path)  # C code, fast, and not interruptible cleanly: before the limit
    parse = (lambda: repo.python(file.path)) if wanted else (lambda: syntax)
    _parse_and_visit(repo, parse, wanted, rules, result, _Placement(file.path))


def _run_notebook(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    """The Python rules on a notebook's code cells, as one program (see `context/notebook_program.py`)."""
    program = repo.notebook_program(file.path)
    if program is None:
        return  # not a notebook that loads: MLJ003 reports it
    for piece in program.slices:
        if piece.broken is not None:
            span = Span.point(piece.broken.line, piece.broken.column)
            location = Location(path=file.path, span=span, cell=piece.cell.index)
            result.diagnostics += _located_engine_finding(rules, location, reason=piece.broken.message)
    wanted = [(s, c) for s, c in rules.python_rules if c.wants(program.text, s.options)]
    if not wanted and not isinstance(program.tree, ParseFailure):
        return
    parse = (lambda: repo.notebook_python(file.path)) if wanted else (lambda: program.tree)
    _parse_and_visit(repo, parse, wanted, rules, result, _NotebookPlacement(program))


def _parse_and_visit(
    repo: RepoContext,
    parse: Callable[[], object],
    wanted: list[tuple[RuleSettings, type[PythonRule]]],
    rules: ActiveRules,
    result: FileResult,
    placement: _Placement,
) -> None:
    """The libcst parse (`parse`) and the rules' traversal, under the file's time limit; a parse
    failure is reported where `placement` puts it (a line of the file, or a notebook cell)."""
    if wanted:
        lazy.preload()  # importing libcst is not the file's fault: before the limit starts
        PARSED["libcst"] += 1
    with time_limit(repo.config.analysis_timeout):
        parsed = parse()
        if isinstance(parsed, ParseFailure):
            location = placement.location(Span.point(parsed.line, parsed.column)) or Location(path=placement.path)
            result.diagnostics += _located_engine_finding(rules, location, reason=parsed.message)
        elif isinstance(parsed, PythonContext):
            _visit(parsed, wanted, rules, result, placement)


class _Placement:
    """Where a finding of a Python file is, and its fix as is."""

    def __init__(self, path: str) -> None:
        self.path = path

    def location(self, span: Span) -> Location | None:
        return Location(path=self.path, span=span)

    def fix(self, fix: Fix | None) -> Fix | None:
        return fix


class _NotebookPlacement(_Placement):
    """Program positions back to `cell N, line L`, program fixes to notebook JSON edits."""

    def __init__(self, program: NotebookProgram) -> None:
        super().__init__(program.path)
        self.program = program

    def location(self, span: Span) -> Location | None:
        mapped = self.program.to_cell(span)
        if mapped is None:
            return None
        piece, cell_span = mapped
        return Location(path=self.path, span=cell_span, cell=piece.cell.index)

    def fix(self, fix: Fix | None) -> Fix | None:
        return self.program.cell_fix(fix)


def _located_engine_finding(rules: ActiveRules, location: Location, **args: str) -> list[Diagnostic]:
    reporter = rules.engine_reporters.get(EngineEvent.UNPARSABLE_FILE)
    return [reporter.diagnostic(location, **args)] if reporter else []


def _reported_nodes(visitors: Sequence[PythonRule]) -> list[cst.CSTNode]:
    nodes = []
    for visitor in visitors:
        for node, node_fix, _args in visitor.reports:
            nodes.append(node)
            if node_fix is not None:
                nodes += [n for n, _text in (*node_fix.replacements, *node_fix.lines_before)]
    return nodes


def _visit(
    context: PythonContext,
    wanted: list[tuple[RuleSettings, type[PythonRule]]],
    rules: ActiveRules,
    result: FileResult,
    placement: _Placement,
) -> None:
    path = placement.path
    visitors = [cls(settings, context) for settings, cls in wanted]
    try:
        with deep_recursion():
            visit_batched(context.module, visitors, context.parents)
            # the positions of every reported and fixed node, in one pass, while the limit is raised
            context.want(_reported_nodes(visitors))
    except RecursionError:  # libcst's recursive traversal on very deep code: the file's problem, not a rule's
        result.diagnostics += _engine_finding(rules, path, None, reason=TOO_DEEP_TO_ANALYSE)
        return
    except Exception:  # one rule broke the shared traversal: rerun each alone to isolate it
        survivors = []
        for settings, cls in wanted:
            visitor = cls(settings, context)
            try:
                visit_batched(context.module, [visitor])
            except Exception as exc:
                result.errors.append(_error(settings.meta.code, path, exc))
            else:
                survivors.append(visitor)
        visitors = survivors
    for visitor in visitors:
        for node, node_fix, args in visitor.reports:
            try:
                location = placement.location(context.span(node))
                if location is None:
                    continue
                fix = placement.fix(_node_fix(context, path, node_fix))
                result.diagnostics.append(visitor.diagnostic(location, fix, **args))
            except Exception as exc:
                result.errors.append(_error(visitor.meta.code, path, exc))


def check_file(
    repo: RepoContext, path: str, rules: ActiveRules, precomputed: Mapping[str, tuple[list, list]] | None = None
) -> FileResult:
    """Every per-file rule on one file (`precomputed`: Python findings rows from the process pool)."""
    result = FileResult([], [])
    file = repo.file(path)
    for settings, cls in rules.path_rules:
        if cls.kinds is not None and file.kind not in cls.kinds:
            continue
        try:
            result.diagnostics.extend(cls(settings).check(file, repo))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, path, exc))
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


def check_repo(repo: RepoContext, rules: ActiveRules) -> FileResult:
    result = FileResult([], [])
    for settings, cls in rules.repo_rules:
        try:
            result.diagnostics.extend(cls(settings).check(repo))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, ".", exc))
    return result


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


def run(repo: RepoContext, targets: Sequence[str], rules: ActiveRules, jobs: int = 1) -> FileResult:
    """All rules over the targets and the repository; findings unsorted and unsuppressed.

    With `jobs > 1`, the Python files and notebooks the result cache cannot answer are analysed by a
    process pool first; the git history scan (when a history rule is on) runs in a thread while
    the files are checked."""
    total = FileResult([], [])
    precomputed = _in_parallel(repo, targets, rules, jobs) if jobs > 1 and rules.python_rules else None
    history = _history_in_background(repo, rules)
    keep_facts = any(cls.reads_module_facts for _settings, cls in rules.repo_rules)
    for path in targets:
        one = check_file(repo, path, rules, precomputed)
        total.diagnostics += one.diagnostics
        total.errors += one.errors
        total.transient = total.transient or one.transient
        repo.release(path, keep_facts)
    if history is not None:
        history.join()
    repo_result = check_repo(repo, rules)
    total.diagnostics += repo_result.diagnostics
    total.errors += repo_result.errors
    return total


def run_live(repo: RepoContext, targets: Sequence[str], live: ActiveRules) -> FileResult:
    """The rules of `ActiveRules.live()`: path rules on the targets of their kinds (no file is read
    for any other rule), then repository rules, the history scan among them."""
    total = FileResult([], [])
    for path in targets if live.path_rules else ():
        file = repo.file(path)
        for settings, cls in live.path_rules:
            if cls.kinds is not None and file.kind not in cls.kinds:
                continue
            try:
                total.diagnostics.extend(cls(settings).check(file, repo))
            except Exception as exc:
                total.errors.append(_error(settings.meta.code, path, exc))
    repo_result = check_repo(repo, live)
    total.diagnostics += repo_result.diagnostics
    total.errors += repo_result.errors
    return total
