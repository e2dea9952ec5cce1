"""Per-module facts about randomness, read once from the parsed module and shared across files.

Cross-file rules (is a seed reachable from this entry point?) read these facts, never the files:
what each function (and the module's top level, `__main__` block included) seeds, which global
random generators it draws from, and what it calls. Facts are computed lazily per module and
cached on the repository context, so each module is analysed once however many entry points
import it. They are read from the `ast` tree the syntax check already built (several times
cheaper than libcst), with import aliases resolved by a flow-insensitive alias table, as ruff does.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlops_lint.context.names import Aliases, from_binding, import_binding

ALL_LIBRARIES = frozenset({"numpy", "random", "torch", "tensorflow"})
_TORCH_AND_FRIENDS = frozenset({"numpy", "random", "torch"})

SEED_APIS: dict[str, frozenset[str]] = {
    "numpy.random.seed": frozenset({"numpy"}),
    "random.seed": frozenset({"random"}),
    "torch.manual_seed": frozenset({"torch"}),
    "torch.random.manual_seed": frozenset({"torch"}),
    "torch.cuda.manual_seed_all": frozenset({"torch"}),
    "torch.cuda.manual_seed": frozenset({"torch"}),
    "tensorflow.random.set_seed": frozenset({"tensorflow"}),
    "tensorflow.set_random_seed": frozenset({"tensorflow"}),
    "tensorflow.compat.v1.set_random_seed": frozenset({"tensorflow"}),
    "tensorflow.keras.utils.set_random_seed": frozenset({"tensorflow", "numpy", "random"}),
    "keras.utils.set_random_seed": frozenset({"tensorflow", "numpy", "random"}),
    "lightning.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.pytorch.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.fabric.seed_everything": _TORCH_AND_FRIENDS,
    "pytorch_lightning.seed_everything": _TORCH_AND_FRIENDS,
    "pytorch_lightning.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "lightning_fabric.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "transformers.set_seed": ALL_LIBRARIES,
    "transformers.trainer_utils.set_seed": ALL_LIBRARIES,
    "accelerate.utils.set_seed": ALL_LIBRARIES,
    # frameworks that seed on their own unless told not to
    "transformers.Trainer": ALL_LIBRARIES,
    "transformers.Seq2SeqTrainer": ALL_LIBRARIES,
    "lightning.pytorch.cli.LightningCLI": _TORCH_AND_FRIENDS,
    "pytorch_lightning.cli.LightningCLI": _TORCH_AND_FRIENDS,
}

_NUMPY_GLOBAL = {
    "rand", "randn", "randint", "random", "random_sample", "ranf", "sample", "choice", "shuffle", "permutation",
    "normal", "uniform", "binomial", "poisson", "beta", "gamma", "exponential", "multinomial",
    "multivariate_normal", "standard_normal", "bytes", "random_integers", "laplace", "lognormal", "dirichlet",
}  # fmt: skip
_RANDOM_GLOBAL = {
    "random", "randint", "randrange", "choice", "choices", "shuffle", "sample", "uniform", "gauss",
    "normalvariate", "triangular", "betavariate", "expovariate", "lognormvariate", "getrandbits",
}  # fmt: skip
_TORCH_GLOBAL = {
    "torch.rand", "torch.randn", "torch.randint", "torch.randperm", "torch.rand_like", "torch.randn_like",
    "torch.randint_like", "torch.normal", "torch.bernoulli", "torch.multinomial", "torch.poisson",
}  # fmt: skip
_TORCH_RANDOM_LAYERS = ("Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LSTM", "GRU", "RNN", "Dropout",
                        "Dropout1d", "Dropout2d", "Dropout3d", "MultiheadAttention", "Transformer",
                        "TransformerEncoderLayer", "TransformerDecoderLayer", "Bilinear")  # fmt: skip


def global_rng_library(name: str) -> str | None:
    """The library whose global random generator a call of `name` draws from, if any."""
    head, _, last = name.rpartition(".")
    if head == "numpy.random" and last in _NUMPY_GLOBAL:
        return "numpy"
    if head == "random" and last in _RANDOM_GLOBAL:
        return "random"
    if name in _TORCH_GLOBAL or (head == "torch.nn.init" and last.endswith("_")):
        return "torch"
    if head == "torch.nn" and last in _TORCH_RANDOM_LAYERS:
        return "torch"
    if head == "tensorflow.random" and last not in ("set_seed", "Generator", "experimental"):
        return "tensorflow"
    return None


@dataclass(frozen=True, slots=True)
class Where:
    """An `ast` position: 1-based lines, 0-based UTF-8 byte columns (convert before reporting)."""

    line: int
    col: int
    end_line: int
    end_col: int

    @classmethod
    def of(cls, node: ast.expr | ast.stmt) -> Where:
        return cls(node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)


@dataclass
class ScopeFacts:
    """What one function (or a module's top level) does with randomness, and what it calls."""

    seeds: set[str] = field(default_factory=set)
    uses: dict[str, Where] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)  # resolved dotted names of called functions
    call_names: set[str] = field(default_factory=set)  # bare names: f() and x.f() -> "f"


@dataclass
class ModuleFacts:
    top_level: ScopeFacts = field(default_factory=ScopeFacts)
    functions: Mapping[str, list[ScopeFacts]] = field(default_factory=dict)  # by bare name (methods too)
    main_guard: Where | None = None
    imports: set[str] = field(default_factory=set)  # imported module names, relative ones with dots


def _is_main_guard(node: ast.If) -> bool:
    test = node.test
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    strings = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return bool(names and strings)


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


