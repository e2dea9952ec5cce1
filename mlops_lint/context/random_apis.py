"""What the randomness facts recognise: seeding APIs, global-generator draws, training calls, and
the tracing APIs whose random inputs are only example shapes.

Kept apart from the walk (`python_facts`) so the tables read as data. Names are resolved, dotted
names (`np.random.rand` arrives as `numpy.random.rand`); methods on objects whose type is unknown
are matched by their attribute name, where the name alone is telling (`.backward()`, `.fit(`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

ALL_LIBRARIES = frozenset({"numpy", "random", "torch", "tensorflow"})
_TORCH_AND_FRIENDS = frozenset({"numpy", "random", "torch"})
_KERAS = frozenset({"tensorflow", "numpy", "random"})

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
    "tensorflow.keras.utils.set_random_seed": _KERAS,
    "keras.utils.set_random_seed": _KERAS,
    "lightning.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.pytorch.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.fabric.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.Fabric.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.fabric.Fabric.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.pytorch.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "lightning.fabric.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "lightning_fabric.seed_everything": _TORCH_AND_FRIENDS,
    "lightning_fabric.Fabric.seed_everything": _TORCH_AND_FRIENDS,
    "lightning_fabric.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "pytorch_lightning.seed_everything": _TORCH_AND_FRIENDS,
    "pytorch_lightning.utilities.seed.seed_everything": _TORCH_AND_FRIENDS,
    "transformers.set_seed": ALL_LIBRARIES,
    "transformers.trainer_utils.set_seed": ALL_LIBRARIES,
    "transformers.enable_full_determinism": ALL_LIBRARIES,
    "transformers.trainer_utils.enable_full_determinism": ALL_LIBRARIES,
    "accelerate.utils.set_seed": ALL_LIBRARIES,
    "accelerate.utils.random.set_seed": ALL_LIBRARIES,
    # frameworks that seed on their own unless told not to
    "transformers.Trainer": ALL_LIBRARIES,  # Trainer.__init__ seeds from args.seed (42 by default)
    "transformers.Seq2SeqTrainer": ALL_LIBRARIES,
    "lightning.pytorch.cli.LightningCLI": _TORCH_AND_FRIENDS,
    "pytorch_lightning.cli.LightningCLI": _TORCH_AND_FRIENDS,
}
# a method of this name seeds whatever object it is called on: `fabric.seed_everything(42)`
SEED_METHODS: dict[str, frozenset[str]] = {"seed_everything": _TORCH_AND_FRIENDS}
# Trainer subclasses from these packages seed in `transformers.Trainer.__init__` (trl's SFTTrainer...)
_SEEDING_TRAINER_PACKAGES = ("transformers.", "trl.")


def seeded_by(name: str) -> frozenset[str]:
    """The libraries whose global generators a call of `name` (resolved) seeds."""
    found = SEED_APIS.get(name)
    if found is not None:
        return found
    if name.startswith(_SEEDING_TRAINER_PACKAGES) and name.rpartition(".")[2].endswith("Trainer"):
        return ALL_LIBRARIES
    return frozenset()


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


# Calls whose inputs only give shapes: a random tensor passed to them decides nothing about a result.
TRACING_APIS = frozenset({
    "torch.jit.trace", "torch.jit.trace_module", "torch.onnx.export", "torch.onnx.dynamo_export",
    "torch.export.export", "torch.export.export_for_training", "torch.fx.symbolic_trace",
    "thop.profile", "torchinfo.summary", "torchsummary.summary", "fvcore.nn.FlopCountAnalysis",
    "coremltools.convert",
})  # fmt: skip
TRACING_METHODS = frozenset({"add_graph"})  # SummaryWriter.add_graph(model, dummy)
# a variable named like this holds an example input (`dummy_input = torch.randn(1, 3, 224, 224)`)
DUMMY_NAME_PARTS = ("dummy", "example_input", "sample_input", "fake_input", "tracing_input", "trace_input")

# What a training run does, as signals: it trains where a `fit` is reached, or both a `backward`
# and an optimizer `step` (a `backward` alone also times a model in a benchmark or profiler).
TRAINING_FUNCTIONS = {"xgboost.train": "fit", "lightgbm.train": "fit", "torch.autograd.backward": "backward"}
_FIT_METHODS = frozenset({"fit", "fit_generator", "partial_fit", "train_on_batch"})
TRAINING_METHODS = _FIT_METHODS | {"backward", "step", "train"}  # what `training_signal` may answer for


def trains(signals: set[str] | frozenset[str]) -> bool:
    return "fit" in signals or {"backward", "step"} <= signals


def training_signal(method: str, receiver: str | None) -> str | None:
    """What `receiver.method(...)` says about training: `model.fit(...)` and `trainer.train()` are
    "fit", `loss.backward()` is "backward", `optimizer.step()` and `scaler.step(optimizer)` are
    "step". `receiver` is the receiver's last name (lower case), `"()trainer"` for a call result
    such as `Trainer(...).train()`, or None when unnamed."""
    if method in _FIT_METHODS:
        return "fit"
    if method == "backward":
        return "backward"
    if receiver is None:
        return None
    if method == "step" and ("optim" in receiver or receiver in ("opt", "scaler") or receiver.endswith("_opt")):
        return "step"
    return "fit" if method == "train" and "trainer" in receiver else None


def _is_tracing(call: ast.Call, name: str | None) -> bool:
    if name in TRACING_APIS:
        return True
    return isinstance(call.func, ast.Attribute) and call.func.attr in TRACING_METHODS


def example_inputs(
    resolved: Sequence[tuple[object, ast.Call, str | None]], assigns: Sequence[ast.Assign | ast.AnnAssign]
) -> set[int]:
    """ids of the calls whose value is only an example input: inside a tracing call's arguments,
    or assigned (possibly through `.to(device)`) to a name a tracing call is given, or to a name
    like `dummy_input`."""
    tracing = [call for _scope, call, name in resolved if _is_tracing(call, name)]
    found: set[int] = set()
    fed: set[str] = set()
    for call in tracing:
        for arg in [*call.args, *(kw.value for kw in call.keywords)]:
            for node in ast.walk(arg):
                if isinstance(node, ast.Call):
                    found.add(id(node))
                elif isinstance(node, ast.Name):
                    fed.add(node.id.lower())
                elif isinstance(node, ast.Attribute):
                    fed.add(node.attr.lower())
    for statement in assigns:
        value = statement.value
        if not isinstance(value, ast.Call):
            continue
        names = _target_names(statement)
        if not any(name in fed or any(part in name for part in DUMMY_NAME_PARTS) for name in names):
            continue
        while isinstance(value, ast.Call):  # `torch.randn(...).to(device)`: the draw is at the chain's root
            found.add(id(value))
            inner = value.func.value if isinstance(value.func, ast.Attribute) else None
            if not isinstance(inner, ast.Call):
                break
            value = inner
    return found


def _target_names(node: ast.Assign | ast.AnnAssign) -> tuple[str, ...]:
    """The lower-case names an assignment binds: `x = ...`, `self.x = ...`, `a, b = ...`."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names: list[str] = []
    for target in targets:
        for item in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            if isinstance(item, ast.Name):
                names.append(item.id.lower())
            elif isinstance(item, ast.Attribute):
                names.append(item.attr.lower())
    return tuple(names)
