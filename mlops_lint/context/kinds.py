"""What kind of object a Python expression is, as far as the source says, and nothing more.

ML smells are about DataFrames, tensors, optimizers and estimators; a linter that guesses flags
`values` on a dict and loses its users (dslinter's main false-positive source). So kinds come only
from evidence: constructors and factories resolved through imports and aliases
(`pd.read_csv`, `from torch import optim`), methods that keep a kind (`df.dropna()`), subscripts
(`df["a"]` is a Series), parameter annotations (`df: pd.DataFrame`), and `self.x = nn.Linear(...)`
in a class. A name bound several times keeps a kind only if every binding agrees. Anything else is
`None`, and rules stay silent on it.

The index is built once per module, lazily, by the first rule that asks, and shared by all. The
tables of evidence are `kind_tables`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_lint.context.kind_bindings import BindingCollector
from mlops_lint.context.kind_tables import (
    ANNOTATIONS,
    FRAME_METHODS,
    PARAMETER_NAMES,
    TENSOR_METHODS,
    call_kind,
)
from mlops_lint.context.kind_tables import FRAME_LIKE as FRAME_LIKE
from mlops_lint.context.kind_tables import Kind as Kind
from mlops_lint.context.names import ImportTable
from mlops_lint.context.scopes import Binding, LocalScope, ScopeBuilder

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


_ARITHMETIC_KINDS = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.NDARRAY, Kind.TENSOR})
_NUMBER = "number"  # a numeric literal operand (a marker, not a Kind)
# libcst's operator classes (and their augmented `...Assign` forms) that work elementwise
_ARITHMETIC_OPERATORS = frozenset({"Add", "Subtract", "Multiply", "Divide", "FloorDivide", "Modulo", "Power"})


def _is_number(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float))


class _Cycle:
    """Marker for a binding that refers back to itself (`df = df.dropna()`): carries no evidence."""


CYCLE = _Cycle()
_Result = Kind | None | _Cycle


class KindIndex:
    """Kinds of expressions of one module; see the module docstring for the evidence used."""

    def __init__(self, wrapper: cst.MetadataWrapper, names: ImportTable) -> None:
        self.wrapper = wrapper
        self.names = names
        self._builder = ScopeBuilder()
        self.scopes = self._builder.scope_of  # Name node -> the scope it is looked up in
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}  # filled by the collector's own traversal
        self._values: dict[cst.CSTNode, tuple[cst.BaseExpression, int | None]] = {}
        self._attributes: dict[tuple[cst.ClassDef, str], list[cst.BaseExpression]] = {}
        self._module_classes: dict[str, list[str]] = {}
        self._active: set[int] = set()
        self._memo: dict[int, _Result] = {}
        BindingCollector(self).collect(wrapper.module)

    # -- public -------------------------------------------------------------------------------

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        return self.names.qualified(node)

    def of(self, node: cst.BaseExpression) -> Kind | None:
        result = self._eval(node)
        return result if isinstance(result, Kind) else None

    def subclasses_module(self, class_name: str) -> bool:
        """A class of this module that derives from torch.nn.Module (directly or via another such class)."""
        seen: set[str] = set()
        todo = [class_name]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            for base in self._module_classes.get(name, []):
                if base in ("torch.nn.Module", "torch.nn.modules.module.Module", "lightning.LightningModule",
                            "pytorch_lightning.LightningModule", "lightning.pytorch.LightningModule"):  # fmt: skip
                    return True
                todo.append(base.rsplit(".", 1)[-1])
        return False

    # -- evaluation ---------------------------------------------------------------------------

    def _eval(self, node: cst.BaseExpression) -> _Result:
        key = id(node)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            return CYCLE
        self._active.add(key)
        try:
            result = self._compute(node)
        finally:
            self._active.discard(key)
        self._memo[key] = result
        return result

    def _compute(self, node: cst.BaseExpression) -> _Result:
        if isinstance(node, cst.Name):
            return self._name_kind(node)
        if isinstance(node, cst.Call):
            return self._call_kind(node)
        if isinstance(node, cst.Subscript):
            base = self._eval(node.value)
            if base is Kind.DATAFRAME and len(node.slice) == 1:
                index = node.slice[0].slice
                if isinstance(index, cst.Index):
                    if isinstance(index.value, cst.SimpleString):
                        return Kind.SERIES
                    if isinstance(index.value, cst.List):
                        return Kind.DATAFRAME
            return None
        if isinstance(node, cst.Attribute):
            return self._attribute_kind(node)
        if isinstance(node, cst.BinaryOperation):
            return self._arithmetic_kind(node.operator, self._eval(node.left), node.left, node.right)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
            inner = self._eval(node.expression)
            return inner if inner in _ARITHMETIC_KINDS or inner is CYCLE else None
        return None

    def _arithmetic_kind(
        self,
        operator: cst.BaseBinaryOp | cst.BaseAugOp,
        left: _Result,
        left_node: cst.CSTNode,
        right: cst.BaseExpression,
    ) -> _Result:
        """`df / 255.0`, `2 * s`, `a - b`: elementwise arithmetic keeps the kind. Only with a number
        literal or an operand of the same family (a DataFrame with a Series gives a DataFrame);
        an operand of unknown kind may broadcast into anything, so it gives no evidence."""
        if type(operator).__name__.removesuffix("Assign") not in _ARITHMETIC_OPERATORS:
            return None
        right_kind = self._eval(right)
        if _is_number(right):
            right_kind = _NUMBER
        if isinstance(left_node, cst.BaseExpression) and _is_number(left_node):
            left = _NUMBER
        kinds = {left, right_kind}
        if CYCLE in kinds:
            return CYCLE if kinds - {CYCLE} <= _ARITHMETIC_KINDS | {_NUMBER} else None  # `X = X / 255`
        kinds.discard(_NUMBER)
        if kinds == {Kind.DATAFRAME, Kind.SERIES}:
            return Kind.DATAFRAME
        return kinds.pop() if len(kinds) == 1 and kinds <= _ARITHMETIC_KINDS else None

    def _call_kind(self, node: cst.Call) -> _Result:
        for name in self.qualified_names(node.func):
            kind = call_kind(name)
            if kind is not None:
                return kind
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self._eval(func.value)
            method = func.attr.value
            if receiver in FRAME_LIKE and method in FRAME_METHODS and not _has_inplace(node):
                return receiver
            if receiver in FRAME_LIKE and _has_inplace(node):
                return CYCLE  # `df = df.dropna(inplace=True)` gives None: a bug (MLS008), no evidence about df
            if receiver is Kind.TENSOR and method in TENSOR_METHODS:
                return Kind.TENSOR
            if receiver is Kind.LOSS and method in ("mean", "sum"):
                return Kind.LOSS
            if receiver is Kind.MODULE and method in ("to", "cuda", "cpu", "float", "double", "half"):
                return Kind.MODULE
            if receiver is CYCLE:
                return CYCLE
            return None
        callee = self._eval(func)
        if callee is Kind.LOSS_FUNCTION:
            return Kind.LOSS
        if isinstance(func, cst.Name) and callee is None and self._is_local_module_class(func):
            return Kind.MODULE
        return callee if callee is CYCLE else None

    def _attribute_kind(self, node: cst.Attribute) -> _Result:
        receiver = node.value
        if isinstance(receiver, cst.Name) and receiver.value == "self":
            owner = self._enclosing_class(node)
            if owner is not None:
                values = self._attributes.get((owner, node.attr.value), [])
                return self._combine(self._eval(v) for v in values) if values else None
        if node.attr.value in ("values",) and self._eval(receiver) in FRAME_LIKE:
            return Kind.NDARRAY
        for name in self.qualified_names(node):
            if name.startswith("torch.nn.") and name.rsplit(".", 1)[-1][:1].isupper():
                return None  # a class object, not an instance
        return None

    def _name_kind(self, node: cst.Name) -> _Result:
        scope = self.scopes.get(node)
        if scope is None:
            return None
        assignments = scope[node.value]
        if not assignments:
            return None
        return self._combine(self._binding_kind(a) for a in assignments)

    def _binding_kind(self, assignment: Binding) -> _Result:
        target = assignment.node
        if isinstance(target, cst.Param):
            return self._param_kind(target)
        augmented = self.parents.get(target)
        if isinstance(augmented, cst.AugAssign) and augmented.target is target:  # `X /= 255.0`
            return self._arithmetic_kind(augmented.operator, self._eval(target), target, augmented.value)
        bound = self._values.get(target)
        if bound is None:
            return None
        value, index = bound
        if index is None:
            return self._eval(value)
        return self._unpacked_kind(value, index)

    def _unpacked_kind(self, value: cst.BaseExpression, index: int) -> _Result:
        if isinstance(value, cst.Call) and any(
            name.endswith("model_selection.train_test_split") for name in self.qualified_names(value.func)
        ):
            arrays = [a.value for a in value.args if a.keyword is None and a.star == ""]
            if arrays:
                return self._eval(arrays[index // 2]) if index // 2 < len(arrays) else None
        return None

    def _param_kind(self, param: cst.Param) -> _Result:
        if param.annotation is not None:
            for name in self.qualified_names(param.annotation.annotation):
                if name in ANNOTATIONS:
                    return ANNOTATIONS[name]
            return None
        return PARAMETER_NAMES.get(param.name.value)

    @staticmethod
    def _combine(results: Iterable[_Result]) -> _Result:
        kinds = set()
        for result in results:
            if result is None:
                return None
            if isinstance(result, Kind):
                kinds.add(result)
        if len(kinds) == 1:
            return kinds.pop()
        return None if kinds else CYCLE

    def _enclosing_class(self, node: cst.CSTNode) -> cst.ClassDef | None:
        current: cst.CSTNode | None = node
        while current is not None:
            current = self.parents.get(current)
            if isinstance(current, cst.ClassDef):
                return current
        return None

    def _is_local_module_class(self, name: cst.Name) -> bool:
        return name.value in self._module_classes and self.subclasses_module(name.value)


def _has_inplace(call: cst.Call) -> bool:
    return any(
        arg.keyword is not None and arg.keyword.value == "inplace" and not _is_false(arg.value) for arg in call.args
    )


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


__all__ = ["FRAME_LIKE", "Kind", "KindIndex", "LocalScope", "call_kind"]
