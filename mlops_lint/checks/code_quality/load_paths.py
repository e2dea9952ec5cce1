"""Where a serialized file comes from, for MLS019: the program's own artifact, or possibly someone else's.

A pickle the same program has just written is not an attack vector, whatever form its path takes.
`PathKeys` names a path expression by the file it points at, so that a write and a load of the
same file meet. A path that is one string literal is its own key, anywhere in the module
(`"models/a.pt"` and `"/home/x/a.pt"` are different files). A path built at run time is keyed by
its file name: `os.path.join(out, "model.pt")`, `out + "/model.pt"`, `tmp_path / "model.pt"` and
`f"{out}/model.pt"` all end in `model.pt`; such a key holds only within one function (or the
module body), since `os.path.join(d, "model.pt")` in `from_pretrained(d)` may
be a downloaded directory even when `save_pretrained` writes the same name. A path under a fresh
temporary directory (`tempfile`, pytest's `tmp_path`/`tmpdir`) is the program's own by construction.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from mlops_lint.checks.code_quality.torchutil import TorchRule, enclosing_scope, is_name
from mlops_lint.context import pyutil

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

Key = tuple[int, str]  # (id of the function or module the key is valid in, or 0 for anywhere; file name)

_OPENERS = {"open", "builtins.open", "io.open", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
            "builtins.str", "os.fspath", "gzip.open", "bz2.open", "lzma.open"}  # fmt: skip
_JOINS = {"os.path.join", "posixpath.join", "ntpath.join"}
_SAME_FILE_METHODS = {"resolve", "absolute", "expanduser", "as_posix", "open"}
_TEMP_FACTORIES = {
    "tempfile.TemporaryDirectory", "tempfile.mkdtemp", "tempfile.NamedTemporaryFile", "tempfile.mkstemp",
    "tempfile.TemporaryFile", "tempfile.SpooledTemporaryFile",
}  # fmt: skip
_PYTEST_TEMP = {"tmp_path", "tmpdir"}
_DEPTH = 6


class PathKeys:
    """Path-expression keys of one module, read through the rule's name resolution."""

    def __init__(self, rule: TorchRule) -> None:
        self.rule = rule

    def key(self, node: cst.BaseExpression, at: cst.CSTNode) -> Key | None:
        """The key of the file `node` (used at `at`) points at; None when it cannot be told."""
        found = self._file_name(node, 0)
        if found is None:
            return None
        name, literal = found
        return (0 if literal else id(enclosing_scope(self.rule.context.kinds.parents, at)), name)

    def _file_name(self, node: cst.BaseExpression | None, depth: int) -> tuple[str, bool] | None:
        """(the last path component, whether the path is made of literals only)."""
        if node is None or depth > _DEPTH:
            return None
        literal = _literal(node)
        if literal is not None:
            return posixpath.normpath(
                literal.replace("\\", "/")
            ), True  # the whole path: another folder is another file
        if isinstance(node, cst.FormattedString):
            return _last_component(_fstring_text(self.rule, node)), False
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Divide)):
            found = self._file_name(node.right, depth + 1)  # `tmpdir + "/x.bin"`, `tmp_path / "x.pt"`
            return (_last_component(found[0]), False) if found else None
        if isinstance(node, cst.Call):
            inner = self._call_path(node)
            found = self._file_name(inner, depth + 1) if inner is not None else None
            if found is not None and self._joins(node):
                return _last_component(found[0]), False
            return found
        if isinstance(node, cst.Name):
            value = self.value_of(node)
            found = self._file_name(value, depth + 1) if value is not None else None
            return found or (f"<{node.value}@{self._binding_scope(node)}>", False)
        if isinstance(node, cst.Attribute):
            dotted = pyutil.dotted_name(node)
            return (f"<{dotted}>", False) if dotted else None
        return None

    def _joins(self, call: cst.Call) -> bool:
        return bool(self.rule.qualified(call.func) & _JOINS) or (
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "joinpath"
        )

    def _call_path(self, call: cst.Call) -> cst.BaseExpression | None:
        """The argument (or receiver) of a call that names the same file as the call's result."""
        args = pyutil.positional(call)
        if self._joins(call):
            return args[-1].value if args else None
        if self.rule.qualified(call.func) & _OPENERS:
            return args[0].value if args else None
        method = pyutil.method_call(call)
        if method is not None and method[1] in _SAME_FILE_METHODS:
            return method[0]
        return None

    def in_temp_dir(self, node: cst.BaseExpression, depth: int = 0) -> bool:
        """The path starts at a directory or file the program created just now: a `tempfile`
        directory or file, or pytest's `tmp_path`/`tmpdir` fixtures (and `tmp_path_factory.mktemp()`)."""
        if depth > _DEPTH:
            return False
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Divide)):
            return self.in_temp_dir(node.left, depth + 1)
        if isinstance(node, cst.FormattedString):
            first = node.parts[0] if node.parts else None
            return isinstance(first, cst.FormattedStringExpression) and self.in_temp_dir(first.expression, depth + 1)
        if isinstance(node, cst.Call):
            if self.rule.qualified(node.func) & _TEMP_FACTORIES:
                return True
            method = pyutil.method_call(node)
            if method is not None and method[1] == "mktemp" and is_name(method[0], "tmp_path_factory"):
                return True
            if method is not None and (method[1] in _SAME_FILE_METHODS or method[1] in ("joinpath", "with_suffix")):
                return self.in_temp_dir(method[0], depth + 1)
            args = pyutil.positional(node)
            if args and self.rule.qualified(node.func) & (_JOINS | _OPENERS):
                return self.in_temp_dir(args[0].value, depth + 1)
            return False
        if isinstance(node, cst.Attribute) and node.attr.value == "name":  # NamedTemporaryFile().name
            return self.in_temp_dir(node.value, depth + 1)
        if isinstance(node, cst.Name):
            if node.value in _PYTEST_TEMP and self._is_parameter(node):
                return True
            value = self.value_of(node)
            return value is not None and self.in_temp_dir(value, depth + 1)
        return False

    # -- names ------------------------------------------------------------------------------------

    def value_of(self, name: cst.Name) -> cst.BaseExpression | None:
        """What the name holds: the context expression of an enclosing `with ... as name`, or the
        value of its one binding (`x = value`, `with value as x`, `for`-less)."""
        current = self.rule.parent(name)
        while current is not None:
            if isinstance(current, cst.With):
                for item in current.items:
                    if item.asname is not None and is_name(item.asname.name, name.value):
                        return item.item
            current = self.rule.parent(current)
        bindings = self._bindings(name)
        return self.assigned(bindings[0]) if len(bindings) == 1 else None

    def assigned(self, binding: object) -> cst.BaseExpression | None:
        """The value a binding (`x = value`, `with value as x`) gives its name, if it is one of those."""
        target = getattr(binding, "node", None)
        holder = self.rule.parent(target) if target is not None else None
        if isinstance(holder, cst.AssignTarget):
            statement = self.rule.parent(holder)
            return statement.value if isinstance(statement, cst.Assign) else None
        if isinstance(holder, cst.AsName):
            item = self.rule.parent(holder)
            return item.item if isinstance(item, cst.WithItem) else None
        return None

    def _bindings(self, name: cst.Name) -> list:
        scope = self.rule.context.kinds.scopes.get(name)
        return list(scope[name.value]) if scope is not None else []

    def _binding_scope(self, name: cst.Name) -> int:
        bindings = self._bindings(name)
        return id(bindings[0].scope) if bindings else 0

    def _is_parameter(self, name: cst.Name) -> bool:
        bindings = self._bindings(name)
        return bool(bindings) and all(isinstance(b.node, cst.Param) for b in bindings)


def _literal(node: cst.BaseExpression) -> str | None:
    value = pyutil.string_value(node)
    if value is None and isinstance(node, cst.ConcatenatedString):
        evaluated = node.evaluated_value
        value = evaluated if isinstance(evaluated, str) else None
    return value


def _fstring_text(rule: TorchRule, node: cst.FormattedString) -> str:
    parts = []
    for part in node.parts:
        if isinstance(part, cst.FormattedStringText):
            parts.append(part.value)
        else:
            parts.append("{" + rule.source(part.expression) + "}")  # type: ignore[attr-defined]
    return "".join(parts)


def _last_component(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
