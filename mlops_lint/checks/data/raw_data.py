"""DVC pipelines: code that writes into the raw data folders, which should only ever be read (MLD009)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.pyutil import keyword, positional, qualified_names, string_value
from mlops_lint.rule import PythonRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# --- MLD009 ------------------------------------------------------------------------------------

_ACQUISITION = re.compile(r"fetch|download|ingest|acquire", re.IGNORECASE)
_FRAME_WRITERS = frozenset({"to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "to_excel", "to_hdf"})
_FRAME_PATH_KEYWORDS = ("path_or_buf", "path", "excel_writer")
_FIRST_ARG_WRITERS = {
    "numpy.save": "file",
    "numpy.savez": "file",
    "numpy.savez_compressed": "file",
    "numpy.savetxt": "fname",
}
_SECOND_ARG_WRITERS = {
    "shutil.copy": "dst",
    "shutil.copy2": "dst",
    "shutil.copyfile": "dst",
    "shutil.copytree": "dst",
    "shutil.move": "dst",
    "joblib.dump": "filename",
}
_OPENERS = frozenset({"builtins.open", "io.open"})
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
_ROOT = "<root>"  # a project root computed from __file__
_UNKNOWN = "*"
MAX_CONSTANT_DEPTH = 32


def _argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    found = keyword(call, name)
    if found is not None:
        return found.value
    args = positional(call)
    return args[index].value if len(args) > index else None


def _spelled(index: AstIndex, folder: str) -> bool:
    """Each part of `folder` is a whole part of some string (`"data/raw"`, `"raw"` in
    `os.path.join("data", "raw")`): a path the rule evaluates is made of string constants
    joined by `/` (unknown pieces become `*`), so a folder whose names no string holds whole
    is never written to as far as the rule can tell."""
    for part in folder.split("/"):
        if part in ("", ".", ".."):
            continue
        whole = re.compile(rf"(?:^|/){re.escape(part)}(?:/|$)")
        if not any(part in value and whole.search(value) for value in index.strings):
            return False
    return True


def _writes_mode(call: cst.Call, index: int) -> bool:
    mode = _argument(call, index, "mode")
    value = string_value(mode) if mode is not None else "r"
    return value is not None and any(flag in value for flag in "wax+")


class RawDataMutated(PythonRule):
    code = "MLD009"

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A writing call, and a string holding a raw folder's name (paths are built from strings)."""
        folders = options.get("raw-folders", ["data/raw", "data/external"])
        writers = {*_FIRST_ARG_WRITERS, *_SECOND_ARG_WRITERS, "open", "write_text", "write_bytes", *_FRAME_WRITERS}
        if not index.call_tails & {name.rsplit(".", 1)[-1] for name in writers}:
            return False
        if _ACQUISITION.search(posixpath.splitext(posixpath.basename(index.path))[0]):
            return False  # a download script: exempt
        return any(_spelled(index, folder.strip("/")) for folder in folders)

    triggers = ("raw", "external")

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        folders = options.get("raw-folders", ["data/raw", "data/external"])
        return any(folder.strip("/").rsplit("/", 1)[-1] in text for folder in folders)

    def visit_Module(self, node: cst.Module) -> None:
        self.folders = tuple(f.strip("/") for f in self.options.get("raw-folders", ["data/raw", "data/external"]))
        stem = posixpath.splitext(posixpath.basename(self.context.path))[0]
        self.exempt = bool(_ACQUISITION.search(stem))
        self.constants: dict[str, cst.BaseExpression | None] = {}
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                if isinstance(target, cst.Name):  # assigned twice at module level: not a constant
                    self.constants[target.value] = None if target.value in self.constants else value

    def visit_Call(self, node: cst.Call) -> None:
        if self.exempt:
            return
        target = self._target(node)
        if target is None:
            return
        path = self._evaluate(target, 0)
        if path is None:
            return
        parts = [p for p in path.split("/") if p not in ("", ".", "..", _ROOT)]
        normal = "/".join(parts)
        for folder in self.folders:
            if normal == folder or normal.startswith(folder + "/"):
                self.report(node, folder=folder)
                return

    def _target(self, call: cst.Call) -> cst.BaseExpression | None:
        names = qualified_names(self, call.func)
        if names & _OPENERS:
            return _argument(call, 0, "file") if _writes_mode(call, 1) else None
        for name, keyword_name in _FIRST_ARG_WRITERS.items():
            if name in names:
                return _argument(call, 0, keyword_name)
        for name, keyword_name in _SECOND_ARG_WRITERS.items():
            if name in names:
                return _argument(call, 1, keyword_name)
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in _FRAME_WRITERS:
                for name in _FRAME_PATH_KEYWORDS:
                    found = keyword(call, name)
                    if found is not None:
                        return found.value
                args = positional(call)
                return args[0].value if args else None
            if method in ("write_text", "write_bytes") or (method == "open" and _writes_mode(call, 0)):
                receiver = call.func.value
                return receiver if self._evaluate(receiver, 0) is not None else None
        return None

    def _evaluate(self, node: cst.BaseExpression, depth: int) -> str | None:
        """The path an expression denotes, `*` for unknown parts; None if it is not a path at all."""
        if depth > MAX_CONSTANT_DEPTH:
            return None
        if isinstance(node, cst.SimpleString):
            value = string_value(node)
            return value if value is not None and "://" not in value else None
        if isinstance(node, cst.FormattedString):
            return "".join(part.value if isinstance(part, cst.FormattedStringText) else _UNKNOWN for part in node.parts)
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._evaluate(node.left, depth + 1), self._evaluate(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.Name):
            if node.value == "__file__":
                return _ROOT
            value = self.constants.get(node.value)
            return self._evaluate(value, depth + 1) if value is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._evaluate(node.left, depth + 1)
            if left is None:
                return None
            right = self._evaluate(node.right, depth + 1)
            return f"{left}/{right if right is not None else _UNKNOWN}"
        if isinstance(node, cst.Attribute) and node.attr.value in ("parent", "parents"):
            base = self._evaluate(node.value, depth + 1)
            return _ROOT if base == _ROOT else None
        if isinstance(node, cst.Subscript):
            base = self._evaluate(node.value, depth + 1)
            return _ROOT if base == _ROOT else None
        if isinstance(node, cst.Call):
            return self._evaluate_call(node, depth)
        return None

    def _evaluate_call(self, node: cst.Call, depth: int) -> str | None:
        names = qualified_names(self, node.func)
        if names & _PATH_TYPES or "os.path.join" in names:
            args = positional(node)
            if not args:
                return "."
            parts = [self._evaluate(arg.value, depth + 1) for arg in args]
            if parts[0] is None:
                return None
            return "/".join(part if part is not None else _UNKNOWN for part in parts)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("resolve", "absolute"):
            base = self._evaluate(node.func.value, depth + 1)
            return _ROOT if base == _ROOT else base
        return None


RULES = [RawDataMutated]
