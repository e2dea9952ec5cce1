"""Code quality: PyTorch training-loop smells: a loss accumulated with its graph (MLS012), train/eval
mode not restored (MLS014).

Gradients not cleared (MLS016) is in `torch_grads`; the call-site rules of the same library (log
without a mask, forward() called directly) in `torch_calls`, unpickling loads in `unsafe_load`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.loop_candidates import may_accumulate_loss, may_stay_in_eval
from mlops_lint.checks.code_quality.torchutil import (
    Loop,
    TrainingLoopRule,
    block_nodes,
    enclosing_loops,
    enclosing_scope,
    first_statement,
    is_name,
    is_simple_reference,
    method_calls,
    scope_nodes,
)
from mlops_lint.checks.code_quality.value_uses import Use, UseAnalysis
from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# -- MLS012 ------------------------------------------------------------------------------------------

_NO_GRAD = {"torch.no_grad", "torch.inference_mode"}
_GRAPH_FREE = {"item", "detach", "tolist", "numpy", "cpu"}


class LossAccumulatedWithGraph(TrainingLoopRule):
    code = "MLS012"

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A loop whose body calls `.backward()` and adds or appends a name (`loop_candidates`)."""
        calls = index.called_attrs
        return "backward" in calls and (index.add_assign_name or "append" in calls) and may_accumulate_loss(index)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "backward" in text and ("+=" in text or ".append(" in text)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates: list[tuple[cst.CSTNode, cst.Name, cst.BaseExpression]] = []

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.operator, cst.AddAssign) and isinstance(node.value, cst.Name):
            self.candidates.append((node, node.value, node.target))

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        target = pyutil.method_call(node)
        if target is not None and target[1] == "append" and len(node.args) == 1:
            arg = node.args[0]
            if isinstance(arg.value, cst.Name) and arg.keyword is None and not arg.star:
                self.candidates.append((node, arg.value, target[0]))

    def judge(self) -> None:
        parents = self.context.kinds.parents
        for node, loss, accumulator in self.candidates:
            loops = enclosing_loops(parents, node)
            backwards = self.training_loops().get(loops[0], ([], []))[0] if loops else []
            if not backwards or self._without_grad(node, loops[0]):
                continue  # not in a loop that trains (a validation loop), or no graph is recorded
            backed = any(is_name(c.func.value, loss.value) for c in backwards)  # type: ignore[attr-defined]
            if not backed and self.context.kinds.of(loss) is not Kind.LOSS:
                continue
            scope = enclosing_scope(parents, node)
            if self._rebound_without_graph(scope, loss.value):
                continue  # `loss = loss.item()` somewhere: the name may hold a float here
            if self._backpropagated(scope, accumulator):
                continue  # a loss built up on purpose (several terms summed, then one backward())
            method = self._fix_method(scope, accumulator)
            fix = None
            if method is not None:
                fix = self.node_fix([(loss, f"{loss.value}.{method}()")], loss=loss.value, method=method)
            self.report(node, fix, loss=loss.value, accumulator=self.source(accumulator))

    def _without_grad(self, node: cst.CSTNode, loop: Loop) -> bool:
        current = self.parent(node)
        while current is not None and current is not loop:
            if isinstance(current, cst.With) and any(
                isinstance(item.item, cst.Call) and self.qualified(item.item.func) & _NO_GRAD for item in current.items
            ):
                return True
            current = self.parent(current)
        return False

    @staticmethod
    def _rebound_without_graph(scope: cst.CSTNode, name: str) -> bool:
        for node in scope_nodes(scope):
            if isinstance(node, cst.Assign) and any(is_name(t.target, name) for t in node.targets):
                value = node.value
                if isinstance(value, cst.Call) and (
                    (isinstance(value.func, cst.Name) and value.func.value in ("float", "int"))
                    or (isinstance(value.func, cst.Attribute) and value.func.attr.value in _GRAPH_FREE)
                ):
                    return True
        return False

    def _backpropagated(self, scope: cst.CSTNode, accumulator: cst.BaseExpression) -> bool:
        """The accumulator (or a name assigned from it) reaches a `.backward()` call."""
        text = self.source(accumulator)
        derived = {text}
        nodes = list(scope_nodes(scope))
        for node in nodes:
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and self._mentions(node.value, {text}):
                derived.add(self.source(node.targets[0].target))
        return any(self._mentions(call, derived) for call in method_calls(nodes, "backward"))

    def _mentions(self, node: cst.CSTNode, texts: set[str]) -> bool:
        return any(isinstance(n, (cst.Name, cst.Attribute)) and self.source(n) in texts for n in scope_nodes(node))

    def _fix_method(self, scope: cst.CSTNode, accumulator: cst.BaseExpression) -> str | None:
        """`item` when a float is all the accumulator's uses need, `detach` when they need a tensor."""
        if not isinstance(accumulator, cst.Name):
            return None
        use = UseAnalysis(self.context.kinds, scope).of_name(accumulator.value)
        return {Use.FLOAT: "item", Use.TENSOR: "detach"}.get(use)


