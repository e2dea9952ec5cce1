"""Facts about training loops for the PyTorch rules: what a loop body calls.

A "loop body" is the body of a `for`/`while` including nested blocks (`if`, `with`, `try`, inner
loops) but not nested function or class definitions, whose code does not run in the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind, KindIndex
from mlops_lint.rule import PythonRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


Loop = "cst.For | cst.While"  # an annotation only (libcst is imported lazily)


def body_nodes(loop: Loop) -> Iterator[cst.CSTNode]:
    """Every node of the loop body in source order, without entering nested definitions."""
    return block_nodes(loop.body)


def block_nodes(block: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of a block (a loop or function body) in source order, without nested definitions."""
    stack: list[cst.CSTNode] = [block]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(
            child
            for child in reversed(pyutil.children(current))
            if not isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
        )


# Every node of a function (or module), nested definitions included: the shared walker.
scope_nodes = pyutil.walk


def method_calls(nodes: list[cst.CSTNode], method: str) -> list[cst.Call]:
    return [
        node
        for node in nodes
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method
    ]


def enclosing_loops(parents: Mapping[cst.CSTNode, cst.CSTNode], node: cst.CSTNode) -> list[Loop]:
    """The loops whose body holds `node`, innermost first, up to the enclosing definition."""
    loops: list[Loop] = []
    child, current = node, parents.get(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(current, (cst.For, cst.While)) and child is current.body:
            loops.append(current)
        child, current = current, parents.get(current)
    return loops


def enclosing_scope(parents: Mapping[cst.CSTNode, cst.CSTNode], node: cst.CSTNode) -> cst.CSTNode:
    """The function definition holding `node`, or the module."""
    current = parents.get(node)
    while current is not None and not isinstance(current, (cst.FunctionDef, cst.Module)):
        current = parents.get(current)
    return current if current is not None else node


def body_statement(parents: Mapping[cst.CSTNode, cst.CSTNode], loop: Loop, node: cst.CSTNode) -> cst.CSTNode | None:
    """The statement directly in the loop's (indented) body that holds `node`."""
    if not isinstance(loop.body, cst.IndentedBlock):
        return None
    current: cst.CSTNode | None = node
    while current is not None and parents.get(current) is not loop.body:
        current = parents.get(current)
    return current


def first_statement(loop: Loop) -> cst.BaseStatement | None:
    body = loop.body
    return body.body[0] if isinstance(body, cst.IndentedBlock) and body.body else None


def is_simple_reference(node: cst.BaseExpression) -> bool:
    """`name` or `a.b.c`: an expression that can be repeated in a fix without side effects."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def optimizer_of_step(kinds: KindIndex, call: cst.Call) -> cst.BaseExpression | None:
    """The optimizer stepped by `optimizer.step()` or by a GradScaler's `scaler.step(optimizer)`."""
    if not (isinstance(call.func, cst.Attribute) and call.func.attr.value == "step"):
        return None
    if kinds.of(call.func.value) is Kind.OPTIMIZER:
        return call.func.value
    first = call.args[0].value if call.args and call.args[0].keyword is None and not call.args[0].star else None
    if first is not None and kinds.of(first) is Kind.OPTIMIZER:
        return first
    return None


# -- rule bases -----------------------------------------------------------------------------------


class TorchRule(PythonRule):
    """Shared lookups: parents from the traversal (or the KindIndex), names from the import table;
    the KindIndex, built once for all rules, only when a kind is asked for."""

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.context.parent(node)

    def qualified(self, node: cst.CSTNode) -> set[str]:
        return self.context.names.qualified(node)

    def source(self, node: cst.CSTNode) -> str:
        return self.context.code_for(node)


class TrainingLoopRule(TorchRule):
    """Finds the training loops of a module and judges them once the whole module is seen, since
    a helper such as `evaluate()` is often defined below the loop that calls it.

    During the traversal it records the module's functions and every `.backward()` / `.step()`
    call; a training loop is a loop around one of those (an optimizer's step only). Subclasses
    that visit calls too must call `super().visit_Call(node)`, and implement `judge()`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.functions: dict[tuple[cst.ClassDef | None, str], cst.FunctionDef] = {}
        self.backward_calls: list[cst.Call] = []
        self.step_calls: list[cst.Call] = []
        self._bodies: dict[int, list[cst.CSTNode]] = {}
        self._function_facts: dict[tuple[int, str], bool] = {}
        self._training: dict[Loop, tuple[list[cst.Call], list[cst.BaseExpression]]] | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        block = self.parent(node)
        owner = self.parent(block) if block is not None else None
        if isinstance(owner, cst.ClassDef):
            self.functions[(owner, node.name.value)] = node
        elif isinstance(block, cst.Module):
            self.functions[(None, node.name.value)] = node

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute):
            if node.func.attr.value == "backward":
                self.backward_calls.append(node)
            elif node.func.attr.value == "step":
                self.step_calls.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.backward_calls or self.step_calls:
            self.judge()

    def judge(self) -> None:
        raise NotImplementedError

    # -- facts, computed on demand and cached ---------------------------------------------------

    def training_loops(self) -> dict[Loop, tuple[list[cst.Call], list[cst.BaseExpression]]]:
        """Each loop around a training call -> (its backward calls, the optimizers it steps).

        (Not a cached_property: libcst's `get_visitors` inspects every attribute of a visitor.)
        """
        if self._training is None:
            parents = self.context.kinds.parents
            self._training = {}
            for call in self.backward_calls:
                for loop in enclosing_loops(parents, call):
                    self._training.setdefault(loop, ([], []))[0].append(call)
            for call in self.step_calls:
                optimizer = optimizer_of_step(self.context.kinds, call)
                if optimizer is not None:
                    for loop in enclosing_loops(parents, call):
                        optimizers = self._training.setdefault(loop, ([], []))[1]
                        if is_simple_reference(optimizer):
                            optimizers.append(optimizer)
        return self._training

    def body(self, loop: Loop) -> list[cst.CSTNode]:
        if id(loop) not in self._bodies:
            self._bodies[id(loop)] = list(body_nodes(loop))
        return self._bodies[id(loop)]

    def helper(self, call: cst.Call) -> cst.FunctionDef | None:
        """The same-module function called: `helper(...)`, or `self.method(...)` of the enclosing class."""
        func = call.func
        if isinstance(func, cst.Name):
            return self.functions.get((None, func.value))
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            owner = self.parent(call)
            while owner is not None and not isinstance(owner, cst.ClassDef):
                owner = self.parent(owner)
            return self.functions.get((owner, func.attr.value)) if owner is not None else None
        return None

    def does(self, nodes: Iterable[cst.CSTNode], test: Callable[[cst.CSTNode], bool], depth: int = 0) -> bool:
        """Some node satisfies `test`, directly or inside a same-module function called (depth <= 3)."""
        for node in nodes:
            if test(node):
                return True
            if depth < 3 and isinstance(node, cst.Call):
                function = self.helper(node)
                if function is not None and self.function_does(function, test, depth + 1):
                    return True
        return False

    def function_does(self, function: cst.FunctionDef, test: Callable[[cst.CSTNode], bool], depth: int = 1) -> bool:
        key = (id(function), test.__name__)
        if key not in self._function_facts:
            self._function_facts[key] = False  # recursion guard
            self._function_facts[key] = self.does(block_nodes(function.body), test, depth)
        return self._function_facts[key]


def is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name
