"""Small helpers for Python rules: call arguments, literals, qualified names and imports.

Rules use these instead of re-deriving the same facts, so that "does this call pass
`random_state`?" means the same thing in every rule (a `**kwargs` splat counts as passing it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from mlops_lint.context.cst_walk import children
from mlops_lint.context.names import dotted_name as dotted_name
from mlops_lint.context.names import top_level_alias
from mlops_lint.rule import PythonRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


def qualified_names(rule: PythonRule, node: cst.CSTNode) -> set[str]:
    """Fully qualified names a node may refer to (`np.random.seed` -> {'numpy.random.seed'}),
    resolved through the module's imports (`mlops_lint.context.names`)."""
    return rule.context.names.qualified(node)


def call_name_in(rule: PythonRule, call: cst.Call, names: set[str] | frozenset[str]) -> str | None:
    """The qualified name of the called function if it is one of `names`."""
    return next(iter(qualified_names(rule, call.func) & names), None)


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    return next((arg for arg in call.args if arg.keyword is not None and arg.keyword.value == name), None)


def has_star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def passes(call: cst.Call, name: str) -> bool:
    """The call sets keyword `name` (or may, through `**kwargs`)."""
    return keyword(call, name) is not None or has_star_kwargs(call)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and arg.star == ""]


def is_true(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"


def is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (not an f-string or a concatenation), else None."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def method_call(node: cst.CSTNode) -> tuple[cst.BaseExpression, str] | None:
    """(receiver, method name) of a call like `receiver.method(...)`."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        return node.func.value, node.func.attr.value
    return None


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below `node` (depth first), without a visitor; for small subtrees like a loop body."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def calls_in(node: cst.CSTNode) -> Iterator[cst.Call]:
    return (child for child in walk(node) if isinstance(child, cst.Call))


def module_alias(module: cst.Module, target: str) -> str | None:
    """The name a top-level import binds to `target` (`import numpy as np` -> 'np'), if any."""
    return top_level_alias(module, target)


def with_keyword(call: cst.Call, name: str, value: str) -> cst.Call:
    """The call with `name=value` appended, following its layout (one line, or one argument a line)."""
    args = list(call.args)
    new_arg = cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    if not args:
        return call.with_changes(args=[new_arg])
    last = args[-1]
    comma = last.comma
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        # one argument per line with a trailing comma: the new argument gets a line of its own
        before = args[-2].comma if len(args) > 1 else None
        if isinstance(before, cst.Comma) and isinstance(before.whitespace_after, cst.ParenthesizedWhitespace):
            spacing: cst.BaseParenthesizableWhitespace = before.whitespace_after
        else:
            spacing = call.whitespace_before_args
        args[-1] = last.with_changes(comma=comma.with_changes(whitespace_after=spacing))
        args.append(new_arg.with_changes(comma=comma))
    elif isinstance(comma, cst.Comma):  # `f(a,)`: keep the trailing comma after the new argument
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new_arg.with_changes(comma=comma))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new_arg)
    return call.with_changes(args=args)


def import_anchor(module: cst.Module) -> cst.BaseStatement | None:
    """The statement a new top-level import goes above: the first one after the module docstring
    and `from __future__` imports (so the import lands where a person would put it)."""
    for index, statement in enumerate(module.body):
        only = (
            statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 else None
        )
        if index == 0 and isinstance(only, cst.Expr) and isinstance(only.value, cst.SimpleString):
            continue  # the module docstring
        if isinstance(only, cst.ImportFrom) and isinstance(only.module, cst.Name) and only.module.value == "__future__":
            continue
        return statement
    return None


def library_class(rule: PythonRule, node: cst.CSTNode, roots: Iterable[str]) -> tuple[str, str] | None:
    """(library, last name) when `node` resolves into one of the libraries `roots`
    (`sklearn.svm.SVC` and `sklearn.svm._classes.SVC` are both ('sklearn', 'SVC'))."""
    for name in sorted(qualified_names(rule, node)):  # sorted: a set's order follows the hash seed
        root, _, rest = name.partition(".")
        if root in roots and rest:
            return root, name.rsplit(".", 1)[-1]
    return None
