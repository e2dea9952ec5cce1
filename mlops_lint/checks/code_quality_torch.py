"""Code quality: PyTorch training-loop smells (gradients, train/eval mode, loss graphs, unsafe loads)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import libcst as cst

from mlops_lint.checks import pyutil
from mlops_lint.checks.torchutil import (
    Loop,
    Use,
    UseAnalysis,
    block_nodes,
    body_nodes,
    body_statement,
    enclosing_loops,
    enclosing_scope,
    first_statement,
    is_simple_reference,
    method_calls,
    optimizer_of_step,
    scope_nodes,
)
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import PythonRule, Rule


class _TorchRule(PythonRule):
    """Shared lookups: parents and kinds come from the module's KindIndex, built once for all rules."""

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        return self.context.kinds.parents.get(node)

    def qualified(self, node: cst.CSTNode) -> set[str]:
        return self.context.kinds.qualified_names(node)

    def source(self, node: cst.CSTNode) -> str:
        return self.context.code_for(node)


class _LoopRule(_TorchRule):
    """Collects loops and the module's functions, and judges loops once the whole module is seen
    (a helper such as `evaluate()` is often defined below the loop that calls it)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.loops: list[Loop] = []
        self.functions: dict[tuple[cst.ClassDef | None, str], cst.FunctionDef] = {}

    def visit_For(self, node: cst.For) -> None:
        self.loops.append(node)

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        block = self.parent(node)
        owner = self.parent(block) if block is not None else None
        if isinstance(owner, cst.ClassDef):
            self.functions[(owner, node.name.value)] = node
        elif isinstance(block, cst.Module):
            self.functions[(None, node.name.value)] = node

    def helper(self, call: cst.Call) -> cst.FunctionDef | None:
        """The same-module function called: `helper(...)`, or `self.method(...)` of the enclosing class."""
        func = call.func
        if isinstance(func, cst.Name):
            return self.functions.get((None, func.value))
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == "self":
            owner = self.parent(call)
            while owner is not None and not isinstance(owner, cst.ClassDef):
                owner = self.parent(owner)
            return self.functions.get((owner, func.attr.value)) if owner is not None else None
        return None

    def does(self, nodes: Iterable[cst.CSTNode], test: Callable[[cst.CSTNode], bool], depth: int = 0) -> bool:
        """Some node satisfies `test`, directly or inside a same-module function called (depth <= 3)."""
        for node in nodes:
            if test(node):
                return True
            if depth < 3 and isinstance(node, cst.Call):
                function = self.helper(node)
                if function is not None and self.does(block_nodes(function.body), test, depth + 1):
                    return True
        return False

    def trains(self, loop: Loop) -> bool:
        """The loop body runs a training step: `.backward()` or an optimizer's `.step()`."""
        nodes = list(body_nodes(loop))
        return bool(method_calls(nodes, "backward")) or any(
            isinstance(n, cst.Call) and optimizer_of_step(self.context.kinds, n) is not None for n in nodes
        )


# -- MLS012 ------------------------------------------------------------------------------------------


