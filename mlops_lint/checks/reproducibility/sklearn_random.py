"""Which scikit-learn calls draw random numbers with the arguments they are given, and which
calls seed NumPy's global generator (what scikit-learn draws from when `random_state=None`).

Used by MLR001. A call is called random only where scikit-learn's documentation and source say
the result depends on `random_state` with these arguments; where an argument is not a literal,
it is assumed to be the randomizing one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_lint.context import pyutil
from mlops_lint.context.random_apis import SEED_METHODS, seeded_by

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.rule import PythonRule
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

RESEEDING_ENSEMBLES = frozenset({"BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier", "AdaBoostRegressor"})
_ALWAYS_RANDOM = frozenset({
    "train_test_split", "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold",
    "RepeatedStratifiedKFold", "make_classification", "make_regression", "make_blobs", "make_moons",
    "make_circles", "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "MLPClassifier", "MLPRegressor",
    "SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "KMeans", "MiniBatchKMeans", "DecisionTreeClassifier",
    "DecisionTreeRegressor", "IsolationForest", "TSNE", "TruncatedSVD", "RandomizedSearchCV",
    "HalvingRandomSearchCV", "ParameterSampler", *RESEEDING_ENSEMBLES,
})  # fmt: skip
_RANDOM_WITH_SHUFFLE = frozenset({"KFold", "StratifiedKFold", "StratifiedGroupKFold"})
# `shuffle=False` takes away their only randomness (unless the named option brings some back)
_SHUFFLE_IS_THE_ONLY_DRAW: dict[str, str | None] = {
    "train_test_split": None,
    "SGDClassifier": "early_stopping",  # early stopping draws a validation split
    "SGDRegressor": "early_stopping",
    "SGDOneClassSVM": None,
    "make_moons": "noise",  # noise is drawn
    "make_circles": "noise",
}
# functions that, by their name, seed the global generators (`utils.init_seeds(0)` in yolov5)
SEED_HELPER_NAMES = frozenset({
    "set_seed", "set_seeds", "seed_everything", "set_random_seed", "set_random_seeds", "seed_all", "init_seeds",
    "fix_seed", "fix_seeds", "fix_random_seed", "setup_seed", "set_global_seed", "seed_torch",
})  # fmt: skip
_OTHER_FRAMEWORKS = frozenset({"tensorflow", "torch", "jax", "mxnet", "paddle", "cupy", "keras"})


def _literal(call: cst.Call, name: str) -> str | bool | None:
    """The value of keyword `name` when it is a string literal or True/False, else None."""
    arg = pyutil.keyword(call, name)
    if arg is None:
        return None
    if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
        return arg.value.value == "True"
    return pyutil.string_value(arg.value)


def _is_none_or_absent(call: cst.Call, name: str) -> bool:
    arg = pyutil.keyword(call, name)
    return arg is None or pyutil.is_none(arg.value)


def random_sklearn_call(call: cst.Call, name: str) -> str | None:
    """How to name `call` in the message when it draws random numbers with these arguments
    (`KFold(shuffle=True)`), or None when its result does not depend on `random_state`."""
    if name in _RANDOM_WITH_SHUFFLE:
        return f"{name}(shuffle=True)" if _literal(call, "shuffle") is True else None
    if name == "PCA":
        solver = _literal(call, "svd_solver")
        return f"PCA(svd_solver={solver!r})" if solver in ("randomized", "arpack") else None
    if name == "LogisticRegression":
        return _logistic_regression(call)
    if name not in _ALWAYS_RANDOM:
        return None
    if name in _SHUFFLE_IS_THE_ONLY_DRAW and _literal(call, "shuffle") is False:
        other = _SHUFFLE_IS_THE_ONLY_DRAW[name]
        if other is None or _is_none_or_absent(call, other) or _literal(call, other) is False:
            return None
    return name


def _logistic_regression(call: cst.Call) -> str | None:
    """`random_state` is used by the sag and saga solvers (sampling) and by liblinear where it
    runs coordinate descent: an L1 penalty or the dual problem. liblinear's default, an L2
    penalty solved in the primal, is a trust-region Newton method that draws nothing."""
    solver = _literal(call, "solver")
    if solver in ("sag", "saga"):
        return f"LogisticRegression(solver={solver!r})"
    if solver != "liblinear":
        return None  # lbfgs (the default), newton-cg, newton-cholesky: deterministic
    penalty = pyutil.keyword(call, "penalty")
    dual = pyutil.keyword(call, "dual")
    l2 = penalty is None or _literal(call, "penalty") == "l2"
    primal = dual is None or _literal(call, "dual") is False
    return None if l2 and primal else "LogisticRegression(solver='liblinear')"


def seeds_numpy(rule: PythonRule, call: cst.Call, helpers: frozenset[str]) -> bool:
    """Does this call seed NumPy's global generator? A seeding API (`np.random.seed`,
    `seed_everything`, `keras.utils.set_random_seed`...), a method of that kind
    (`fabric.seed_everything`), a function named like a seed helper, or a function of this
    module (`helpers`) that calls one of those."""
    func = call.func
    names = pyutil.qualified_names(rule, func)
    known = [seeded_by(name) for name in names if seeded_by(name)]
    if known:
        return any("numpy" in libraries for libraries in known)
    if any(name.partition(".")[0] in _OTHER_FRAMEWORKS for name in names):
        return False  # `tf.random.set_seed`: named like a helper, seeds only its own framework
    if isinstance(func, cst.Attribute):
        return "numpy" in SEED_METHODS.get(func.attr.value, frozenset()) or func.attr.value in SEED_HELPER_NAMES
    return isinstance(func, cst.Name) and (func.value in SEED_HELPER_NAMES or func.value in helpers)


def seeding_functions(rule: PythonRule, module: cst.Module) -> frozenset[str]:
    """Names of the functions defined in `module` whose body seeds NumPy's global generator."""
    found: set[str] = set()
    for node in pyutil.walk(module):
        if isinstance(node, cst.FunctionDef) and any(
            seeds_numpy(rule, call, frozenset()) for call in pyutil.calls_in(node.body)
        ):
            found.add(node.name.value)
    return frozenset(found)
