"""Which statements bind a name, scope by scope: the part of scope analysis the rules use.

libcst's ScopeProvider computes accesses, assignments and qualified names for every node in a
separate pass (about three parses' worth of time). The rules ask one question only: "what may
this name hold here?", answered from the bindings of the name in the scope where Python looks it
up. `ScopeBuilder` records those bindings during the traversal KindIndex already makes.

Python's lookup rules are followed: functions, lambdas, classes and comprehensions open scopes;
a name bound anywhere in a function is local to all of it; class scopes are not visible from the
functions inside them; `global` sends the lookup to the module, `nonlocal` makes the binding
unknown (no value is assumed). Binding sites: assignments (plain, annotated, augmented, unpacked,
walrus), `for` and comprehension targets, `with ... as`, `except ... as`, imports, `def`,
`class`, parameters and `match` captures. A `Binding.node` is what libcst would give: the bound
`Name`, or the `Param`, `ImportAlias`, `FunctionDef`, `ClassDef` node.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


@dataclass(eq=False)
class LocalScope:
    kind: str  # "module" | "function" | "class" | "comprehension"
    parent: LocalScope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)

    def module(self) -> LocalScope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def __getitem__(self, name: str) -> list[Binding]:
        """Every binding the name may refer to from this scope (empty: a builtin or undefined)."""
        if name in self.global_names:
            return self.module().bindings.get(name, [])
        scope: LocalScope | None = self
        while scope is not None:
            if name in scope.bindings and (scope is self or scope.kind != "class"):
                return scope.bindings[name]
            scope = scope.parent
        return []


@dataclass(frozen=True, eq=False)
class Binding:
    node: cst.CSTNode
    scope: LocalScope


_OPEN_NAMES = {
    "FunctionDef": "function",
    "Lambda": "function",
    "ClassDef": "class",
    "ListComp": "comprehension",
    "SetComp": "comprehension",
    "DictComp": "comprehension",
    "GeneratorExp": "comprehension",
}


@functools.cache
def _opens() -> dict[type, str]:
    """Node class -> the kind of scope it opens (looked up on first use: libcst is imported lazily)."""
    return {getattr(cst, name): kind for name, kind in _OPEN_NAMES.items()}


def _target_names(target: cst.BaseExpression) -> list[cst.Name]:
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


class ScopeBuilder:
    """Call `enter(node)` before visiting a node's children and `leave(node)` after; then
    `scope_of[name_node]` is the scope a `Name` is looked up in."""

    def __init__(self) -> None:
        self.current = LocalScope("module", None)
        self.scope_of: dict[cst.CSTNode, LocalScope] = {}

    def _bind(self, name: str, node: cst.CSTNode, scope: LocalScope | None = None) -> None:
        target = scope or self.current
        target.bindings.setdefault(name, []).append(Binding(node, target))

    def enter(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            self.scope_of[node] = self.current
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self._bind(node.name.value, node)
        elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                for name in _target_names(target):
                    self._bind(name.value, name)
        elif isinstance(node, (cst.For, cst.CompFor)):
            for name in _target_names(node.target):
                self._bind(name.value, name)
        elif isinstance(node, cst.AsName) and isinstance(node.name, (cst.Name, cst.Tuple, cst.List)):
            for name in _target_names(node.name):
                self._bind(name.value, name)
        elif isinstance(node, cst.NamedExpr):
            scope = self.current
            while scope.kind == "comprehension" and scope.parent is not None:
                scope = scope.parent
            for name in _target_names(node.target):
                self._bind(name.value, name, scope)
        elif isinstance(node, cst.ImportAlias):
            self._import(node)
        elif isinstance(node, cst.Param):
            self._bind(node.name.value, node)
        elif isinstance(node, cst.Global):
            self.current.global_names.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Nonlocal):
            for item in node.names:
                self._bind(item.name.value, node)  # no value can be assumed
        elif isinstance(node, cst.MatchAs) and node.name is not None:
            self._bind(node.name.value, node.name)
        kind = _opens().get(type(node))
        if kind is not None:
            self.current = LocalScope(kind, self.current)

    def _import(self, alias: cst.ImportAlias) -> None:
        if alias.asname is not None:
            return  # `import x as y`: the AsName binds `y`
        name = alias.name
        while isinstance(name, cst.Attribute):
            name = name.value
        if isinstance(name, cst.Name):
            self._bind(name.value, alias)

    def leave(self, node: cst.CSTNode) -> None:
        if type(node) in _opens() and self.current.parent is not None:
            self.current = self.current.parent
