"""Code quality: gradients not cleared in a PyTorch training loop (MLS016).

It shares the training-loop base (`torchutil.TrainingLoopRule`) with `training_loops`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.loop_candidates import may_leave_gradients
from mlops_lint.checks.code_quality.torchutil import Loop, TrainingLoopRule, body_statement, enclosing_loops, is_name
from mlops_lint.context import pyutil
from mlops_lint.rule import Rule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# -- MLS016 ------------------------------------------------------------------------------------------


def _clears_gradients(node: cst.CSTNode) -> bool:
    """`zero_grad()` on any receiver (or a function named like it), `p.grad.zero_()`, `p.grad = None`."""
    if isinstance(node, cst.Call):
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        receiver = (pyutil.dotted_name(func.value) or "") if isinstance(func, cst.Attribute) else ""
        return name.endswith("zero_grad") or (name in ("zero_", "detach_") and ".grad" in receiver)
    if isinstance(node, cst.Assign) and pyutil.is_none(node.value):
        return any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "grad" for t in node.targets)
    return False


class GradientsNotCleared(TrainingLoopRule):
    code = "MLS016"

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A loop whose body calls both `.backward()` and `.step()` (`loop_candidates`)."""
        return {"backward", "step"} <= index.called_attrs and may_leave_gradients(index)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "backward" in text and ".step(" in text

    def judge(self) -> None:
        parents = self.context.kinds.parents
        steps = {loop: facts for loop, facts in self.training_loops().items() if facts[0] and facts[1]}
        outer = {id(lp) for loop in steps for lp in enclosing_loops(parents, loop)}
        for loop, (backwards, optimizers) in steps.items():
            if id(loop) in outer:
                continue  # an inner loop steps too: that one is judged
            if any(self.does(self.body(lp), _clears_gradients) for lp in [loop, *enclosing_loops(parents, loop)]):
                continue
            if optimizers and all(self._fresh_each_iteration(loop, o) for o in optimizers):
                continue
            names = sorted({self.source(o) for o in optimizers})
            statement = body_statement(parents, loop, backwards[0])
            fix = None
            if len(names) == 1 and statement is not None:
                fix = self.node_fix(
                    [], lines_before=[(statement, f"{names[0]}.zero_grad()")], call=f"{names[0]}.zero_grad()"
                )
            self.report(backwards[0], fix, backward=_short(self.source(backwards[0])), step=f"{names[0]}.step()")

    def _fresh_each_iteration(self, loop: Loop, optimizer: cst.BaseExpression) -> bool:
        """The optimizer is built in the loop body over parameters also built there: `x = t.clone();
        x.requires_grad = True; opt = SGD([x])`, or `model = Net(); opt = Adam(model.parameters())`.
        Each iteration's parameters start without gradients, so nothing accumulates."""
        if not isinstance(optimizer, cst.Name):
            return False
        body = self.body(loop)
        bound = {
            t.target.value
            for node in body
            if isinstance(node, cst.Assign)
            for t in node.targets
            if isinstance(t.target, cst.Name)
        }
        makers = [
            node.value
            for node in body
            if isinstance(node, cst.Assign)
            and any(is_name(t.target, optimizer.value) for t in node.targets)
            and isinstance(node.value, cst.Call)
        ]
        return bool(makers) and all(_params_from(call, bound) for call in makers)


def _params_from(call: cst.Call, names: set[str]) -> bool:
    """The optimizer call's parameters are all names in `names`: `[x, y]`, `(x,)`, `m.parameters()`."""
    params = pyutil.keyword(call, "params") or next(iter(pyutil.positional(call)), None)
    if params is None:
        return False
    value = params.value
    if isinstance(value, (cst.List, cst.Tuple)):
        return bool(value.elements) and all(
            isinstance(e.value, cst.Name) and e.value.value in names for e in value.elements
        )
    method = pyutil.method_call(value)
    return (
        method is not None
        and method[1] == "parameters"
        and isinstance(method[0], cst.Name)
        and (method[0].value in names)
    )


def _short(code: str) -> str:
    return code if len(code) <= 40 and "\n" not in code else code.split("(", 1)[0] + "(...)"


RULES: list[type[Rule]] = [GradientsNotCleared]
