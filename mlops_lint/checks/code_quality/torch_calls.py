"""Code quality: PyTorch call-site smells that need no loop analysis (log without a mask, forward()
called directly). The training-loop rules are in `training_loops`, unpickling loads in `unsafe_load`."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.call_candidates import may_log_unguarded
from mlops_lint.checks.code_quality.torchutil import TorchRule, enclosing_scope, is_name, scope_nodes
from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# -- MLS013 ------------------------------------------------------------------------------------------

_LOGS = {"torch.log", "torch.log2", "torch.log10", "tensorflow.math.log", "tensorflow.log"}
_NUMPY_LOGS = {"numpy.log", "numpy.log2", "numpy.log10"}
_CLAMPS = {"clamp", "clamp_min", "clip", "clip_by_value", "maximum", "fmax", "clamp_", "clamp_min_", "clip_"}
_CONSTANT_TENSORS = {
    "torch.ones", "torch.zeros", "torch.full", "torch.eye", "torch.tril", "torch.triu", "torch.ones_like",
    "torch.full_like",
}  # fmt: skip
# eps, EPS, self.eps, min_eps, eps1, epsilon, tiny, smoothing, torch.finfo(t).eps; not "steps"
_EPSILON = re.compile(r"(?:^|_)(?:eps|epsilon|tiny|smooth\w*)(?:$|_|\d)")
# `torch.log(`, `tf.math.log(`, `np.log10(` or a bare imported `log(`; not `self.log(` or `math.log(`
_LOG_CALL = re.compile(r"\b(?:torch|tf|tensorflow|np|numpy)\.(?:math\.)?log(?:2|10)?\s*\(|(?<![\w.])log(?:2|10)?\s*\(")
# Where `_LOG_CALL` can match: its `log(` part. A pattern that starts with a literal is searched
# for quickly, one that starts with an alternation is tried at every character (5 s on diffusers'
# texts): `_LOG_CALL` is only tried around each `log(`, from the longest prefix it allows
# (`tensorflow.math.`, 16 characters) before it. `\b` and the lookbehind see the text before.
_LOG_OPEN = re.compile(r"log(?:2|10)?\s*\(")
_LOG_PREFIX = len("tensorflow.math.")


class LogWithoutMask(TorchRule):
    code = "MLS013"

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A log call whose argument is not surely clamped or offset (its arguments read in the `ast`)."""
        return may_log_unguarded(index, _LOGS | (_NUMPY_LOGS if options.get("numpy") else set()), _CLAMPS, _EPSILON)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        """A call named log/log2/log10 in a file that uses a library the rule checks."""
        libraries = ("torch", "tensorflow", "numpy") if options.get("numpy") else ("torch", "tensorflow")
        if not any(library in text for library in libraries):
            return False
        windows = ((max(0, found.start() - _LOG_PREFIX), found.end()) for found in _LOG_OPEN.finditer(text))
        return any(_LOG_CALL.search(text, start, end) for start, end in windows)

    def visit_Call(self, node: cst.Call) -> None:
        names = _LOGS | (_NUMPY_LOGS if self.options.get("numpy") else set())
        if not self.qualified(node.func) & names:
            return
        arguments = pyutil.positional(node)
        argument = arguments[0].value if arguments else None
        if argument is None or self._guarded(argument):
            return
        if isinstance(argument, cst.Name) and self._guarded_name(node, argument.value):
            return
        self.report(node, func=self.source(node.func))

    def _guarded(self, node: cst.BaseExpression) -> bool:
        if _constant(node):
            return True
        if isinstance(node, cst.Call):
            func = node.func
            last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            constant = bool(node.args) and all(isinstance(a.value, (cst.Integer, cst.Float)) for a in node.args)
            # clamped; a constant (torch.tensor(10000.0)); a constant mask whose -inf is the point
            return last in _CLAMPS or constant or bool(self.qualified(func) & _CONSTANT_TENSORS)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return _is_epsilon(node.left) or _is_epsilon(node.right)
        return False

    def _guarded_name(self, call: cst.Call, name: str) -> bool:
        """The name is clamped or offset where it is assigned in the same function."""
        for node in scope_nodes(enclosing_scope(self.context.kinds.parents, call)):
            if isinstance(node, cst.Assign) and any(is_name(t.target, name) for t in node.targets):
                if self._guarded(node.value):
                    return True
            elif isinstance(node, cst.AugAssign) and is_name(node.target, name):
                if isinstance(node.operator, cst.AddAssign) and _is_epsilon(node.value):
                    return True
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and is_name(node.func.value, name)
                and node.func.attr.value in _CLAMPS
            ):
                return True  # x.clamp_(min=eps)
        return False


def _constant(node: cst.BaseExpression) -> bool:
    """A number, or a (nested) list or tuple of numbers: `tf.math.log([[0.5, 0.4, 0.1]])`."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return _constant(node.expression)
    if isinstance(node, (cst.List, cst.Tuple)):
        return bool(node.elements) and all(_constant(element.value) for element in node.elements)
    return False


def _is_epsilon(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Call) and not node.args:
        node = node.func  # `tf.keras.backend.epsilon()`
    last = node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else ""
    return _EPSILON.search(last.lower()) is not None


# -- MLS015 ------------------------------------------------------------------------------------------


class ForwardCalledDirectly(TorchRule):
    code = "MLS015"
    triggers = (".forward(",)

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """`.forward()` on a module other than `self` or `super()` (the rule's own exceptions): module
        kinds come from torch (or a Lightning base class)."""
        return any(not _own_forward(call.func.value) for call in index.method_calls.get("forward", ())) and index.uses(
            "torch", "lightning", "pytorch_lightning"
        )

    def visit_Call(self, node: cst.Call) -> None:
        target = pyutil.method_call(node)
        if target is None or target[1] != "forward":
            return
        receiver = target[0]
        if is_name(receiver, "self") or (isinstance(receiver, cst.Call) and is_name(receiver.func, "super")):
            return
        if self.context.kinds.of(receiver) not in (Kind.MODULE, Kind.LOSS_FUNCTION):
            return
        module = self.source(receiver)
        fix = self.node_fix([(node, self.source(node.with_changes(func=receiver)))], module=module)
        self.report(node, fix, module=module)


def _own_forward(receiver: ast.expr) -> bool:
    """`self.forward(...)` or `super().forward(...)`, in the `ast`: never a finding."""
    if isinstance(receiver, ast.Call):
        receiver = receiver.func
        return isinstance(receiver, ast.Name) and receiver.id == "super"
    return isinstance(receiver, ast.Name) and receiver.id == "self"


RULES: list[type[Rule]] = [LogWithoutMask, ForwardCalledDirectly]
