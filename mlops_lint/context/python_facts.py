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
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlops_lint.context.names import Aliases, from_binding, import_binding
from mlops_lint.context.random_apis import (
    ALL_LIBRARIES,
    SEED_METHODS,
    TRAINING_FUNCTIONS,
    TRAINING_METHODS,
    example_inputs,
    global_rng_library,
    seeded_by,
    training_signal,
)


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
    """What one function (or a module's top level) does with randomness, and what it calls.

    Every mapping keeps source order and the first position of each key, so whatever reads them
    (which draw to report, which call led there) does not depend on hash seeds."""

    seeds: set[str] = field(default_factory=set)
    uses: dict[str, Where] = field(default_factory=dict)  # library -> first draw (example inputs left out)
    calls: dict[str, Where] = field(default_factory=dict)  # resolved dotted name -> first call
    call_names: dict[str, Where] = field(default_factory=dict)  # bare names: f() and x.f() -> "f"
    trains: set[str] = field(default_factory=set)  # training signals: "fit", "backward", "step"


@dataclass
class ModuleFacts:
    top_level: ScopeFacts = field(default_factory=ScopeFacts)
    functions: Mapping[str, list[ScopeFacts]] = field(default_factory=dict)  # by bare name (methods, classes)
    main_guard: Where | None = None
    main_block: ScopeFacts | None = None  # what `if __name__ == "__main__":` runs: only when run, never on import
    imports: dict[str, Where] = field(default_factory=dict)  # module name (relative ones with dots) -> statement


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


# Nodes with nothing below them that matters here: `Load()` on every name, operators; and the
# values of fields that hold no node (names, levels, flags). Leaving them out of the walk halves
# the number of nodes visited; one set lookup per child tells them apart (an `isinstance` with a
# tuple of base classes cost a fifth of the whole walk).
_BASES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
_SKIP = frozenset({ast.Name, ast.Constant, str, int, bytes, *(c for b in _BASES for c in b.__subclasses__())})
_NOT_NODES = frozenset({"ctx", "op", "ops", "id", "attr", "name", "asname", "arg", "module", "level", "kind",
                        "type_comment", "conversion", "is_async", "names", "kwd_attrs", "simple", "tag"})  # fmt: skip
_FIELDS: dict[type, tuple[str, ...]] = {}


class _Restore:
    """Left on the walk's stack under a function's (or the main block's) nodes: popped after
    them, it gives the enclosing scope back (cheaper than carrying a scope with every node)."""

    __slots__ = ("scope",)

    def __init__(self, scope: ScopeFacts) -> None:
        self.scope = scope


def _fields(kind: type) -> tuple[str, ...]:
    """The fields of a node class that may hold nodes, last first (they are pushed on a stack)."""
    fields = _FIELDS[kind] = tuple(reversed([f for f in kind._fields if f not in _NOT_NODES]))
    return fields


