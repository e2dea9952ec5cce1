"""The child nodes of an `ast` node, faster than `ast.iter_child_nodes`, for the candidate checks
that walk a module's tree again (`checks/code_quality/*_candidates.py`).

`ast.iter_child_nodes` is a generator over a generator (`iter_fields`) with an `isinstance` per
value: two thirds of a walk's time. Here each node class's fields are listed once, and names,
constants, contexts and operators, which hold nothing a walk looks into, are left out by one set
lookup of their type.
"""

from __future__ import annotations

import ast

_OPERATORS = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
# the types of values that are not worth entering: leaves, names and numbers, a dict's `**` key
_LEAVES = frozenset(
    {ast.Name, ast.Constant, str, int, bool, float, complex, bytes, type(None), type(...)}
    | {c for b in _OPERATORS for c in b.__subclasses__()}
)
_FIELDS: dict[type, tuple[str, ...]] = {}
# the fields of a statement that hold statements (or handlers, cases, which hold statements)
STATEMENT_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The children of `node` in source order, names and constants left out."""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = kind._fields
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            found.extend(item for item in value if type(item) not in _LEAVES)
        elif type(value) not in _LEAVES:
            found.append(value)  # type: ignore[arg-type]
    return found


def statement_children(node: ast.AST) -> list[ast.AST]:
    """The statements (and handlers, cases) directly inside `node`: where a statement can be."""
    found: list[ast.AST] = []
    for name in STATEMENT_FIELDS:
        value = getattr(node, name, None)
        if type(value) is list:
            found.extend(value)
    return found
