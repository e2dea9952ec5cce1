"""MLS019 unsafe-model-deserialization: a file is unpickled, so loading it can run its code.

What is not a finding, and why (the catalogue entry's docs say the same to users):
- `torch.load` where the project requires torch >= 2.6, whose default is `weights_only=True`;
- a file the program itself wrote (`load_paths.PathKeys`), and bytes it pickled itself
  (`pickle.loads` in a function that also pickles: a deep copy, or an all-gather across ranks);
- test code, which loads its own fixtures and outputs, never a user's files.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.call_candidates import may_unpickle
from mlops_lint.checks.code_quality.load_paths import Key, PathKeys
from mlops_lint.checks.code_quality.torchutil import TorchRule, enclosing_scope, scope_nodes
from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.diagnostics import Severity
from mlops_lint.rule import Rule

if TYPE_CHECKING:
    from collections.abc import Mapping

    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

_PICKLE_LOADS = {
    "pickle.load", "pickle.loads", "joblib.load", "pandas.read_pickle", "dill.load", "dill.loads",
    "cloudpickle.load", "cloudpickle.loads", "numpy.load", "torch.load",
}  # fmt: skip
# writer -> (position, keyword) of the path it writes
_WRITES = {
    "pickle.dump": (1, "file"), "joblib.dump": (1, "filename"), "torch.save": (1, "f"), "dill.dump": (1, "file"),
    "cloudpickle.dump": (1, "file"), "numpy.save": (0, "file"),
}  # fmt: skip
_PICKLERS = {"pickle.dump", "pickle.dumps", "dill.dump", "dill.dumps", "cloudpickle.dump", "cloudpickle.dumps"}
_PATH_KEYWORDS = ("f", "file", "filename", "filepath_or_buffer", "path")
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.(py|ipynb)$|[^/]*[_-]tests?\.py$|conftest\.py$)")
WEIGHTS_ONLY_DEFAULT = "2.6"  # torch.load's weights_only defaults to True from this release on
# Keys of a training checkpoint that bundles more than weights (arguments, optimizer, counters):
# such a file often holds an argparse.Namespace or whole objects that weights_only=True refuses.
_BUNDLE_KEYS = frozenset({
    "args", "opt", "opts", "hparams", "hyper_parameters", "hyperparameters", "config", "cfg", "namespace",
    "optimizer", "optimizer_state_dict", "optim", "scheduler", "lr_scheduler", "scaler", "epoch", "ema",
    "training_args", "train_args",
})  # fmt: skip
_OBJECT_MAKERS = {"copy.deepcopy", "deepcopy"}
_REMEDY_TORCH = "pass weights_only=True, or load only files you trust"
_REMEDY_BUNDLE = (
    "pass weights_only=True after allowing the checkpoint's other types with "
    "torch.serialization.add_safe_globals, or load only files you trust"
)
_REMEDY_JOBLIB = "load only files you trust, or save scikit-learn models with skops.io"
_REMEDY_PICKLE = "load only files you trust, or store tensors with safetensors and scikit-learn models with skops"


class UnsafeModelDeserialization(TorchRule):
    code = "MLS019"
    triggers = ("torch.load", "pickle", "joblib", "dill")  # pickle: also read_pickle, allow_pickle

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A load the rule would judge (see `call_candidates.may_unpickle`), outside test code."""
        return not _TEST_FILE.search(index.path) and may_unpickle(index, _PICKLE_LOADS, WEIGHTS_ONLY_DEFAULT)

    reads_declared_requirements = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loads: list[tuple[cst.Call, str, cst.BaseExpression | None]] = []
        self.writes: list[tuple[cst.Call, cst.BaseExpression]] = []
        self.saved: list[cst.BaseExpression] = []  # what torch.save() stores, for the fix decision
        self.picklers: list[cst.Call] = []
        self.active = not _TEST_FILE.search(self.context.path)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        names = self.qualified(node.func)
        load = next(iter(sorted(names & _PICKLE_LOADS)), None)
        if load is not None:
            self._load(node, load)
            return
        if names & _PICKLERS:
            self.picklers.append(node)
        write = next(iter(sorted(names & set(_WRITES))), None)
        target = pyutil.method_call(node)
        if write is not None:
            position, word = _WRITES[write]
            if write == "torch.save" and pyutil.positional(node):
                self.saved.append(pyutil.positional(node)[0].value)
        elif target is not None and target[1] == "to_pickle":
            position, word = 0, "path"
        else:
            return
        path = _argument(node, position, (word,))
        if path is not None:
            self.writes.append((node, path))

    def _load(self, node: cst.Call, name: str) -> None:
        if name == "torch.load" and pyutil.passes(node, "weights_only"):
            return  # weights_only=False is a deliberate, visible choice
        if name == "numpy.load":
            allow = pyutil.keyword(node, "allow_pickle")
            if allow is None or not pyutil.is_true(allow.value):
                return
        self.loads.append((node, name, _argument(node, 0, _PATH_KEYWORDS)))

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.loads:
            return
        safe_torch = self.context.declared_requirements.guarantees_at_least("torch", WEIGHTS_ONLY_DEFAULT)
        keys = PathKeys(self)
        written: set[Key] = {key for call, path in self.writes if (key := keys.key(path, call)) is not None}
        bundles = None
        for node, name, path in self.loads:
            if name == "torch.load" and safe_torch:
                continue
            if name.endswith(".loads") and self._round_trip(node) and not self._read_from_outside(path, keys):
                continue
            key = keys.key(path, node) if path is not None else None
            if key is not None and key in written:
                continue
            if path is not None and (keys.in_temp_dir(path) or self._written_by_helper(path, node)):
                continue
            func = self.source(node.func)
            if name == "torch.load":
                if bundles is None:
                    bundles = self._saves_objects()
                bundle = bundles or self._indexed_as_bundle(node)
                fix = None
                if not bundle:
                    fix = self.node_fix([(node, self.source(pyutil.with_keyword(node, "weights_only", "True")))])
                remedy = _REMEDY_BUNDLE if bundle else _REMEDY_TORCH
                self.report(node, fix, call=f"{func}() without weights_only=True", remedy=remedy)
            elif name == "numpy.load":
                self.report(node, call=f"{func}(allow_pickle=True)", remedy=_REMEDY_PICKLE, severity=Severity.INFO)
            else:
                # info: in an ML repository a pickle load mostly reads the project's own artifact (a model
                # another stage wrote), and the remedy is a change of format, not a keyword
                remedy = _REMEDY_JOBLIB if name == "joblib.load" else _REMEDY_PICKLE
                self.report(node, call=f"{func}()", remedy=remedy, severity=Severity.INFO)

    def _written_by_helper(self, path: cst.BaseExpression, load: cst.Call) -> bool:
        """The load's path variable is also handed to a function of this file that writes the
        parameter it arrives in: `np.load(cache_path)` with `self.cache_labels(cache_path)` nearby,
        the load-the-cache-or-build-it pattern."""
        if not isinstance(path, cst.Name):
            return False
        written = {(id(function), name) for function, name in self._written_parameters()}
        functions: dict[str, list[cst.FunctionDef]] = {}
        for function, _name in self._written_parameters():
            functions.setdefault(function.name.value, []).append(function)
        for node in scope_nodes(enclosing_scope(self.context.kinds.parents, load)):
            if not isinstance(node, cst.Call):
                continue
            callee = node.func.attr.value if isinstance(node.func, cst.Attribute) else getattr(node.func, "value", None)
            for function in functions.get(callee, []) if isinstance(callee, str) else []:
                params = [p.name.value for p in function.params.params]
                offset = 1 if params[:1] in (["self"], ["cls"]) and isinstance(node.func, cst.Attribute) else 0
                for index, arg in enumerate(node.args):
                    if not (isinstance(arg.value, cst.Name) and arg.value.value == path.value) or arg.star:
                        continue
                    param = (
                        arg.keyword.value
                        if arg.keyword
                        else (params[index + offset] if index + offset < len(params) else None)
                    )
                    if (id(function), param) in written:
                        return True
        return False

    def _written_parameters(self) -> list[tuple[cst.FunctionDef, str]]:
        """(function, parameter) pairs where a write's path is the function's own parameter."""
        found = []
        for _call, path in self.writes:
            if isinstance(path, cst.Name):
                scope = self.context.kinds.scopes.get(path)
                bindings = list(scope[path.value]) if scope is not None else []
                if len(bindings) == 1 and isinstance(bindings[0].node, cst.Param):
                    function = enclosing_scope(self.context.kinds.parents, bindings[0].node)
                    if isinstance(function, cst.FunctionDef):
                        found.append((function, path.value))
        return found

    def _round_trip(self, node: cst.Call) -> bool:
        """`pickle.loads(...)` in a function (or module body) that pickles too: the bytes are the
        program's own, made here (a deep copy) or on another rank and gathered (distributed code)."""
        scope = enclosing_scope(self.context.kinds.parents, node)
        return any(enclosing_scope(self.context.kinds.parents, p) is scope for p in self.picklers)

    def _read_from_outside(self, data: cst.BaseExpression | None, keys: PathKeys) -> bool:
        """The bytes come from a file or a response (`f.read()`, `path.read_bytes()`, `r.content`),
        directly or through a name bound once: not a round trip, even where the function pickles."""
        if isinstance(data, cst.Name):
            data = keys.value_of(data)
        for node in scope_nodes(data) if data is not None else ():
            method = pyutil.method_call(node)
            if method is not None and method[1] in ("read", "read_bytes", "recv"):
                return True
            if isinstance(node, cst.Attribute) and node.attr.value == "content":
                return True
        return False

    def _saves_objects(self) -> bool:
        """A `torch.save` of this file stores more than tensors and plain containers: a whole module
        or optimizer, a deep copy of one, or an argparse.Namespace (`args`, `opt`), directly or in a dict."""
        for saved in self.saved:
            values = [e.value for e in saved.elements] if isinstance(saved, cst.Dict) else [saved]
            for value in values:
                if self.context.kinds.of(value) in (Kind.MODULE, Kind.OPTIMIZER):
                    return True
                if isinstance(value, cst.Name) and value.value in ("args", "opt", "hparams"):
                    return True
                if any(isinstance(n, cst.Call) and self.qualified(n.func) & _OBJECT_MAKERS for n in scope_nodes(value)):
                    return True
        return False

    def _indexed_as_bundle(self, load: cst.Call) -> bool:
        """The loaded object is read with a key that names more than weights: `ckpt["args"]`,
        `torch.load(p)["optimizer"]`, `ckpt.get("epoch")`."""
        holder = self.parent(load)
        if isinstance(holder, cst.Subscript):
            return _subscript_key(holder) in _BUNDLE_KEYS
        if not isinstance(holder, cst.Assign) or len(holder.targets) != 1:
            return False
        target = holder.targets[0].target
        if not isinstance(target, cst.Name):
            return False
        for node in scope_nodes(enclosing_scope(self.context.kinds.parents, load)):
            is_subscript = isinstance(node, cst.Subscript) and pyutil.dotted_name(node.value) == target.value
            if is_subscript and _subscript_key(node) in _BUNDLE_KEYS:  # type: ignore[arg-type]
                return True
            method = pyutil.method_call(node)
            if method is not None and method[1] == "get" and pyutil.dotted_name(method[0]) == target.value:
                args = pyutil.positional(node)  # type: ignore[arg-type]
                if args and pyutil.string_value(args[0].value) in _BUNDLE_KEYS:
                    return True
        return False


def _subscript_key(node: cst.Subscript) -> str | None:
    element = node.slice[0].slice if len(node.slice) == 1 else None
    return pyutil.string_value(element.value) if isinstance(element, cst.Index) else None


def _argument(call: cst.Call, position: int, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    for word in keywords:
        arg = pyutil.keyword(call, word)
        if arg is not None:
            return arg.value
    arguments = pyutil.positional(call)
    return arguments[position].value if len(arguments) > position else None


RULES: list[type[Rule]] = [UnsafeModelDeserialization]