class LossAccumulatedWithGraph(_TorchRule):
    code = "MLS012"
    triggers = ("backward",)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.operator, cst.AddAssign) and isinstance(node.value, cst.Name):
            self._check(node, node.value, node.target)

    def visit_Call(self, node: cst.Call) -> None:
        target = pyutil.method_call(node)
        if target is not None and target[1] == "append" and len(node.args) == 1:
            value = node.args[0].value
            if isinstance(value, cst.Name) and node.args[0].keyword is None and not node.args[0].star:
                self._check(node, value, target[0])

    def _check(self, node: cst.CSTNode, loss: cst.Name, accumulator: cst.BaseExpression) -> None:
        parents = self.context.kinds.parents
        loops = enclosing_loops(parents, node)
        if not loops:
            return
        backwards = method_calls(list(body_nodes(loops[0])), "backward")
        if not backwards:
            return
        backed = any(isinstance(c.func, cst.Attribute) and _is_name(c.func.value, loss.value) for c in backwards)
        if not backed and self.context.kinds.of(loss) is not Kind.LOSS:
            return
        if self._without_grad(node, loops[0]):
            return
        scope = enclosing_scope(parents, node)
        if self._backpropagated(scope, accumulator):
            return  # a loss built up on purpose (several terms summed, then one backward())
        method = self._fix_method(scope, accumulator)
        fix = None
        if method is not None:
            fix = self.node_fix([(loss, f"{loss.value}.{method}()")], loss=loss.value, method=method)
        self.report(node, fix, loss=loss.value, accumulator=self.source(accumulator))

    def _without_grad(self, node: cst.CSTNode, loop: Loop) -> bool:
        current = self.parent(node)
        while current is not None and current is not loop:
            if isinstance(current, cst.With):
                for item in current.items:
                    if isinstance(item.item, cst.Call) and self.qualified(item.item.func) & {
                        "torch.no_grad",
                        "torch.inference_mode",
                    }:
                        return True
            current = self.parent(current)
        return False

    def _backpropagated(self, scope: cst.CSTNode, accumulator: cst.BaseExpression) -> bool:
        """The accumulator (or a name assigned from it) reaches a `.backward()` call."""
        text = self.source(accumulator)
        derived = {text}
        nodes = list(scope_nodes(scope))
        for node in nodes:
            if isinstance(node, cst.Assign) and len(node.targets) == 1 and _mentions(self, node.value, text):
                derived.add(self.source(node.targets[0].target))
        for call in method_calls(nodes, "backward"):
            receiver = call.func.value  # type: ignore[attr-defined]
            if any(_mentions(self, receiver, name) for name in derived) or any(
                _mentions(self, arg.value, name) for arg in call.args for name in derived
            ):
                return True
        return False

    def _fix_method(self, scope: cst.CSTNode, accumulator: cst.BaseExpression) -> str | None:
        """`item` when a float is all the accumulator's uses need, `detach` when they need a tensor."""
        if not isinstance(accumulator, cst.Name):
            return None
        use = UseAnalysis(self.context.kinds, scope).of_name(accumulator.value)
        return {Use.FLOAT: "item", Use.TENSOR: "detach"}.get(use)


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _mentions(rule: _TorchRule, node: cst.CSTNode, text: str) -> bool:
    return any(isinstance(n, (cst.Name, cst.Attribute)) and rule.source(n) == text for n in scope_nodes(node))


# -- MLS013 ------------------------------------------------------------------------------------------

_LOGS = {"torch.log", "torch.log2", "torch.log10", "tensorflow.math.log", "tensorflow.log"}
_NUMPY_LOGS = {"numpy.log", "numpy.log2", "numpy.log10"}
_CLAMPS = {"clamp", "clamp_min", "clip", "clip_by_value", "maximum", "fmax", "clamp_", "clamp_min_", "clip_"}
_EPSILON_WORDS = ("eps", "tiny", "smooth")


class LogWithoutMask(_TorchRule):
    code = "MLS013"
    triggers = ("log",)

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
            return last in _CLAMPS or constant  # clamped, or torch.tensor(10000.0)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return _is_epsilon(node.left) or _is_epsilon(node.right)
        return False

    def _guarded_name(self, call: cst.Call, name: str) -> bool:
        """The name is clamped or offset where it is assigned in the same function."""
        for node in scope_nodes(enclosing_scope(self.context.kinds.parents, call)):
            if isinstance(node, cst.Assign) and any(_is_name(t.target, name) for t in node.targets):
                if self._guarded(node.value):
                    return True
            elif isinstance(node, cst.AugAssign) and _is_name(node.target, name):
                if isinstance(node.operator, cst.AddAssign) and _is_epsilon(node.value):
                    return True
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and _is_name(node.func.value, name)
                and node.func.attr.value in _CLAMPS
            ):
                return True  # x.clamp_(min=eps)
        return False


