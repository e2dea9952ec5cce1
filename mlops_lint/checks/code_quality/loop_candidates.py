"""Candidate checks of the training-loop rules (MLS012, MLS014, MLS016), from the loops of the `ast`.

These rules judge only a loop whose body calls `.backward()` or `.step()` (`TrainingLoopRule`),
and most files that call both do so elsewhere: diffusion pipelines step a scheduler in their
denoising loop, training scripts call `backward()` in a helper. What each loop body calls is
read here in one walk of the tree, only for files whose calls already passed the cheap test.

A loop body, as `torchutil.enclosing_loops` sees it: the statements of a `for` / `while` body
(not its `else`, its target or its iterator), nested blocks included, nested definitions
(`def`, `class`, `lambda`) not. Each test says "no finding" only where the rule could not find
one in any loop.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.ast_walk import child_nodes, statement_children

_LOOPS = (ast.For, ast.AsyncFor, ast.While)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
_WATCHED = frozenset({"backward", "step", "eval", "train", "append"})


@dataclass
class LoopBody:
    """What one loop body holds (calls on any receiver, by method name; accumulations)."""

    methods: set[str] = field(default_factory=set)  # of `_WATCHED`
    calls_helper: bool = False  # `f(...)` or `self.f(...)`: may switch modes in a helper
    adds_name: bool = False  # `total += loss`
    appends_name: bool = False  # `losses.append(loss)`
    clears: bool = False  # `opt.zero_grad()`, `p.grad.zero_()`, `p.grad = None` (`torch_grads._clears_gradients`)


def loop_bodies(index: AstIndex) -> list[LoopBody]:
    """One `LoopBody` per loop of the module, computed once per index."""
    return index.derived("loop_bodies", lambda: _collect(index.tree))


def _collect(tree: ast.AST) -> list[LoopBody]:
    """Outside every loop only statements are entered (a loop is a statement); inside one, all."""
    bodies: list[LoopBody] = []
    stack: list[tuple[ast.AST, tuple[LoopBody, ...]]] = [(tree, ())]
    while stack:
        node, active = stack.pop()
        if isinstance(node, _DEFINITIONS):
            active = ()  # a nested definition's code does not run in the loop
        elif active and isinstance(node, ast.Call):
            _record_call(node, active)
        elif active and isinstance(node, ast.AugAssign) and _adds_name(node):
            for body in active:
                body.adds_name = True
        elif active and isinstance(node, ast.Assign) and _drops_grad(node):
            for body in active:
                body.clears = True
        if isinstance(node, _LOOPS):
            body = LoopBody()
            bodies.append(body)
            inner = (*active, body)
            stack.extend((child, inner) for child in node.body)
            header = [node.test] if isinstance(node, ast.While) else [node.target, node.iter]
            stack.extend((child, active) for child in (*(header if active else ()), *node.orelse))
            continue
        children = child_nodes(node) if active else statement_children(node)
        stack.extend((child, active) for child in children)
    return bodies


def _adds_name(node: ast.AugAssign) -> bool:
    return isinstance(node.op, ast.Add) and isinstance(node.value, ast.Name)


def _drops_grad(node: ast.Assign) -> bool:
    """`p.grad = None`."""
    none = isinstance(node.value, ast.Constant) and node.value.value is None
    return none and any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in node.targets)


def _clears(func: ast.expr) -> bool:
    """A call of `*zero_grad` (any receiver, or a function), or `zero_()` / `detach_()` on a `.grad`."""
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name.endswith("zero_grad"):
        return True
    receiver = (_dotted(func.value) or "") if isinstance(func, ast.Attribute) else ""
    return name in ("zero_", "detach_") and ".grad" in receiver


def _dotted(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes (as `pyutil.dotted_name`), else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None


def _record_call(node: ast.Call, active: tuple[LoopBody, ...]) -> None:
    func = node.func
    method = func.attr if isinstance(func, ast.Attribute) else None
    clears = _clears(func)
    helper = isinstance(func, ast.Name) or (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "self"
    )
    appends = method == "append" and len(node.args) == 1 and not node.keywords and isinstance(node.args[0], ast.Name)
    for body in active:
        if method in _WATCHED:
            body.methods.add(method)
        body.calls_helper |= helper
        body.appends_name |= appends
        body.clears |= clears


def may_leave_gradients(index: AstIndex) -> bool:
    """MLS016: a loop whose body calls both `.backward()` and `.step()` and clears no gradients
    itself (the rule also looks in enclosing loops and helpers: it may find fewer, never more)."""
    return any({"backward", "step"} <= body.methods and not body.clears for body in loop_bodies(index))


def may_accumulate_loss(index: AstIndex) -> bool:
    """MLS012: a loop whose body calls `.backward()` and adds or appends a name."""
    return any("backward" in b.methods and (b.adds_name or b.appends_name) for b in loop_bodies(index))


def may_stay_in_eval(index: AstIndex) -> bool:
    """MLS014: a loop that may train (`.backward()` or `.step()` in its body) and may switch to
    eval mode there (`.eval()`, `.train(...)`, or a call of a helper that may)."""
    return any(
        body.methods & {"backward", "step"} and (body.calls_helper or body.methods & {"eval", "train"})
        for body in loop_bodies(index)
    )
