"""Code quality: PyTorch call-site smells that need no loop analysis (log without a mask, forward()
called directly, unpickling loads). The training-loop rules are in `code_quality_torch`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks import pyutil
from mlops_lint.checks.torchutil import TorchRule, enclosing_scope, is_name, scope_nodes
from mlops_lint.context.kinds import Kind

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# -- MLS013 ------------------------------------------------------------------------------------------

_LOGS = {"torch.log", "torch.log2", "torch.log10", "tensorflow.math.log", "tensorflow.log"}
_NUMPY_LOGS = {"numpy.log", "numpy.log2", "numpy.log10"}
_CLAMPS = {"clamp", "clamp_min", "clip", "clip_by_value", "maximum", "fmax", "clamp_", "clamp_min_", "clip_"}
_CONSTANT_TENSORS = {
    "torch.ones", "torch.zeros", "torch.full", "torch.eye", "torch.tril", "torch.triu", "torch.ones_like",
    "torch.full_like",
}  # fmt: skip
# eps, EPS, self.eps, min_eps, eps1, epsilon, tiny, smoothing, torch.finfo(t).eps; not "steps"
_EPSILON = re.compile(r"(?:^|_)(?:eps|epsilon|tiny|smooth\w*)(?:$|_|\d)")
# `torch.log(`, `tf.math.log(`, `np.log10(` or a bare imported `log(`; not `self.log(` or `math.log(`
_LOG_CALL = re.compile(r"\b(?:torch|tf|tensorflow|np|numpy)\.(?:math\.)?log(?:2|10)?\s*\(|(?<![\w.])log(?:2|10)?\s*\(")


class LogWithoutMask(TorchRule):
    code = "MLS013"

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        """A call named log/log2/log10 in a file that uses a library the rule checks."""
        libraries = ("torch", "tensorflow", "numpy") if options.get("numpy") else ("torch", "tensorflow")
        return any(library in text for library in libraries) and _LOG_CALL.search(text) is not None

    def visit_Call(self, node: cst.Call) -> None:
        names = _LOGS | (_NUMPY_LOGS if self.options.get("numpy") else set())
        if not self.qualified(node.func) & names:
            return
        arguments = pyutil.positional(node)
        argument = arguments[0].value if arguments else None
        if argument is None or self._guarded(argument):
            return
        if isinstance(argument, cst.Name) and self._guarded_name(node, argument.value):
            return
        self.report(node, func=self.source(node.func))

    def _guarded(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, (cst.Integer, cst.Float)):
            return True
        if isinstance(node, cst.Call):
            func = node.func
            last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
            constant = bool(node.args) and all(isinstance(a.value, (cst.Integer, cst.Float)) for a in node.args)
            # clamped; a constant (torch.tensor(10000.0)); a constant mask whose -inf is the point
            return last in _CLAMPS or constant or bool(self.qualified(func) & _CONSTANT_TENSORS)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return _is_epsilon(node.left) or _is_epsilon(node.right)
        return False

    def _guarded_name(self, call: cst.Call, name: str) -> bool:
        """The name is clamped or offset where it is assigned in the same function."""
        for node in scope_nodes(enclosing_scope(self.context.kinds.parents, call)):
            if isinstance(node, cst.Assign) and any(is_name(t.target, name) for t in node.targets):
                if self._guarded(node.value):
                    return True
            elif isinstance(node, cst.AugAssign) and is_name(node.target, name):
                if isinstance(node.operator, cst.AddAssign) and _is_epsilon(node.value):
                    return True
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and is_name(node.func.value, name)
                and node.func.attr.value in _CLAMPS
            ):
                return True  # x.clamp_(min=eps)
        return False


def _is_epsilon(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    last = node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else ""
    return _EPSILON.search(last.lower()) is not None


# -- MLS015 ------------------------------------------------------------------------------------------


class ForwardCalledDirectly(TorchRule):
    code = "MLS015"
    triggers = (".forward(",)

    def visit_Call(self, node: cst.Call) -> None:
        target = pyutil.method_call(node)
        if target is None or target[1] != "forward":
            return
        receiver = target[0]
        if is_name(receiver, "self") or (isinstance(receiver, cst.Call) and is_name(receiver.func, "super")):
            return
        if self.context.kinds.of(receiver) not in (Kind.MODULE, Kind.LOSS_FUNCTION):
            return
        module = self.source(receiver)
        fix = self.node_fix([(node, self.source(node.with_changes(func=receiver)))], module=module)
        self.report(node, fix, module=module)


# -- MLS019 ------------------------------------------------------------------------------------------

_PICKLE_LOADS = {
    "pickle.load", "pickle.loads", "joblib.load", "pandas.read_pickle", "dill.load", "dill.loads",
    "cloudpickle.load", "cloudpickle.loads", "numpy.load", "torch.load",
}  # fmt: skip
# writer -> (position, keyword) of the path it writes
_WRITES = {
    "pickle.dump": (1, "file"), "joblib.dump": (1, "filename"), "torch.save": (1, "f"), "dill.dump": (1, "file"),
    "cloudpickle.dump": (1, "file"), "numpy.save": (0, "file"),
}  # fmt: skip
_OPENERS = {"open", "builtins.open", "io.open", "pathlib.Path"}
_DUMPS = {"pickle.dumps", "dill.dumps", "cloudpickle.dumps"}
_PATH_KEYWORDS = ("f", "file", "filename", "filepath_or_buffer", "path")


class UnsafeModelDeserialization(TorchRule):
    code = "MLS019"
    triggers = ("torch.load", "pickle", "joblib", "dill")  # pickle: also read_pickle, allow_pickle

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loads: list[tuple[cst.Call, str, str | None]] = []
        self.written: set[str] = set()

    def visit_Call(self, node: cst.Call) -> None:
        names = self.qualified(node.func)
        load = next(iter(names & _PICKLE_LOADS), None)
        if load is not None:
            self._load(node, load)
            return
        write = next(iter(names & set(_WRITES)), None)
        target = pyutil.method_call(node)
        if write is not None:
            position, word = _WRITES[write]
        elif target is not None and target[1] == "to_pickle":
            position, word = 0, "path"
        else:
            return
        path = self._path(_argument(node, position, (word,)))
        if path is not None:
            self.written.add(path)

    def _load(self, node: cst.Call, name: str) -> None:
        if name == "torch.load" and pyutil.passes(node, "weights_only"):
            return  # weights_only=False is a deliberate, visible choice
        if name == "numpy.load":
            allow = pyutil.keyword(node, "allow_pickle")
            if allow is None or not pyutil.is_true(allow.value):
                return
        argument = _argument(node, 0, _PATH_KEYWORDS)
        if name.endswith(".loads") and self._dumped(argument):
            return  # pickle.loads(pickle.dumps(x)): a deep copy, or a test that pickling works
        self.loads.append((node, name, self._path(argument)))

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, name, path in self.loads:
            if path is not None and path in self.written:
                continue
            func = self.source(node.func)
            fix = None
            if name == "torch.load":
                call = f"{func}() without weights_only=True"
                fix = self.node_fix([(node, self.source(pyutil.with_keyword(node, "weights_only", "True")))])
            elif name == "numpy.load":
                call = f"{func}(allow_pickle=True)"
            else:
                call = f"{func}()"
            self.report(node, fix, call=call)

    def _dumped(self, node: cst.BaseExpression | None) -> bool:
        """The bytes come from `pickle.dumps(...)` (or dill/cloudpickle), directly or through a name
        every binding of which is such a call."""
        if isinstance(node, cst.Call):
            return bool(self.qualified(node.func) & _DUMPS)
        if not isinstance(node, cst.Name):
            return False
        scope = self.context.kinds.scopes.get(node)
        values = [self._assigned(a) for a in (scope[node.value] if scope is not None else ())]
        return bool(values) and all(isinstance(v, cst.Call) and self._dumped(v) for v in values)

    def _path(self, node: cst.BaseExpression | None, depth: int = 0) -> str | None:
        """The string literal a path argument comes down to: a literal, `open(literal)`,
        `Path(literal)`, or a name bound once to one of those (`with open(...) as f`)."""
        if node is None or depth > 3:
            return None
        literal = pyutil.string_value(node)
        if literal is not None:
            return literal
        if isinstance(node, cst.Call) and self.qualified(node.func) & _OPENERS:
            return self._path(_argument(node, 0, ("file", "path")), depth + 1)
        if isinstance(node, cst.Name):
            return self._path(self._with_item(node) or self._bound_value(node), depth + 1)
        return None

    def _with_item(self, name: cst.Name) -> cst.BaseExpression | None:
        """The context expression of the innermost enclosing `with ... as name`."""
        current = self.parent(name)
        while current is not None:
            if isinstance(current, cst.With):
                for item in current.items:
                    if item.asname is not None and is_name(item.asname.name, name.value):
                        return item.item
            current = self.parent(current)
        return None

    def _bound_value(self, name: cst.Name) -> cst.BaseExpression | None:
        scope = self.context.kinds.scopes.get(name)
        assignments = list(scope[name.value]) if scope is not None else []
        return self._assigned(assignments[0]) if len(assignments) == 1 else None

    def _assigned(self, assignment: object) -> cst.BaseExpression | None:
        """The value an assignment (`x = value`, `with value as x`) binds, if it is one of those."""
        target = getattr(assignment, "node", None)
        holder = self.parent(target) if target is not None else None
        if isinstance(holder, cst.AssignTarget):
            statement = self.parent(holder)
            return statement.value if isinstance(statement, cst.Assign) else None
        if isinstance(holder, cst.AsName):
            item = self.parent(holder)
            return item.item if isinstance(item, cst.WithItem) else None
        return None


def _argument(call: cst.Call, position: int, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    for word in keywords:
        arg = pyutil.keyword(call, word)
        if arg is not None:
            return arg.value
    arguments = pyutil.positional(call)
    return arguments[position].value if len(arguments) > position else None