# -- MLS014 ------------------------------------------------------------------------------------------


def _sets_eval(node: cst.CSTNode) -> bool:
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
        return False
    method = node.func.attr.value
    if method == "eval":
        return not node.args
    return method == "train" and len(node.args) == 1 and is_name(node.args[0].value, "False")


def _sets_train(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "train"
        and not _sets_eval(node)
    )


class TrainEvalModeNotRestored(TrainingLoopRule):
    code = "MLS014"

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        calls = index.called_attrs
        return bool(calls & {"backward", "step"}) and bool(calls & {"eval", "train"}) and may_stay_in_eval(index)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        """A mode switch (also the one inside a helper is in the file) and a training call."""
        return (".eval()" in text or "train(False)" in text) and ("backward" in text or ".step(" in text)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        func = node.func
        if (
            _sets_eval(node)
            or isinstance(func, cst.Name)
            or (isinstance(func, cst.Attribute) and is_name(func.value, "self"))
        ):
            self.calls.append(node)  # a mode switch, or a call of a helper that may switch

    def judge(self) -> None:
        training = self.training_loops()
        reported: set[tuple[int, str]] = set()
        for call in self.calls:
            loop = next((lp for lp in enclosing_loops(self.context.kinds.parents, call) if lp in training), None)
            if loop is None:
                continue
            model = self._switches_to_eval(call)
            if model is False or self._leaves_loop(call, loop):
                continue
            key = (id(loop), model if isinstance(model, str) else self.source(call.func))
            if key in reported or self._restores(loop, model if isinstance(model, str) else None):
                continue
            reported.add(key)
            statement = first_statement(loop)
            fix = None
            if isinstance(model, str) and statement is not None:
                fix = self.node_fix([], lines_before=[(statement, f"{model}.train()")], model=model)
            self.report(call, fix, call=f"{self.source(call.func)}()")

    def _restores(self, loop: Loop, model: str | None) -> bool:
        """The loop switches `model` back: `model.train()` (or `model.module.train()`), a helper that
        calls `train()`, or any `train()` when the model cannot be named or the receiver is complex."""
        for node in self.body(loop):
            if _sets_train(node):
                receiver = node.func.value  # type: ignore[attr-defined]
                text = self.source(receiver)
                if model is None or not is_simple_reference(receiver) or _same_object(text, model):
                    return True
            elif isinstance(node, cst.Call):
                function = self.helper(node)
                if function is not None and self.function_does(function, _sets_train):
                    return True
        return False

    def _leaves_loop(self, call: cst.Call, loop: Loop) -> bool:
        """The call is in a block that ends with break/return/raise: no training step follows it."""
        current = self.parent(call)
        while current is not None and current is not loop:
            if isinstance(current, cst.IndentedBlock) and current is not loop.body:
                last = current.body[-1] if current.body else None
                if isinstance(last, cst.SimpleStatementLine) and isinstance(
                    last.body[-1], (cst.Break, cst.Return, cst.Raise)
                ):
                    return True
            current = self.parent(current)
        return False

    def _switches_to_eval(self, call: cst.Call) -> str | bool | None:
        """False if the call does not leave a module in eval mode; else the module's text, or None."""
        if _sets_eval(call):
            receiver = call.func.value  # type: ignore[attr-defined]
            return self.source(receiver) if is_simple_reference(receiver) else None
        function = self.helper(call)
        if function is None or not self.function_does(function, _sets_eval):
            return False
        if self.function_does(function, _sets_train):
            return False  # the helper restores train mode itself
        receivers = {self.source(n.func.value) for n in block_nodes(function.body) if _sets_eval(n)}  # type: ignore[attr-defined]
        return self._in_caller(call, function, receivers.pop()) if len(receivers) == 1 else None

    def _in_caller(self, call: cst.Call, function: cst.FunctionDef, receiver: str) -> str | None:
        """What the helper's `receiver.eval()` is called on, spelled in the calling code."""
        params = [p.name.value for p in function.params.params]
        root, _, rest = receiver.partition(".")
        method_call = isinstance(call.func, cst.Attribute)
        if root == "self":
            return receiver if method_call else None
        if root not in params:
            return receiver  # a module-level model
        position = params.index(root) - (1 if method_call else 0)
        for index, arg in enumerate(call.args):
            if (arg.keyword.value == root) if arg.keyword else (index == position and not arg.star):
                return self.source(arg.value) + (f".{rest}" if rest else "") if is_simple_reference(arg.value) else None
        return None


def _same_object(a: str, b: str) -> bool:
    """`model` and `model.module` (a DDP wrapper and what it wraps) are one model for this purpose."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


RULES: list[type[Rule]] = [LossAccumulatedWithGraph, TrainEvalModeNotRestored]
