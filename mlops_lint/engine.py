"""The run: build each context once, run every enabled rule on it, suppress, and report.

For each target file: path rules; then, for Python, one guarded parse and one batched libcst
traversal shared by all Python rules whose trigger tokens occur in the text. Repository rules run
once at the end. A rule that raises becomes a `RuleError` and the others carry on.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mlops_lint.catalogue import RuleMeta
from mlops_lint.checks.internal import UnparsableFile
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.python import ParseFailure, PythonContext, deep_recursion
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, RuleError, Span
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.rule import NodeFix, PathRule, PythonRule, RepoRule, Rule, RuleSettings
from mlops_lint.selection import PerFileIgnores
from mlops_lint.suppression import FileSuppressions


@dataclass(frozen=True)
class ActiveRules:
    """The enabled rules, split by how they run, with their settings resolved once."""

    path_rules: tuple[tuple[RuleSettings, type[PathRule]], ...]
    python_rules: tuple[tuple[RuleSettings, type[PythonRule]], ...]
    repo_rules: tuple[tuple[RuleSettings, type[RepoRule]], ...]
    engine_rules: Mapping[str, RuleSettings]

    @classmethod
    def build(
        cls, registry: Mapping[str, tuple[RuleMeta, type[Rule]]], codes: Iterable[str], options: Mapping[str, Mapping]
    ) -> ActiveRules:
        path, python, repo, engine = [], [], [], {}
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
        return cls(tuple(path), tuple(python), tuple(repo), engine)


@dataclass
class FileResult:
    diagnostics: list[Diagnostic]
    errors: list[RuleError]


def _error(code: str, path: str, exc: BaseException) -> RuleError:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return RuleError(code=code, location=Location(path=path), error=f"{type(exc).__name__}: {exc}{where}")


TOO_DEEP_TO_ANALYSE = "code is nested too deeply for libcst to analyse (other checks still ran)"


def _engine_finding(rules: ActiveRules, path: str, span: Span | None, **args: str) -> list[Diagnostic]:
    settings = rules.engine_rules.get(UnparsableFile.code)
    if settings is None:
        return []
    rule = UnparsableFile(settings)
    return [rule.diagnostic(Location(path=path, span=span), **args)]


def _node_fix(context: PythonContext, path: str, fix: NodeFix | None) -> Fix | None:
    if fix is None:
        return None
    edits = [TextEdit(path=path, span=context.span(node), content=text) for node, text in fix.replacements]
    for node, line in fix.lines_before:
        span = context.span(node)
        start = Span.point(span.start_line, span.start_col)
        edits.append(TextEdit(path=path, span=start, content=line + context.newline + context.indent_at(span)))
    return Fix(title=fix.title, edits=tuple(sorted(edits, key=lambda edit: edit.span)), applicability=fix.applicability)


def _run_python(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    text = file.text
    if text is None:
        problem = file.text_problem or "unreadable"
        result.diagnostics += _engine_finding(rules, file.path, None, reason=problem)
        return
    wanted = [(s, c) for s, c in rules.python_rules if c.wants(text, s.options)]
    parsed = repo.python(file.path) if wanted else repo.python_ast(file.path)
    if isinstance(parsed, ParseFailure):
        span = Span.point(parsed.line, parsed.column)
        result.diagnostics += _engine_finding(rules, file.path, span, reason=parsed.message)
        return
    if not isinstance(parsed, PythonContext):
        return
    context = parsed
    visitors = [cls(settings, context) for settings, cls in wanted]
    try:
        with deep_recursion():
            context.wrapper.visit_batched(visitors)
            if any(visitor.reports for visitor in visitors):
                context.span(context.module)  # resolve positions while the limit is raised
    except RecursionError:  # libcst's recursive traversal on very deep code: the file's problem, not a rule's
        result.diagnostics += _engine_finding(rules, file.path, None, reason=TOO_DEEP_TO_ANALYSE)
        return
    except Exception:  # one rule broke the shared traversal: rerun each alone to isolate it
        survivors = []
        for settings, cls in wanted:
            visitor = cls(settings, context)
            try:
                context.wrapper.visit(visitor)
            except Exception as exc:
                result.errors.append(_error(settings.meta.code, file.path, exc))
            else:
                survivors.append(visitor)
        visitors = survivors
    for visitor in visitors:
        for node, node_fix, args in visitor.reports:
            try:
                location = Location(path=file.path, span=context.span(node))
                result.diagnostics.append(visitor.diagnostic(location, _node_fix(context, file.path, node_fix), **args))
            except Exception as exc:
                result.errors.append(_error(visitor.meta.code, file.path, exc))


def check_file(repo: RepoContext, path: str, rules: ActiveRules) -> FileResult:
    """Every per-file rule on one file."""
    result = FileResult([], [])
    file = repo.file(path)
    for settings, cls in rules.path_rules:
        if cls.kinds is not None and file.kind not in cls.kinds:
            continue
        try:
            result.diagnostics.extend(cls(settings).check(file, repo))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, path, exc))
    if file.kind is FileKind.PYTHON:
        _run_python(repo, file, rules, result)
    return result


def check_repo(repo: RepoContext, rules: ActiveRules) -> FileResult:
    result = FileResult([], [])
    for settings, cls in rules.repo_rules:
        try:
            result.diagnostics.extend(cls(settings).check(repo))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, ".", exc))
    return result


def suppress(
    repo: RepoContext,
    diagnostics: Sequence[Diagnostic],
    metas: Mapping[str, RuleMeta],
    per_file: PerFileIgnores,
) -> tuple[list[Diagnostic], int]:
    """Drop findings silenced by per-file-ignores or inline comments; returns (kept, dropped count)."""
    kept: list[Diagnostic] = []
    cache: dict[str, FileSuppressions | None] = {}
    for diagnostic in diagnostics:
        meta = metas.get(diagnostic.code)
        path = diagnostic.location.path
        if meta is not None and per_file.ignores(path, meta):
            continue
        if path not in cache:
            text = repo.file(path).text if repo.has(path) else None
            cache[path] = FileSuppressions(text) if text else None
        suppressions = cache[path]
        if suppressions is not None and suppressions.suppresses(diagnostic, meta):
            continue
        kept.append(diagnostic)
    return kept, len(diagnostics) - len(kept)


def run(repo: RepoContext, targets: Sequence[str], rules: ActiveRules) -> FileResult:
    """All rules over the targets and the repository; findings unsorted and unsuppressed."""
    total = FileResult([], [])
    for path in targets:
        one = check_file(repo, path, rules)
        total.diagnostics += one.diagnostics
        total.errors += one.errors
    repo_result = check_repo(repo, rules)
    total.diagnostics += repo_result.diagnostics
    total.errors += repo_result.errors
    return total
