"""Walking libcst trees without libcst's visitor machinery, for the passes that only read.

A libcst visit goes through `_visit_and_replace_children` on every node (built for transforms),
and `node.children` runs such a visit to collect a node's children. Reading the node's dataclass
fields directly gives the same children for a fraction of the cost; layout-only nodes
(whitespace, commas, brackets) are left out, since no rule looks at them.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import types
import typing
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# Nodes that only carry layout: never what a rule looks for, so walks skip them.
_LAYOUT_NAMES = (
    "SimpleWhitespace",
    "ParenthesizedWhitespace",
    "TrailingWhitespace",
    "EmptyLine",
    "Newline",
    "Comment",
    "LeftParen",
    "RightParen",
    "LeftSquareBracket",
    "RightSquareBracket",
    "LeftCurlyBrace",
    "RightCurlyBrace",
    "Comma",
    "Dot",
    "Colon",
    "Semicolon",
    "AssignEqual",
)


@functools.cache
def _layout() -> tuple[type, ...]:
    """The layout node classes (looked up on first use: libcst is imported lazily)."""
    return tuple(getattr(cst, name) for name in _LAYOUT_NAMES)


_NODE_FIELDS: dict[type, tuple[str, ...]] = {}
_NOT_A_NODE, _NODE, _LAYOUT_NODE = 0, 1, 2
_KINDS: dict[type, int] = {}  # libcst's node classes are ABCs: isinstance on them is slow, a dict is not


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        kind = _LAYOUT_NODE if issubclass(cls, _layout()) else _NODE if issubclass(cls, cst.CSTNode) else _NOT_A_NODE
        _KINDS[cls] = kind
    return kind


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes of `node` in field (source) order, layout nodes left out.

    libcst's `node.children` runs a visitor over the node to collect them, about a hundred times
    slower than reading the node's fields; every walk in the rules goes through here instead."""
    names = _NODE_FIELDS.get(type(node))
    if names is None:
        names = _NODE_FIELDS[type(node)] = _content_fields(type(node))
    found: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        kind = _kind(type(value))
        if kind == _NODE:
            found.append(value)
        elif kind == _NOT_A_NODE and type(value) in (list, tuple):
            found.extend(item for item in value if _kind(type(item)) == _NODE)
    return found


def _content_fields(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold more than layout, from their declared types: a
    `Call` has six fields, of which `func` and `args` can; `lpar`, `rpar` and two whitespace
    fields cannot, and are then never read. A type we cannot judge (a forward reference) is kept."""
    return tuple(field.name for field in dataclasses.fields(cls) if not _layout_only(field.type))


def _layout_only(annotation: object) -> bool:
    if isinstance(annotation, type):  # plain values (`Name.value`, a str) hold no node either
        return issubclass(
            annotation, (*_layout(), cst.BaseParenthesizableWhitespace, cst.MaybeSentinel, str, bool, int)
        )
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is None or not arguments:
        return False  # a string or ForwardRef: not judged, so kept
    if origin is typing.Union or origin is types.UnionType:
        return all(argument is type(None) or _layout_only(argument) for argument in arguments)
    if origin in (collections.abc.Sequence, list, tuple):
        return all(argument is Ellipsis or _layout_only(argument) for argument in arguments)
    return False


_METHODS: dict[type, dict[str, tuple[str, ...]]] = {}


def _handlers(visitor: object, prefix: str) -> dict[str, str]:
    """Node class name -> method name, for the `visit_X` / `leave_X` methods a rule defines (libcst's
    visitor base classes define a no-op for every node type; those are left out)."""
    cls = type(visitor)
    table = _METHODS.setdefault(cls, {})
    if prefix not in table:
        table[prefix] = tuple(name for name in dir(cls) if _own_handler(cls, name, prefix))
    return {name[len(prefix) :]: name for name in table[prefix]}


def _own_handler(cls: type, name: str, prefix: str) -> bool:
    if not name.startswith(prefix) or name.count("_") != 1:
        return False
    method = getattr(cls, name)
    return callable(method) and not getattr(method, "__module__", "libcst").startswith("libcst")


def visit_batched(
    module: cst.Module,
    visitors: list[cst.CSTVisitor] | list,  # type: ignore[type-arg]
    parents: dict[cst.CSTNode, cst.CSTNode] | None = None,
) -> None:
    """Run the `visit_X(node)` and `leave_X(node)` methods of every visitor over one module, in a
    single depth-first walk in source order, as libcst's `visit_batched` does, but over the nodes'
    fields (see `children`). Layout nodes are not visited; no rule looks at them. With `parents`,
    each node's parent is recorded as the walk reaches it: when a node is visited, the parents of
    it and of all its ancestors are known."""
    visits: dict[str, list] = {}  # type: ignore[type-arg]
    leaves: dict[str, list] = {}  # type: ignore[type-arg]
    for visitor in visitors:
        for node_name, method in _handlers(visitor, "visit_").items():
            visits.setdefault(node_name, []).append(getattr(visitor, method))
        for node_name, method in _handlers(visitor, "leave_").items():
            leaves.setdefault(node_name, []).append(getattr(visitor, method))
    stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
    while stack:
        node, leaving = stack.pop()
        name = type(node).__name__
        if leaving:
            for leave in leaves.get(name, ()):
                leave(node)
            continue
        for visit in visits.get(name, ()):
            visit(node)
        stack.append((node, True))
        found = children(node)
        if parents is not None:
            for child in found:
                parents[child] = node
        stack.extend((child, False) for child in reversed(found))


_EXPRESSION_LIKE: dict[type, bool] = {}


def _expression_like(cls: type) -> bool:
    found = _EXPRESSION_LIKE.get(cls)
    if found is None:
        found = issubclass(cls, (cst.BaseExpression, cst.Parameters, cst.Decorator, cst.Arg, cst.Annotation))
        _EXPRESSION_LIKE[cls] = found
    return found


def imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    """Every import statement of a module, at any depth, found without entering expressions."""
    found: list[cst.Import | cst.ImportFrom] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            found.append(node)
            continue
        stack.extend(child for child in children(node) if not _expression_like(type(child)))
    return found
