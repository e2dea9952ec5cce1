"""Walking libcst trees without libcst's visitor machinery, for the passes that only read.

A libcst visit goes through `_visit_and_replace_children` on every node (built for transforms),
and `node.children` runs such a visit to collect a node's children. Reading the node's dataclass
fields directly gives the same children for a fraction of the cost; layout-only nodes
(whitespace, commas, brackets) are left out, since no rule looks at them.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

# Nodes that only carry layout: never what a rule looks for, so walks skip them.
_LAYOUT = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Dot,
    cst.Colon,
    cst.Semicolon,
    cst.AssignEqual,
)
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes of `node` in field (source) order, layout nodes left out.

    libcst's `node.children` runs a visitor over the node to collect them, about a hundred times
    slower than reading the node's fields; every walk in the rules goes through here instead."""
    names = _NODE_FIELDS.get(type(node))
    if names is None:
        names = tuple(field.name for field in dataclasses.fields(node))
        _NODE_FIELDS[type(node)] = names
    found: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if not isinstance(value, _LAYOUT):
                found.append(value)
        elif isinstance(value, (list, tuple)):
            found.extend(item for item in value if isinstance(item, cst.CSTNode) and not isinstance(item, _LAYOUT))
    return found
