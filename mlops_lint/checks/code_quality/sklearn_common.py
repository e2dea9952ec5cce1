"""Shared by the scikit-learn rules: class recognition by resolved name, and visible bindings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlops_lint.context import pyutil
from mlops_lint.context.pyutil import library_class
from mlops_lint.rule import PythonRule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# methods that keep the rows of a table (a frame derived by them is still the same data)
ROW_METHODS = frozenset({
    "drop", "dropna", "fillna", "astype", "to_numpy", "copy", "select_dtypes", "reset_index", "reshape", "sample",
    "head", "tail", "sort_index", "sort_values", "rename", "filter",
})  # fmt: skip


def sklearn_name(rule: PythonRule, node: cst.CSTNode) -> str | None:
    found = library_class(rule, node, ("sklearn", "imblearn"))
    return found[1] if found else None


def data_arg(call: cst.Call) -> cst.BaseExpression | None:
    """The data a `fit`/`transform`/`split` call works on: its first argument, or X=."""
    args = pyutil.positional(call)
    if args:
        return args[0].value
    arg = next((pyutil.keyword(call, k) for k in ("X", "x", "raw_documents") if pyutil.keyword(call, k)), None)
    return arg.value if arg is not None else None


def short_code(rule: PythonRule, node: cst.CSTNode) -> str:
    return " ".join(rule.context.code_for(node).split())


class BindingRule(PythonRule):
    """A rule that reads what names are bound to (`clf = SVC()`), collected during the traversal
    and read in `leave_Module`, when every assignment of the module has been seen."""

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.bound: dict[int, tuple[cst.BaseExpression, int | None]] = {}
        self.self_attributes: dict[str, list[tuple[cst.BaseExpression, int | None]]] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bound[id(target)] = (value, None)
        elif isinstance(target, cst.Attribute) and pyutil.dotted_name(target.value) == "self":
            self.self_attributes.setdefault(target.attr.value, []).append((value, None))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                if isinstance(element.value, cst.Name):
                    self.bound[id(element.value)] = (value, position)

    def values_of(self, name: cst.Name) -> list[tuple[cst.BaseExpression, int | None]] | None:
        """Every (value, tuple position) the name may hold, or None if one binding is not a plain assignment."""
        scope = self.context.kinds.scopes.get(name)
        if scope is None:
            return None
        found = []
        for assignment in scope[name.value]:
            if id(assignment.node) not in self.bound:
                return None
            found.append(self.bound[id(assignment.node)])
        return found or None

    def class_of(self, expr: cst.BaseExpression) -> str | None:
        """The scikit-learn class an expression was built from: `SVC()`, or a name (or `self.x`)
        bound only to `SVC(...)` or to its own `.fit(...)`, which returns the estimator itself."""
        return self._class_of(expr, set()) or None

    def _class_of(self, expr: cst.BaseExpression, active: set[str]) -> str | None:
        """As `class_of`; "" marks a binding that refers back to itself and carries no evidence."""
        if isinstance(expr, cst.Call):
            method = pyutil.method_call(expr)
            if method is not None and method[1] in ("fit", "set_params"):
                return self._class_of(method[0], active)
            return sklearn_name(self, expr.func)
        name = pyutil.dotted_name(expr)
        if name is None or name in active:
            return "" if name is not None else None
        if isinstance(expr, cst.Name):
            values = self.values_of(expr) or []
        elif isinstance(expr, cst.Attribute) and pyutil.dotted_name(expr.value) == "self":
            values = self.self_attributes.get(expr.attr.value, [])
        else:
            return None
        found = {self._class_of(v, active | {name}) if i is None else None for v, i in values}
        found.discard("")
        return found.pop() if len(found) == 1 else None if found else ""


def is_column_list(node: cst.BaseExpression) -> bool:
    """A column label or a list of them (`df["a"]`, `df[["a", "b"]]`): a selection of columns, all rows."""
    if pyutil.string_value(node) is not None:
        return True
    return isinstance(node, (cst.List, cst.Tuple)) and all(
        pyutil.string_value(e.value) is not None for e in node.elements
    )


def data_names(expr: cst.CSTNode) -> Iterator[str]:
    """Names read as data in `expr` (not called functions, attribute names or keywords)."""
    if isinstance(expr, (cst.Name, cst.Attribute)) and pyutil.dotted_name(expr) is not None:
        yield pyutil.dotted_name(expr)  # type: ignore[misc]
        if isinstance(expr, cst.Attribute):
            yield from data_names(expr.value)
        return
    if isinstance(expr, cst.Lambda):
        return
    if isinstance(expr, cst.Call):
        if isinstance(expr.func, cst.Attribute):
            yield from data_names(expr.func.value)
        for arg in expr.args:
            yield from data_names(arg.value)
        return
    for child in pyutil.children(expr):
        yield from data_names(child)