# Nodes with nothing below them that matters here: `Load()` on every name, operators. Leaving
# them out of the walk halves the number of nodes visited.
_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Name, ast.Constant)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _children(node: ast.AST) -> list[ast.AST]:
    """The child nodes in field (source) order, leaves left out; `ast.iter_child_nodes` without
    the generator and with a per-class field list."""
    cls = type(node)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(cls._fields)
    found: list[ast.AST] = []
    for name in names:
        value = getattr(node, name, None)
        if isinstance(value, list):
            found.extend(item for item in value if isinstance(item, ast.AST) and not isinstance(item, _LEAVES))
        elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
            found.append(value)
    return found


class _FactsCollector:
    """One iterative walk over the `ast` tree (no `NodeVisitor`: its per-node dispatch cost more
    than the walk). Imports are collected during the walk and calls resolved after it, since an
    alias counts wherever it is bound (flow-insensitive); a name bound twice (`try: import a as x`
    / `except ImportError: import b as x`) keeps its first binding in source order."""

    def __init__(self) -> None:
        self.facts = ModuleFacts()
        self.aliases = Aliases()

    def collect(self, tree: ast.Module) -> ModuleFacts:
        top = self.facts.top_level
        functions: dict[str, list[ScopeFacts]] = {}
        self.facts.functions = functions
        calls: list[tuple[ScopeFacts, ast.Call]] = []
        stack: list[tuple[ast.AST, ScopeFacts]] = [(tree, top)]
        while stack:
            node, scope = stack.pop()
            kind = type(node)
            if kind is ast.Call:
                calls.append((scope, node))  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                name = node.name  # type: ignore[attr-defined]
                scope = ScopeFacts()  # decorators and defaults count as the function's, as before
                functions.setdefault(name, []).append(scope)
            elif kind is ast.Import:
                self._import(node)  # type: ignore[arg-type]
            elif kind is ast.ImportFrom:
                self._import_from(node)  # type: ignore[arg-type]
            elif kind is ast.If and scope is top and self.facts.main_guard is None and _is_main_guard(node):  # type: ignore[arg-type]
                self.facts.main_guard = Where.of(node)  # type: ignore[arg-type]
            stack.extend((child, scope) for child in reversed(_children(node)))
        for scope, call in calls:  # source order: the first use of a library is the one reported
            self._call(scope, call)
        return self.facts

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases.add(*import_binding(alias.name, alias.asname))
            self.facts.imports.add(alias.name)

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        self.facts.imports.add(base)
        for alias in node.names:
            local, joined = from_binding(node.level, node.module, alias.name, alias.asname)
            self.aliases.add(local, joined)
            self.facts.imports.add(joined)  # `from pkg import module` imports a module too

    def resolve(self, node: ast.expr) -> str | None:
        dotted = _dotted(node)
        return None if dotted is None else self.aliases.resolve(dotted)

    def _call(self, scope: ScopeFacts, node: ast.Call) -> None:
        name = self.resolve(node.func)
        if name is not None:
            if name in SEED_APIS and not _seeding_disabled(node):
                scope.seeds |= SEED_APIS[name]
            library = global_rng_library(name)
            if library is None and _shuffling_loader(name, node):
                library = "torch"
            if library is not None:
                scope.uses.setdefault(library, Where.of(node))
            scope.calls.add(name)
        if isinstance(node.func, ast.Name):
            scope.call_names.add(node.func.id)
        elif isinstance(node.func, ast.Attribute):
            scope.call_names.add(node.func.attr)


def _keyword_is(call: ast.Call, name: str, values: tuple[object, ...]) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value in values for kw in call.keywords
    )


def _seeding_disabled(call: ast.Call) -> bool:
    """`LightningCLI(seed_everything_default=False)` does not seed."""
    return _keyword_is(call, "seed_everything_default", (False, None))


def _shuffling_loader(name: str, call: ast.Call) -> bool:
    return name.startswith("torch.") and name.endswith("DataLoader") and _keyword_is(call, "shuffle", (True,))


def module_facts(tree: ast.Module) -> ModuleFacts:
    return _FactsCollector().collect(tree)


def _scope_data(scope: ScopeFacts) -> list[Any]:
    uses = {name: [w.line, w.col, w.end_line, w.end_col] for name, w in scope.uses.items()}
    return [sorted(scope.seeds), uses, sorted(scope.calls), sorted(scope.call_names)]


def _scope_from(row: list[Any]) -> ScopeFacts:
    seeds, uses, calls, call_names = row
    return ScopeFacts(set(seeds), {name: Where(*w) for name, w in uses.items()}, set(calls), set(call_names))


def facts_to_data(facts: ModuleFacts) -> list[Any]:
    """Plain data for the result cache (cross-file rules read facts, so a warm run parses nothing)."""
    guard = facts.main_guard
    return [
        _scope_data(facts.top_level),
        {name: [_scope_data(s) for s in scopes] for name, scopes in facts.functions.items()},
        None if guard is None else [guard.line, guard.col, guard.end_line, guard.end_col],
        sorted(facts.imports),
    ]


class _FunctionRows(Mapping[str, list[ScopeFacts]]):
    """`ModuleFacts.functions` read back from the cache, each name decoded when first looked up:
    a run reads the functions of the few modules an entry point reaches, not of all of them."""

    def __init__(self, rows: dict[str, list[Any]]) -> None:
        self._rows = rows
        self._decoded: dict[str, list[ScopeFacts]] = {}

    def __getitem__(self, name: str) -> list[ScopeFacts]:
        found = self._decoded.get(name)
        if found is None:
            found = self._decoded[name] = [_scope_from(s) for s in self._rows[name]]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def facts_from_data(row: list[Any]) -> ModuleFacts:
    top, functions, guard, imports = row
    return ModuleFacts(
        _scope_from(top),
        _FunctionRows(functions),  # type: ignore[arg-type]
        None if guard is None else Where(*guard),
        set(imports),
    )
