"""The Python rules on one Python file or notebook: one guarded parse, one batched libcst
traversal shared by every Python rule whose trigger tokens occur in the text, and positions and
fixes computed only for the nodes a rule reported. Notebook cells run as one masked program and
their findings are placed back in their cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from mlops_lint import lazy
from mlops_lint.active_rules import (
    TOO_DEEP_TO_ANALYSE,
    ActiveRules,
    FileResult,
    engine_finding,
    located_engine_finding,
    rule_error,
)
from mlops_lint.checks.internal import UnparsableFile
from mlops_lint.context.cst_walk import visit_batched
from mlops_lint.context.files import FileContext
from mlops_lint.context.notebook_program import NotebookProgram
from mlops_lint.context.python import ParseFailure, PythonContext, deep_recursion
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Location, Span
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.rule import NodeFix, PythonRule, RuleSettings
from mlops_lint.time_limit import time_limit

if TYPE_CHECKING:
    import libcst as cst


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


def run_python(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    text = file.text
    if text is None:
        problem = file.text_problem or "unreadable"
        result.diagnostics += engine_finding(rules, file.path, None, reason=problem)
        return
    wanted = [(s, c) for s, c in rules.python_rules if c.wants(text, s.options)]
    if not wanted and UnparsableFile.code not in rules.engine_rules:
        return  # nothing would look at the tree (e.g. `--select git-history`)
    syntax = repo.python_ast(file.path)  # C code, fast, and not interruptible cleanly: before the limit
    parse = (lambda: repo.python(file.path)) if wanted else (lambda: syntax)
    _parse_and_visit(repo, parse, wanted, rules, result, _Placement(file.path))


def run_notebook(repo: RepoContext, file: FileContext, rules: ActiveRules, result: FileResult) -> None:
    """The Python rules on a notebook's code cells, as one program (see `context/notebook_program.py`)."""
    program = repo.notebook_program(file.path)
    if program is None:
        return  # not a notebook that loads: MLJ003 reports it
    for piece in program.slices:
        if piece.broken is not None:
            span = Span.point(piece.broken.line, piece.broken.column)
            location = Location(path=file.path, span=span, cell=piece.cell.index)
            result.diagnostics += located_engine_finding(rules, location, reason=piece.broken.message)
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
    with time_limit(repo.config.analysis_timeout):
        parsed = parse()
        if isinstance(parsed, ParseFailure):
            location = placement.location(Span.point(parsed.line, parsed.column)) or Location(path=placement.path)
            result.diagnostics += located_engine_finding(rules, location, reason=parsed.message)
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
        result.diagnostics += engine_finding(rules, path, None, reason=TOO_DEEP_TO_ANALYSE)
        return
    except Exception:  # one rule broke the shared traversal: rerun each alone to isolate it
        survivors = []
        for settings, cls in wanted:
            visitor = cls(settings, context)
            try:
                visit_batched(context.module, [visitor])
            except Exception as exc:
                result.errors.append(rule_error(settings.meta.code, path, exc))
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
                result.errors.append(rule_error(visitor.meta.code, path, exc))