def _is_epsilon(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    last = node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else ""
    return any(word in last.lower() for word in _EPSILON_WORDS)  # eps, self.eps, torch.finfo(t).eps


# -- MLS014 ------------------------------------------------------------------------------------------


def _sets_eval(node: cst.CSTNode) -> bool:
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
        return False
    method = node.func.attr.value
    if method == "eval":
        return not node.args
    return method == "train" and len(node.args) == 1 and _is_name(node.args[0].value, "False")


def _sets_train(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "train"
        and not _sets_eval(node)
    )


class TrainEvalModeNotRestored(_LoopRule):
    code = "MLS014"
    triggers = ("eval",)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if (
            _sets_eval(node)
            or isinstance(func, cst.Name)
            or (isinstance(func, cst.Attribute) and _is_name(func.value, "self"))
        ):
            self.calls.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        reported: set[tuple[int, str]] = set()
        trains: dict[int, bool] = {}
        for call in self.calls:
            model = self._switches_to_eval(call)
            if model is False:
                continue
            loop = next(
                (lp for lp in enclosing_loops(self.context.kinds.parents, call) if self._trains(lp, trains)), None
            )
            key = (id(loop), model if isinstance(model, str) else self.source(call.func))
            if loop is None or key in reported or self.does(body_nodes(loop), _sets_train):
                continue
            reported.add(key)
            statement = first_statement(loop)
            fix = None
            if isinstance(model, str) and statement is not None:
                fix = self.node_fix([], lines_before=[(statement, f"{model}.train()")], model=model)
            self.report(call, fix, call=f"{self.source(call.func)}()")

    def _trains(self, loop: Loop, cache: dict[int, bool]) -> bool:
        if id(loop) not in cache:
            cache[id(loop)] = self.trains(loop)
        return cache[id(loop)]

    def _switches_to_eval(self, call: cst.Call) -> str | bool | None:
        """False if the call does not leave a module in eval mode; else the module's text, or None."""
        if _sets_eval(call):
            receiver = call.func.value  # type: ignore[attr-defined]
            return self.source(receiver) if is_simple_reference(receiver) else None
        function = self.helper(call)
        if function is None:
            return False
        nodes = list(block_nodes(function.body))
        if not self.does(nodes, _sets_eval, 1) or self.does(nodes, _sets_train, 1):
            return False
        receivers = {self.source(n.func.value) for n in nodes if _sets_eval(n)}  # type: ignore[attr-defined]
        if len(receivers) != 1:
            return None
        return self._in_caller(call, function, receivers.pop())

    def _in_caller(self, call: cst.Call, function: cst.FunctionDef, receiver: str) -> str | None:
        """What the helper's `receiver.eval()` is called on, spelled in the calling code."""
        params = [p.name.value for p in function.params.params]
        root, _, rest = receiver.partition(".")
        method_call = isinstance(call.func, cst.Attribute)
        if root == "self":
            return receiver if method_call else None
        if root not in params:
            return receiver  # a module-level model
        position = params.index(root) - (1 if method_call else 0)
        for index, arg in enumerate(call.args):
            if (arg.keyword.value == root) if arg.keyword else (index == position and not arg.star):
                return self.source(arg.value) + (f".{rest}" if rest else "") if is_simple_reference(arg.value) else None
        return None


# -- MLS015 ------------------------------------------------------------------------------------------


class ForwardCalledDirectly(_TorchRule):
    code = "MLS015"
    triggers = ("forward",)

    def visit_Call(self, node: cst.Call) -> None:
        target = pyutil.method_call(node)
        if target is None or target[1] != "forward":
            return
        receiver = target[0]
        if _is_name(receiver, "self") or (isinstance(receiver, cst.Call) and _is_name(receiver.func, "super")):
            return
        if self.context.kinds.of(receiver) not in (Kind.MODULE, Kind.LOSS_FUNCTION):
            return
        module = self.source(receiver)
        fix = self.node_fix([(node, self.source(node.with_changes(func=receiver)))], module=module)
        self.report(node, fix, module=module)


# -- MLS016 ------------------------------------------------------------------------------------------


def _clears_gradients(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        receiver = pyutil.dotted_name(node.func.value) or ""
        return method == "zero_grad" or (method in ("zero_", "detach_") and ".grad" in receiver)
    if isinstance(node, cst.Assign) and pyutil.is_none(node.value):
        return any(isinstance(t.target, cst.Attribute) and t.target.attr.value == "grad" for t in node.targets)
    return False


class GradientsNotCleared(_LoopRule):
    code = "MLS016"
    triggers = ("backward",)

    def leave_Module(self, original_node: cst.Module) -> None:
        parents = self.context.kinds.parents
        for loop in self.loops:
            if not self._steps(loop) or any(self._steps(inner) for inner in self._inner_loops(loop)):
                continue  # not a training loop, or an inner loop is the one to judge
            if any(self.does(body_nodes(lp), _clears_gradients) for lp in [loop, *enclosing_loops(parents, loop)]):
                continue
            backward = method_calls(list(body_nodes(loop)), "backward")[0]
            optimizers = {self.source(o) for o in self._optimizers(loop)}
            statement = body_statement(parents, loop, backward)
            fix = None
            if len(optimizers) == 1 and statement is not None:
                zero = f"{next(iter(optimizers))}.zero_grad()"
                fix = self.node_fix([], lines_before=[(statement, zero)], call=zero)
            step = f"{sorted(optimizers)[0]}.step()"
            self.report(backward, fix, backward=_short(self.source(backward)), step=step)

    def _optimizers(self, loop: Loop) -> list[cst.BaseExpression]:
        found = []
        for node in body_nodes(loop):
            if isinstance(node, cst.Call):
                optimizer = optimizer_of_step(self.context.kinds, node)
                if optimizer is not None and is_simple_reference(optimizer):
                    found.append(optimizer)
        return found

    def _steps(self, loop: Loop) -> bool:
        return bool(self._optimizers(loop)) and bool(method_calls(list(body_nodes(loop)), "backward"))

    @staticmethod
    def _inner_loops(loop: Loop) -> list[Loop]:
        return [n for n in body_nodes(loop) if isinstance(n, (cst.For, cst.While))]


def _short(code: str) -> str:
    return code if len(code) <= 40 and "\n" not in code else code.split("(", 1)[0] + "(...)"


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
_PATH_KEYWORDS = ("f", "file", "filename", "filepath_or_buffer", "path")


class UnsafeModelDeserialization(_TorchRule):
    code = "MLS019"
    triggers = ("torch", "pickle", "joblib", "dill")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
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
        if name.endswith(".loads") and isinstance(argument, cst.Call) and self.qualified(argument.func) & {
            "pickle.dumps", "dill.dumps", "cloudpickle.dumps",
        }:  # fmt: skip
            return  # pickle.loads(pickle.dumps(x)): a deep copy
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

    def _path(self, node: cst.BaseExpression | None, depth: int = 0) -> str | None:
        """The string literal a path argument comes down to: a literal, `open(literal)`,
        `Path(literal)`, or a name bound once to one of those (`with open(...) as f`)."""
        if node is None or depth > 3:
            return None
        literal = pyutil.string_value(node)
        if literal is not None:
            return literal
        if isinstance(node, cst.Call) and self.qualified(node.func) & {"open", "builtins.open", "io.open",
                                                                        "pathlib.Path"}:  # fmt: skip
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
                    if item.asname is not None and _is_name(item.asname.name, name.value):
                        return item.item
            current = self.parent(current)
        return None

    def _bound_value(self, name: cst.Name) -> cst.BaseExpression | None:
        scope = self.context.kinds.scopes.get(name)
        assignments = list(scope[name.value]) if scope is not None else []
        if len(assignments) != 1:
            return None
        target = getattr(assignments[0], "node", None)
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


RULES: list[type[Rule]] = [
    LossAccumulatedWithGraph,
    LogWithoutMask,
    TrainEvalModeNotRestored,
    ForwardCalledDirectly,
    GradientsNotCleared,
    UnsafeModelDeserialization,
]
