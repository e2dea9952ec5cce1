"""Rules about the code of a notebook as a whole: state hidden by out-of-order execution (MLJ004)
and models trained and saved from a notebook (MLJ005). Both read the notebook as one program
(`context/notebook_program.py`); the JSON-level notebook rules are in `checks/notebooks.py`."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from mlops_lint.context import pyutil
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.kinds import Kind
from mlops_lint.context.notebook_program import NotebookProgram
from mlops_lint.context.python import PythonContext
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import PathRule, PythonRule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# Names IPython defines in every kernel, on top of Python's builtins.
IPYTHON_NAMES = frozenset({"In", "Out", "_", "__", "___", "_i", "_ii", "_iii", "_oh", "_dh", "get_ipython", "display"})
KNOWN = frozenset(dir(builtins)) | IPYTHON_NAMES | {"__file__", "__name__", "__doc__"}
# Ways names enter a kernel that the cells' code does not show: give up on such notebooks.
INJECTORS = ("%run", "%store", "%load", "%%capture", "get_ipython", "globals()", "locals()", "exec(", "import *")


class _Scope(ast.NodeVisitor):
    """Loads that run when a top-level statement runs (not function or lambda bodies), and the
    module-level names the statement binds."""

    def __init__(self) -> None:
        self.loads: list[ast.Name] = []
        self.binds: set[str] = set()
        self.local: set[str] = set()  # comprehension variables

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id not in self.local:
                self.loads.append(node)
        else:
            self.binds.add(node.id)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.binds.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            self.binds.add(alias.asname or alias.name)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.binds.add(node.name)
        for expr in [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
            self.visit(expr)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.binds.add(node.name)
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        inner = _Scope()
        for statement in node.body:
            inner.visit(statement)
        self.loads += [name for name in inner.loads if name.id not in inner.binds]

    def visit_Lambda(self, node: ast.Lambda) -> None:
        for expr in [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]:
            self.visit(expr)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp) -> None:
        targets = {n.id for g in node.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
        self.visit(node.generators[0].iter)  # evaluated in the enclosing scope
        before = set(self.local)
        self.local |= targets
        for position, generator in enumerate(node.generators):
            later_iter = [generator.iter] if position else []  # the first is evaluated outside
            for expr in [generator.target, *generator.ifs, *later_iter]:
                self.visit(expr)
        for expr in [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]:
            self.visit(expr)
        self.local = before

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.binds.add(node.name)
        self.generic_visit(node)


def _column(program: NotebookProgram, line: int, byte_offset: int) -> int:
    """`ast` columns are UTF-8 byte offsets; positions are characters."""
    text_line = program.text.split("\n", line)[line - 1] if line >= 1 else ""
    return len(text_line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


class NotebookHiddenState(PathRule):
    code = "MLJ004"
    kinds = frozenset({FileKind.NOTEBOOK})
    replaces_ruff = frozenset({"F821"})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        program = repo.notebook_program(file.path)
        if program is None or not isinstance(program.tree, ast.Module):
            return
        if any(piece.broken for piece in program.slices) or any(token in _sources(program) for token in INJECTORS):
            return  # a cell we cannot read, or names injected behind the code's back: stay silent
        statements = []
        for statement in program.tree.body:
            piece = program.slice_at(statement.lineno)
            if piece is not None:
                scope = _Scope()
                scope.visit(statement)
                statements.append((piece.cell.index, scope))
        defined: set[str] = set(KNOWN)
        reported: set[str] = set()
        for position, (cell, scope) in enumerate(statements):
            for name in scope.loads:
                if name.id in defined or name.id in scope.binds or name.id in reported:
                    continue
                later = next((c for c, s in statements[position + 1 :] if c > cell and name.id in s.binds), None)
                if later is None:
                    continue  # never defined at all: a NameError for ruff's F821, not hidden state
                reported.add(name.id)
                column = _column(program, name.lineno, name.col_offset)
                span = Span(
                    start_line=name.lineno, start_col=column, end_line=name.lineno, end_col=column + len(name.id)
                )
                mapped = program.to_cell(span)
                if mapped is not None:
                    piece, cell_span = mapped
                    location = Location(path=file.path, span=cell_span, cell=piece.cell.index)
                    yield self.diagnostic(location, name=name.id, used=cell, defined=later)
            defined |= scope.binds


def _sources(program: NotebookProgram) -> str:
    return "\n".join(piece.cell.source for piece in program.slices)


SAVERS = frozenset(
    {
        "torch.save",
        "joblib.dump",
        "pickle.dump",
        "dill.dump",
        "cloudpickle.dump",
        "skops.io.dump",
    }
)
SAVE_METHODS = frozenset({"save_model", "save_pretrained", "save_weights"})
TRAINED_KINDS = frozenset({Kind.ESTIMATOR, Kind.TRANSFORMER, Kind.MODULE})


class NotebookTrainsAndSavesModel(PythonRule):
    code = "MLJ005"
    triggers: ClassVar[tuple[str, ...]] = ("save", "dump", "log_model")

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.trains = False
        self.saves: list[tuple[cst.Call, str]] = []

    def visit_Call(self, node: cst.Call) -> None:
        if self.context.program is None:
            return
        found = pyutil.method_call(node)
        if found is not None:
            receiver, method = found
            if self._trains(receiver, method):
                self.trains = True
            elif method in SAVE_METHODS:
                self.saves.append((node, f".{method}()"))
                return
        for name in pyutil.qualified_names(self, node.func):
            if name in SAVERS or (name.startswith("mlflow.") and name.endswith((".log_model", ".save_model"))):
                if not _temporary(node):
                    self.saves.append((node, f"{name}()"))
                return

    def _trains(self, receiver: cst.BaseExpression, method: str) -> bool:
        if method == "backward":
            return True
        if method == "fit" and _named(receiver, "trainer"):  # Lightning's Trainer
            return True
        return method in ("fit", "fit_transform", "partial_fit") and self.context.kinds.of(receiver) in TRAINED_KINDS

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.trains:
            for call, name in self.saves:
                self.report(call, call=name)


def _named(expr: cst.BaseExpression, word: str) -> bool:
    return isinstance(expr, cst.Name) and word in expr.value.lower()


def _temporary(call: cst.Call) -> bool:
    """A save into /tmp (or a temporary folder) is exploration, not an artifact."""
    for arg in call.args:
        value = pyutil.string_value(arg.value)
        if value is not None and (value.startswith(("/tmp", "tmp/")) or "tempfile" in value):
            return True
    return False


RULES = [NotebookHiddenState, NotebookTrainsAndSavesModel]
