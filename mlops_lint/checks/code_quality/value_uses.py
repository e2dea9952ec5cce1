"""Where a value goes inside one function (for MLS012): only printed or logged, so a float would do,
or needed as a tensor, or unknown."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from mlops_lint.checks.code_quality.torchutil import scope_nodes
from mlops_lint.context.kinds import KindIndex

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


class Use(IntEnum):
    """How a value is used, ordered from harmless to unknown, so that the worst use wins with max()."""

    FLOAT = 0  # a Python float would do: printed, formatted, compared, logged, averaged by numpy
    TENSOR = 1  # needs a tensor: `.item()`, `.cpu()`, a torch.* function
    UNKNOWN = 2  # returned, passed to an unknown function, anything else


_FLOAT_BUILTINS = {"print", "float", "int", "str", "len", "format", "repr", "isinstance", "bool"}
_PASS_THROUGH = {"sum", "min", "max", "abs", "round"}
_LOGGING_METHODS = {
    "log", "log_metric", "log_metrics", "log_dict", "add_scalar", "add_scalars", "info", "debug", "warning",
    "write", "set_postfix", "set_description", "append", "extend", "format",
}  # fmt: skip
_LIST_METHODS = {"append", "extend", "clear", "insert"}


class UseAnalysis:
    """Classifies every use of a name inside one function, following one or two assignments."""

    def __init__(self, kinds: KindIndex, scope: cst.CSTNode) -> None:
        self.kinds = kinds
        self.parents = kinds.parents
        self.nodes = list(scope_nodes(scope))

    def of_name(self, name: str, depth: int = 0) -> Use:
        worst = Use.FLOAT
        for node in self.nodes:
            if isinstance(node, cst.Name) and node.value == name and not self._is_attribute_name(node):
                worst = max(worst, self._use(node, depth))
                if worst is Use.UNKNOWN:
                    break
        return worst

    def _is_attribute_name(self, node: cst.Name) -> bool:
        parent = self.parents.get(node)
        return isinstance(parent, cst.Attribute) and parent.attr is node

    def _use(self, node: cst.CSTNode, depth: int) -> Use:
        while True:
            parent = self.parents.get(node)
            if isinstance(parent, (cst.BinaryOperation, cst.UnaryOperation)) or (
                isinstance(parent, cst.Subscript) and parent.value is node
            ):
                node = parent
            elif isinstance(parent, (cst.Element, cst.DictElement)) and parent.value is node:
                node = self.parents[parent]
            elif isinstance(parent, cst.Arg):
                call = self.parents[parent]
                assert isinstance(call, cst.Call)
                if isinstance(call.func, cst.Name) and call.func.value in _PASS_THROUGH:
                    node = call
                    continue
                return self._argument_use(call)
            elif isinstance(parent, cst.Attribute) and parent.value is node:
                is_list_method = isinstance(node, cst.Name) and parent.attr.value in _LIST_METHODS
                return Use.FLOAT if is_list_method else Use.TENSOR
            elif isinstance(parent, (cst.FormattedStringExpression, cst.Comparison, cst.ComparisonTarget)):
                return Use.FLOAT
            elif isinstance(parent, (cst.AssignTarget, cst.Del)) or (
                isinstance(parent, (cst.AugAssign, cst.For)) and parent.target is node
            ):
                return Use.FLOAT  # a (re)binding of the name itself
            elif isinstance(parent, cst.Assign) and parent.value is node:
                targets = [t.target for t in parent.targets]
                if depth < 2 and len(targets) == 1 and isinstance(targets[0], cst.Name):
                    return self.of_name(targets[0].value, depth + 1)
                return Use.UNKNOWN
            else:
                return Use.UNKNOWN

    def _argument_use(self, call: cst.Call) -> Use:
        func = call.func
        if isinstance(func, cst.Name) and func.value in _FLOAT_BUILTINS:
            return Use.FLOAT
        names = self.kinds.qualified_names(func)
        if any(n.startswith("torch.") for n in names):
            return Use.TENSOR
        if any(n.split(".", 1)[0] in ("numpy", "math", "statistics") for n in names):
            return Use.FLOAT
        if isinstance(func, cst.Attribute) and func.attr.value in _LOGGING_METHODS:
            return Use.FLOAT
        return Use.UNKNOWN
