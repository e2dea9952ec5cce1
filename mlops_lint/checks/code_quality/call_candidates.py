"""Candidate checks that read a call's arguments in the `ast` (MLS013, MLS019).

Most files that call `torch.log` or `torch.load` have no finding of these rules: the log's argument
is clamped or offset by an epsilon, the load passes `weights_only`, or the project requires a torch
whose `torch.load` is safe by default. Seeing that from the arguments in the `ast` spares the file
its libcst parse (on diffusers, 107 of the 336 files parsed were parsed for these two rules alone).

Each test here is the libcst rule's own test written for `ast` nodes, and says "no finding" only
where the rule's test would: a shape it does not recognise counts as a possible finding.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection

from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.ast_walk import child_nodes

# -- MLS013 log-without-mask ---------------------------------------------------------------------


def may_log_unguarded(index: AstIndex, logs: Collection[str], clamps: Collection[str], epsilon: re.Pattern) -> bool:
    """A call of one of `logs` whose first positional argument the rule would not find guarded
    (`LogWithoutMask._guarded`, `_guarded_name`)."""
    scopes: dict[int, ast.AST] | None = None
    for call, _names in index.calls_to(logs):
        arguments = [a for a in call.args if not isinstance(a, ast.Starred)]
        if not arguments or _guarded(arguments[0], clamps, epsilon):
            continue
        argument = arguments[0]
        if isinstance(argument, ast.Name):
            scopes = scopes if scopes is not None else _call_scopes(index.tree)
            scope = scopes.get(id(call))
            if scope is not None and _guarded_name(scope, argument.id, clamps, epsilon):
                continue
        return True
    return False


def _number(node: ast.AST) -> bool:
    """libcst's `Integer` or `Float` (a bool is a `Name` there, a complex an `Imaginary`)."""
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _constant(node: ast.AST) -> bool:
    if _number(node):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _constant(node.operand)
    if isinstance(node, (ast.List, ast.Tuple)):
        return bool(node.elts) and all(_constant(element) for element in node.elts)
    return False


def _last_name(node: ast.AST) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _is_epsilon(node: ast.AST, epsilon: re.Pattern) -> bool:
    if _number(node):
        return True
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        node = node.func  # `tf.keras.backend.epsilon()`
    return epsilon.search(_last_name(node).lower()) is not None


def _guarded(node: ast.AST, clamps: Collection[str], epsilon: re.Pattern) -> bool:
    """Surely guarded by the rule's measure; a call of a constant-tensor maker is left to libcst
    (it needs the imports resolved exactly)."""
    if _constant(node):
        return True
    if isinstance(node, ast.Call):
        values = [*node.args, *(k.value for k in node.keywords)]
        return _last_name(node.func) in clamps or (bool(values) and all(_number(v) for v in values))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_epsilon(node.left, epsilon) or _is_epsilon(node.right, epsilon)
    return False


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _guarded_name(scope: ast.AST, name: str, clamps: Collection[str], epsilon: re.Pattern) -> bool:
    """The name is clamped or offset where it is assigned in the scope (`_guarded_name` of the rule)."""
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign):
            if any(_is_name(t, name) for t in node.targets) and _guarded(node.value, clamps, epsilon):
                return True
        elif isinstance(node, ast.AugAssign):
            if _is_name(node.target, name) and isinstance(node.op, ast.Add) and _is_epsilon(node.value, epsilon):
                return True
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in clamps and _is_name(func.value, name):
                return True  # x.clamp_(min=eps)
    return False


def _call_scopes(tree: ast.AST) -> dict[int, ast.AST]:
    """id(call) -> the function definition holding it, or the module (`torchutil.enclosing_scope`:
    a lambda or a class is not a scope; a decorator or a default belongs to its function)."""
    found: dict[int, ast.AST] = {}
    stack: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, ast.Call):
            found[id(node)] = scope
        inner = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else scope
        stack.extend((child, inner) for child in child_nodes(node))
    return found


# -- MLS019 unsafe-model-deserialization ---------------------------------------------------------


def may_unpickle(index: AstIndex, loads: Collection[str], safe_torch: str) -> bool:
    """A call of one of `loads` the rule would go on to judge (`UnsafeModelDeserialization._load`):
    not a `torch.load` that passes `weights_only` or that the declared torch (>= `safe_torch`) makes
    safe, nor a `numpy.load` without `allow_pickle=True`."""
    torch_safe: bool | None = None
    for call, names in index.calls_to(loads):
        for name in names:
            if name == "torch.load":
                if any(k.arg in ("weights_only", None) for k in call.keywords):
                    continue
                if torch_safe is None:
                    declared = index.declared_requirements
                    torch_safe = declared is not None and declared.guarantees_at_least("torch", safe_torch)
                if torch_safe:
                    continue
            elif name == "numpy.load" and not _passes_true(call, "allow_pickle"):
                continue
            return True
    return False


def _passes_true(call: ast.Call, keyword: str) -> bool:
    return any(k.arg == keyword and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)
