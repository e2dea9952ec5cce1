"""Per-module facts about randomness, read once from the parsed module and shared across files.

Cross-file rules (is a seed reachable from this entry point?) read these facts, never the files:
what each function (and the module's top level, `__main__` block included) seeds, which global
random generators it draws from, and what it calls. Facts are computed lazily per module and
cached on the repository context, so each module is analysed once however many entry points
import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from mlops_lint.context.python import PythonContext

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


@dataclass
class ScopeFacts:
    """What one function (or a module's top level) does with randomness, and what it calls."""

    seeds: set[str] = field(default_factory=set)
    uses: dict[str, cst.CSTNode] = field(default_factory=dict)
    calls: set[str] = field(default_factory=set)  # qualified names of called functions
    call_names: set[str] = field(default_factory=set)  # bare names: f() and x.f() -> "f"


@dataclass
class ModuleFacts:
    top_level: ScopeFacts = field(default_factory=ScopeFacts)
    functions: dict[str, list[ScopeFacts]] = field(default_factory=dict)  # by bare name (methods too)
    main_guard: cst.CSTNode | None = None
    imports: set[str] = field(default_factory=set)  # imported module names, relative ones with dots


def _is_main_guard(node: cst.If) -> bool:
    test = node.test
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    names = [s for s in sides if isinstance(s, cst.Name) and s.value == "__name__"]
    strings = [s for s in sides if isinstance(s, cst.SimpleString) and s.evaluated_value == "__main__"]
    return bool(names and strings)


class _FactsCollector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.facts = ModuleFacts()
        self.stack: list[ScopeFacts] = [self.facts.top_level]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        scope = ScopeFacts()
        self.facts.functions.setdefault(node.name.value, []).append(scope)
        self.stack.append(scope)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_If(self, node: cst.If) -> None:
        if len(self.stack) == 1 and _is_main_guard(node):
            self.facts.main_guard = node

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.facts.imports.add(cst.Module([]).code_for_node(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        dots = "." * len(node.relative)
        base = cst.Module([]).code_for_node(node.module) if node.module else ""
        self.facts.imports.add(dots + base)
        if isinstance(node.names, (list, tuple)):
            for alias in node.names:  # `from pkg import module` imports a module too
                self.facts.imports.add(f"{dots}{base}.{cst.Module([]).code_for_node(alias.name)}".replace("..", "."))

    def visit_Call(self, node: cst.Call) -> None:
        scope = self.stack[-1]
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, node.func, set())}
        for name in names:
            if name in SEED_APIS and not _seeding_disabled(node):
                scope.seeds |= SEED_APIS[name]
            library = global_rng_library(name)
            if library is not None:
                scope.uses.setdefault(library, node)
            if _shuffling_loader(name, node):
                scope.uses.setdefault("torch", node)
        scope.calls |= names
        func = node.func
        if isinstance(func, cst.Name):
            scope.call_names.add(func.value)
        elif isinstance(func, cst.Attribute):
            scope.call_names.add(func.attr.value)


def _seeding_disabled(call: cst.Call) -> bool:
    """`LightningCLI(seed_everything_default=False)` does not seed."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "seed_everything_default":
            return isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None")
    return False


def _shuffling_loader(name: str, call: cst.Call) -> bool:
    if not name.endswith("DataLoader") or not name.startswith("torch."):
        return False
    return any(
        arg.keyword is not None
        and arg.keyword.value == "shuffle"
        and isinstance(arg.value, cst.Name)
        and arg.value.value == "True"
        for arg in call.args
    )


def module_facts(context: PythonContext) -> ModuleFacts:
    collector = _FactsCollector()
    context.wrapper.visit(collector)
    return collector.facts
