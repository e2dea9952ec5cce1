"""The Python rules on one file or notebook: the text triggers, the candidate checks on the `ast`
every file has (`context/ast_index.py`), the findings of rules decided on that `ast` alone
(`PythonRule.judged_on_ast`), then one guarded libcst parse and one batched traversal shared by the
other rules that may fire, under the file's time limit; findings are placed in the file or in a
notebook's cells, with their fixes turned into text edits."""

from __future__ import annotations

import ast
import atexit
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlops_lint import lazy
from mlops_lint.active_rules import ActiveRules, FileResult, _error
from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.ast_positions import AstPositions
from mlops_lint.context.cst_walk import visit_batched
from mlops_lint.context.files import FileContext
from mlops_lint.context.notebook_program import NotebookProgram
from mlops_lint.context.python import ParseFailure, PythonContext, deep_recursion
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.rule import EngineEvent, NodeFix, PythonRule, Rule, RuleSettings
from mlops_lint.time_limit import time_limit

if TYPE_CHECKING:
    import libcst as cst


# How many files libcst parsed in this process: a debug figure for the benchmarks, printed to stderr
# at exit when MLOPS_LINT_STATS is set (pool workers' parses are not counted: use `--jobs 1`).
PARSED = {"libcst": 0}
if os.environ.get("MLOPS_LINT_STATS"):
    atexit.register(lambda: sys.stderr.write(f"mlops-lint stats: libcst-parsed {PARSED['libcst']}\n"))


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


# MLOPS_LINT_STATS=1: one stderr line per file libcst parses, with the rules that asked for it
# (the benchmark counts them; one line per file also works from the pool's worker processes)
_STATS = os.environ.get("MLOPS_LINT_STATS", "") not in ("", "0")


def _wanted_by_text(rules: ActiveRules, text: str) -> list[tuple[RuleSettings, type[PythonRule]]]:
    return [(s, c) for s, c in rules.python_rules if c.wants(text, s.options)]


def _wanted_by_tree(
    wanted: list[tuple[RuleSettings, type[PythonRule]]],
    tree: object,
    repo: RepoContext,
    code: str,
    placement: _Placement,
    result: FileResult,
) -> list[tuple[RuleSettings, type[PythonRule]]]:
    """The rules (already wanted by the text) whose candidate check accepts the file's `ast`, less
    those judged on the `ast` alone, whose findings go to `result` here; a file `ast` cannot read
    (syntax newer than this Python) is left to the text test and libcst."""
    path = placement.path
    if wanted and isinstance(tree, ast.Module):
        notebook = isinstance(placement, _NotebookPlacement)
        index = AstIndex(tree, path, notebook, declared=lambda: repo.declared_requirements)
        wanted = [(s, c) for s, c in wanted if c.candidate(index, s.options)]
        judged = [(s, c) for s, c in wanted if c.judged_on_ast]
        if judged:
            wanted = [(s, c) for s, c in wanted if not c.judged_on_ast]
            _judge_on_ast(judged, index, AstPositions(code), placement, result)
    if wanted and _STATS:
        print(f"mlops-lint-stats\tlibcst\t{path}\t{','.join(s.meta.code for s, _c in wanted)}", file=sys.stderr)
    return wanted


def _judge_on_ast(
    judged: list[tuple[RuleSettings, type[PythonRule]]],
    index: AstIndex,
    positions: AstPositions,
    placement: _Placement,
    result: FileResult,
) -> None:
    """The findings of the rules decided on the `ast` (`PythonRule.judged_on_ast`); none has a fix."""
    for settings, cls in judged:
        try:
            for node, args in cls.ast_findings(index, settings.options):
                location = placement.location(positions.span(node))
                if location is not None:
                    result.diagnostics.append(Rule(settings).diagnostic(location, **args))
        except Exception as exc:
            result.errors.append(_error(settings.meta.code, placement.path, exc))


def _run_python(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    text = file.text
    if text is None:
        problem = file.text_problem or "unreadable"
        result.diagnostics += _engine_finding(rules, file.path, None, reason=problem)
        return
    wanted = _wanted_by_text(rules, text)
    if not wanted and EngineEvent.UNPARSABLE_FILE not in rules.engine_reporters:
        return  # nothing would look at the tree (e.g. `--select git-history`)
    syntax = repo.python_ast(file.path)  # C code, fast, and not interruptible cleanly: before the limit
    placement = _Placement(file.path)
    wanted = _wanted_by_tree(wanted, syntax, repo, text, placement, result)
    parse = (lambda: repo.python(file.path)) if wanted else (lambda: syntax)
    _parse_and_visit(repo, parse, wanted, rules, result, placement)


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
    placement = _NotebookPlacement(program)
    wanted = _wanted_by_tree(_wanted_by_text(rules, program.text), program.tree, repo, program.text, placement, result)
    if not wanted and not isinstance(program.tree, ParseFailure):
        return
    parse = (lambda: repo.notebook_python(file.path)) if wanted else (lambda: program.tree)
    _parse_and_visit(repo, parse, wanted, rules, result, placement)


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