class _FactsCollector:
    """One iterative walk over the `ast` tree (no `NodeVisitor`: its per-node dispatch cost more
    than the walk). Imports are collected during the walk and calls resolved after it, since an
    alias counts wherever it is bound (flow-insensitive); a name bound twice (`try: import a as x`
    / `except ImportError: import b as x`) keeps its first binding in source order.

    A draw that only feeds a tracing or export call (`torch.jit.trace(m, torch.randn(1, 3))`, or
    `dummy = torch.randn(...)` later passed to one) is an example input, not randomness that
    decides a result. That is worked out after the walk, from the few tracing calls and the
    assignments, so the walk itself stays as cheap as it was."""

    def __init__(self) -> None:
        self.facts = ModuleFacts()
        self.aliases = Aliases()

    def collect(self, tree: ast.Module) -> ModuleFacts:
        top = self.facts.top_level
        functions: dict[str, list[ScopeFacts]] = {}
        self.facts.functions = functions
        calls: list[tuple[ScopeFacts, ast.Call]] = []
        assigns: list[ast.Assign | ast.AnnAssign] = []
        classes: list[ast.ClassDef] = []
        scope = top
        stack: list[ast.AST | _Restore] = [tree]
        pop, push, skip, known = stack.pop, stack.append, _SKIP, _FIELDS
        while stack:  # pre-order, children in source order (what comes first is what is reported)
            node = pop()
            kind = type(node)
            if kind is ast.Call:
                calls.append((scope, node))  # type: ignore[arg-type]
            elif kind is _Restore:
                scope = node.scope  # type: ignore[union-attr]
                continue
            elif kind in _STATEMENTS:
                if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                    name = node.name  # type: ignore[union-attr]
                    push(_Restore(scope))
                    scope = ScopeFacts()  # decorators and defaults count as the function's, as before
                    functions.setdefault(name, []).append(scope)
                elif kind is ast.Assign or kind is ast.AnnAssign:
                    assigns.append(node)  # type: ignore[arg-type]
                elif kind is ast.ClassDef:
                    classes.append(node)  # type: ignore[arg-type]
                elif kind is ast.Import:
                    self._import(node)  # type: ignore[arg-type]
                elif kind is ast.ImportFrom:
                    self._import_from(node)  # type: ignore[arg-type]
                elif scope is top and self.facts.main_guard is None and _is_main_guard(node):  # type: ignore[arg-type]
                    self.facts.main_guard = Where.of(node)  # type: ignore[arg-type]
                    push(_Restore(scope))
                    scope = self.facts.main_block = ScopeFacts()
            fields = known.get(kind)
            for attribute in fields if fields is not None else _fields(kind):
                value = getattr(node, attribute, None)
                if type(value) is list:
                    for item in reversed(value):
                        if item is not None and type(item) not in skip:
                            push(item)
                elif value is not None and type(value) not in skip:
                    push(value)
        resolved = [(scope, call, self.resolve(call.func)) for scope, call in calls]
        examples = example_inputs(resolved, assigns)
        for scope, call, name in resolved:  # source order: the first use of a library is the one reported
            self._call(scope, call, name, id(call) in examples)
        for node in classes:  # a subclass of a class that seeds (a Trainer) seeds when built
            libraries = frozenset().union(*(seeded_by(self.resolve(base) or "") for base in node.bases))
            if libraries:
                functions.setdefault(node.name, []).append(ScopeFacts(seeds=set(libraries)))
        return self.facts

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases.add(*import_binding(alias.name, alias.asname))
            self.facts.imports.setdefault(alias.name, Where.of(node))

    def _import_from(self, node: ast.ImportFrom) -> None:
        base = "." * node.level + (node.module or "")
        where = Where.of(node)
        self.facts.imports.setdefault(base, where)
        for alias in node.names:
            local, joined = from_binding(node.level, node.module, alias.name, alias.asname)
            self.aliases.add(local, joined)
            self.facts.imports.setdefault(joined, where)  # `from pkg import module` imports a module too

    def resolve(self, node: ast.expr) -> str | None:
        dotted = _dotted(node)
        return None if dotted is None else self.aliases.resolve(dotted)

    def _call(self, scope: ScopeFacts, node: ast.Call, name: str | None, example: bool) -> None:
        # positions are built only for a key's first call: most calls repeat a name already seen
        if name is not None:
            seeds = seeded_by(name) or (_seeding_launcher(name, node) if node.keywords else frozenset())
            if seeds and not _seeding_disabled(node):
                scope.seeds |= seeds
            library = global_rng_library(name)
            if library is None and _shuffling_loader(name, node):
                library = "torch"
            if library is not None and not example and library not in scope.uses:
                scope.uses[library] = Where.of(node)
            if name not in scope.calls:
                scope.calls[name] = Where.of(node)
            if name in TRAINING_FUNCTIONS:
                scope.trains.add(TRAINING_FUNCTIONS[name])
        func = node.func
        imported = _head(func) in self.aliases  # `thop.profile(...)`: resolved above, not a first-party method
        if isinstance(func, ast.Name):
            if not imported and func.id not in scope.call_names:
                scope.call_names[func.id] = Where.of(node)
        elif isinstance(func, ast.Attribute):
            method = func.attr
            if not imported and method not in scope.call_names:
                scope.call_names[method] = Where.of(node)
            if method in SEED_METHODS:
                scope.seeds |= SEED_METHODS[method]
            if method in TRAINING_METHODS:
                signal = training_signal(method, _receiver(func.value))
                if signal is not None:
                    scope.trains.add(signal)


def _head(node: ast.expr) -> str | None:
    """The first name of a dotted expression (`np` of `np.random.rand`)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


_STATEMENTS = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign, ast.AnnAssign, ast.ClassDef,
                         ast.Import, ast.ImportFrom, ast.If})  # fmt: skip


def _receiver(node: ast.expr) -> str | None:
    """The name of a method's receiver, lower case: `optimizer` for `self.optimizer.step()`,
    `()trainer` for `Trainer(...).train()`."""
    if isinstance(node, ast.Name):
        return node.id.lower()
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    if isinstance(node, ast.Call):
        inner = _receiver(node.func)
        return None if inner is None else "()" + inner
    return None


def _keyword_is(call: ast.Call, name: str, values: tuple[object, ...]) -> bool:
    return any(
        kw.arg == name and isinstance(kw.value, ast.Constant) and kw.value.value in values for kw in call.keywords
    )


def _seeding_disabled(call: ast.Call) -> bool:
    """`LightningCLI(seed_everything_default=False)` does not seed."""
    return _keyword_is(call, "seed_everything_default", (False, None))


def _seeding_launcher(name: str, call: ast.Call) -> frozenset[str]:
    """`colossalai.launch_from_torch(config={}, seed=args.seed)`: a launcher told the seed seeds."""
    if name.rpartition(".")[2].startswith("launch") and any(kw.arg == "seed" for kw in call.keywords):
        return ALL_LIBRARIES
    return frozenset()


def _shuffling_loader(name: str, call: ast.Call) -> bool:
    return name.startswith("torch.") and name.endswith("DataLoader") and _keyword_is(call, "shuffle", (True,))


def module_facts(tree: ast.Module) -> ModuleFacts:
    return _FactsCollector().collect(tree)
