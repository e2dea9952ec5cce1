"""Code quality: scikit-learn smells (data leakage, scaling, hyperparameters, metrics).

Classes are recognised by the name they resolve to (`sklearn.svm.SVC`), never by spelling, and
values by their visible bindings (`clf = SVC()`); anything else keeps a rule silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import Assignment, QualifiedNameProvider, ScopeProvider

from mlops_lint.checks import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import PythonRule, Rule, RuleSettings

if TYPE_CHECKING:
    from mlops_lint.context.python import PythonContext


def library_class(rule: PythonRule, node: cst.CSTNode, roots: Iterable[str]) -> tuple[str, str] | None:
    """(library, last name) when `node` resolves into one of the libraries `roots`
    (`sklearn.svm.SVC` and `sklearn.svm._classes.SVC` are both ('sklearn', 'SVC'))."""
    for name in pyutil.qualified_names(rule, node):
        root, _, rest = name.partition(".")
        if root in roots and rest:
            return root, name.rsplit(".", 1)[-1]
    return None


def sklearn_name(rule: PythonRule, node: cst.CSTNode) -> str | None:
    found = library_class(rule, node, ("sklearn", "imblearn"))
    return found[1] if found else None


def data_arg(call: cst.Call) -> cst.BaseExpression | None:
    """The data a `fit`/`transform`/`split` call works on: its first argument, or X=."""
    args = pyutil.positional(call)
    if args:
        return args[0].value
    arg = next((pyutil.keyword(call, k) for k in ("X", "x", "raw_documents") if pyutil.keyword(call, k)), None)
    return arg.value if arg is not None else None


def short_code(rule: PythonRule, node: cst.CSTNode) -> str:
    return " ".join(rule.context.code_for(node).split())


class BindingRule(PythonRule):
    """A rule that reads what names are bound to (`clf = SVC()`), collected during the traversal
    and read in `leave_Module`, when every assignment of the module has been seen."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.bound: dict[int, tuple[cst.BaseExpression, int | None]] = {}
        self.self_attributes: dict[str, list[tuple[cst.BaseExpression, int | None]]] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.bound[id(target)] = (value, None)
        elif isinstance(target, cst.Attribute) and pyutil.dotted_name(target.value) == "self":
            self.self_attributes.setdefault(target.attr.value, []).append((value, None))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                if isinstance(element.value, cst.Name):
                    self.bound[id(element.value)] = (value, position)

    def values_of(self, name: cst.Name) -> list[tuple[cst.BaseExpression, int | None]] | None:
        """Every (value, tuple position) the name may hold, or None if one binding is not a plain assignment."""
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        found = []
        for assignment in scope[name.value]:
            if not isinstance(assignment, Assignment) or id(assignment.node) not in self.bound:
                return None
            found.append(self.bound[id(assignment.node)])
        return found or None

    def class_of(self, expr: cst.BaseExpression) -> str | None:
        """The scikit-learn class an expression was built from: `SVC()`, or a name (or `self.x`)
        bound only to `SVC(...)` or to its own `.fit(...)`, which returns the estimator itself."""
        return self._class_of(expr, set()) or None

    def _class_of(self, expr: cst.BaseExpression, active: set[str]) -> str | None:
        """As `class_of`; "" marks a binding that refers back to itself and carries no evidence."""
        if isinstance(expr, cst.Call):
            method = pyutil.method_call(expr)
            if method is not None and method[1] in ("fit", "set_params"):
                return self._class_of(method[0], active)
            return sklearn_name(self, expr.func)
        name = pyutil.dotted_name(expr)
        if name is None or name in active:
            return "" if name is not None else None
        if isinstance(expr, cst.Name):
            values = self.values_of(expr) or []
        elif isinstance(expr, cst.Attribute) and pyutil.dotted_name(expr.value) == "self":
            values = self.self_attributes.get(expr.attr.value, [])
        else:
            return None
        found = {self._class_of(v, active | {name}) if i is None else None for v, i in values}
        found.discard("")
        return found.pop() if len(found) == 1 else None if found else ""


# --- MLS010 scaling-missing-before-sensitive-estimator ------------------------------------------

_SENSITIVE = frozenset({
    "PCA", "KernelPCA", "SparsePCA", "IncrementalPCA", "SVC", "SVR", "LinearSVC", "LinearSVR", "NuSVC", "NuSVR",
    "OneClassSVM", "SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "MLPClassifier", "MLPRegressor",
    "KNeighborsClassifier", "KNeighborsRegressor",
})  # fmt: skip
_SCALERS = frozenset({
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer", "QuantileTransformer",
    "PowerTransformer", "ColumnTransformer", "make_column_transformer", "scale", "minmax_scale", "robust_scale",
    "maxabs_scale", "normalize", "quantile_transform", "power_transform",
    # text features: TF-IDF rows are L2-normalised, and counts share one unit
    "TfidfVectorizer", "TfidfTransformer", "HashingVectorizer", "CountVectorizer", "DictVectorizer", "FeatureHasher",
})  # fmt: skip
# Steps that may rescale their output or hide other steps: a pipeline with one of them is not judged.
_OPAQUE_STEPS = frozenset({"FunctionTransformer", "Pipeline", "make_pipeline", "FeatureUnion", "make_union"})
# Tabular loaders whose columns come in their own units (synthetic and image sets share one scale).
_TABULAR_LOADERS = frozenset({
    "load_iris", "load_wine", "load_breast_cancer", "load_linnerud", "load_boston", "fetch_california_housing",
    "fetch_covtype", "fetch_kddcup99",
})  # fmt: skip
_ROW_METHODS = frozenset({
    "drop", "dropna", "fillna", "astype", "to_numpy", "copy", "select_dtypes", "reset_index", "reshape", "sample",
    "head", "tail", "sort_index", "sort_values", "rename", "filter",
})  # fmt: skip
_SCALING_CALLS = frozenset({"std", "max", "amax", "norm", "ptp", "sqrt", "var"})


def _looks_like_scaling(divisor: cst.BaseExpression) -> bool:
    """`x / 255.0`, `x / x.std()`, `(x - mu) / np.linalg.norm(x)`: hand-made scaling."""
    if isinstance(divisor, (cst.Integer, cst.Float)):
        return float(divisor.evaluated_value) > 1
    if isinstance(divisor, cst.Call):
        name = pyutil.dotted_name(divisor.func)
        return name is not None and name.rsplit(".", 1)[-1] in _SCALING_CALLS
    return False


class ScalingMissingBeforeSensitiveEstimator(BindingRule):
    code = "MLS010"
    triggers = ("PCA", "SVC", "SVR", "SGD", "MLP", "KNeighbors", "OneClassSVM")

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "sklearn" in text and super().wants(text, options)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.scaled = False
        self.pipelines: list[cst.Call] = []
        self.fits: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = sklearn_name(self, node.func)
        if name in _SCALERS:
            self.scaled = True
        elif name in ("make_pipeline", "Pipeline"):
            self.pipelines.append(node)
        method = pyutil.method_call(node)
        if method is not None and method[1] in ("fit", "fit_transform", "fit_predict"):
            self.fits.append(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        self.scaled |= isinstance(node.operator, cst.Divide) and _looks_like_scaling(node.right)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.scaled |= isinstance(node.operator, cst.DivideAssign) and _looks_like_scaling(node.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.scaled:
            return
        for pipeline in self.pipelines:
            step = self._first_unscaled_step(pipeline)
            if step is not None:
                self.report(step, estimator=sklearn_name(self, step.func))
        for fit in self.fits:
            receiver = fit.func.value  # type: ignore[attr-defined]
            estimator = self.class_of(receiver)
            data = data_arg(fit)
            if estimator in _SENSITIVE and data is not None and self._raw(data, 0):
                self.report(fit, estimator=estimator)

    def _first_unscaled_step(self, pipeline: cst.Call) -> cst.Call | None:
        """The first sensitive step when every step before it is a known, non-scaling scikit-learn step."""
        if pyutil.has_star_args(pipeline) or pyutil.has_star_kwargs(pipeline):
            return None
        if sklearn_name(self, pipeline.func) == "make_pipeline":
            steps: list[cst.BaseExpression] = [arg.value for arg in pyutil.positional(pipeline)]
        else:
            args = pyutil.positional(pipeline)
            given = args[0] if args else pyutil.keyword(pipeline, "steps")
            if given is None or not isinstance(given.value, (cst.List, cst.Tuple)):
                return None
            steps = []
            for element in given.value.elements:
                if not isinstance(element.value, cst.Tuple) or len(element.value.elements) != 2:
                    return None
                steps.append(element.value.elements[1].value)
        for step in steps:
            if pyutil.string_value(step) in ("passthrough", "drop") or pyutil.is_none(step):
                continue
            name = sklearn_name(self, step.func) if isinstance(step, cst.Call) else None
            if name is None or name in _SCALERS or name in _OPAQUE_STEPS:
                return None
            if name in _SENSITIVE:
                return step  # type: ignore[return-value]
        return None

    def _raw(self, expr: cst.BaseExpression, depth: int) -> bool:
        """The data visibly comes straight from a table on disk or a tabular dataset, unscaled."""
        if depth > 8:
            return False
        if isinstance(expr, cst.Name):
            values = self.values_of(expr)
            return bool(values) and all(self._raw_binding(v, i, depth + 1) for v, i in values)  # type: ignore[union-attr]
        if isinstance(expr, cst.Subscript):
            return self._raw(expr.value, depth + 1)
        if isinstance(expr, cst.Attribute):
            return expr.attr.value in ("values", "data", "T") and self._raw(expr.value, depth + 1)
        if isinstance(expr, cst.Call):
            if self._loads_table(expr):
                return True
            if any(q == "pandas.get_dummies" for q in pyutil.qualified_names(self, expr.func)):
                return bool(expr.args) and self._raw(expr.args[0].value, depth + 1)
            method = pyutil.method_call(expr)
            return method is not None and method[1] in _ROW_METHODS and self._raw(method[0], depth + 1)
        return False

    def _raw_binding(self, value: cst.BaseExpression, index: int | None, depth: int) -> bool:
        if index is None:
            return self._raw(value, depth)
        if isinstance(value, (cst.Tuple, cst.List)):
            return index < len(value.elements) and self._raw(value.elements[index].value, depth)
        if isinstance(value, cst.Call) and sklearn_name(self, value.func) == "train_test_split":
            arrays = pyutil.positional(value)
            return index // 2 < len(arrays) and self._raw(arrays[index // 2].value, depth)
        return isinstance(value, cst.Call) and self._loads_table(value)

    def _loads_table(self, call: cst.Call) -> bool:
        for name in pyutil.qualified_names(self, call.func):
            if name.startswith("pandas.read_") or name in ("numpy.loadtxt", "numpy.genfromtxt"):
                return True
            if name.startswith("sklearn.datasets.") and name.rsplit(".", 1)[-1] in _TABULAR_LOADERS:
                return True
        return False


# --- MLS011 hyperparameter-not-set --------------------------------------------------------------

_FOREST = ("sklearn.",
           ("n_estimators", "criterion", "max_depth", "min_samples_split", "min_samples_leaf",
            "min_weight_fraction_leaf", "max_features"),
           ("n_estimators", "max_features", "min_samples_leaf"))  # fmt: skip
_BOOSTING = ("sklearn.", ("loss", "learning_rate"), ("learning_rate",))
_ADABOOST = ("sklearn.", ("estimator", "n_estimators", "learning_rate"), ("learning_rate",))
_NEIGHBORS = ("sklearn.", ("n_neighbors",), ("n_neighbors",))
_OPTIMIZER = ("torch.optim.", ("params", "lr"), ("lr",))
# class -> (module prefix, parameters that may be passed positionally in order, key hyperparameters)
_HYPERPARAMETERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "RandomForestClassifier": _FOREST, "RandomForestRegressor": _FOREST,
    "GradientBoostingClassifier": _BOOSTING, "GradientBoostingRegressor": _BOOSTING,
    "HistGradientBoostingClassifier": _BOOSTING, "HistGradientBoostingRegressor": _BOOSTING,
    "AdaBoostClassifier": _ADABOOST, "AdaBoostRegressor": _ADABOOST,
    "SVC": ("sklearn.", ("C", "kernel", "degree", "gamma"), ("C", "kernel", "gamma")),
    "SVR": ("sklearn.", ("kernel", "degree", "gamma", "coef0", "tol", "C"), ("C", "kernel", "gamma")),
    "NuSVC": ("sklearn.", ("nu", "kernel", "degree", "gamma"), ("nu", "kernel", "gamma")),
    "ElasticNet": ("sklearn.", ("alpha", "l1_ratio"), ("alpha", "l1_ratio")),
    "KNeighborsClassifier": _NEIGHBORS, "KNeighborsRegressor": _NEIGHBORS, "NearestNeighbors": _NEIGHBORS,
    "Adam": _OPTIMIZER, "AdamW": _OPTIMIZER, "SGD": _OPTIMIZER, "RMSprop": _OPTIMIZER, "Adagrad": _OPTIMIZER,
    "DataLoader": ("torch.utils.data.", ("dataset", "batch_size"), ("batch_size",)),
}  # fmt: skip


class HyperparameterNotSet(PythonRule):
    code = "MLS011"
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    triggers = ("sklearn", "torch")

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return super().wants(text, options) and any(name in text for name in _HYPERPARAMETERS)

    def visit_Call(self, node: cst.Call) -> None:
        entry = self._entry(node)
        if entry is None or pyutil.has_star_args(node) or pyutil.has_star_kwargs(node):
            return
        name, (_, order, wanted) = entry
        if name == "DataLoader" and pyutil.keyword(node, "batch_sampler") is not None:
            return  # batch_size must not be given with a batch sampler
        given = set(order[: len(pyutil.positional(node))])
        kernel = pyutil.keyword(node, "kernel")
        if kernel is not None and pyutil.string_value(kernel.value) == "linear":
            given.add("gamma")  # gamma is ignored by a linear kernel
        missing = [p for p in wanted if p not in given and pyutil.keyword(node, p) is None]
        if missing:
            self.report(node, call=name, missing=", ".join(missing))

    def _entry(self, node: cst.Call) -> tuple[str, tuple[str, tuple[str, ...], tuple[str, ...]]] | None:
        for qualified in pyutil.qualified_names(self, node.func):
            name = qualified.rsplit(".", 1)[-1]
            entry = _HYPERPARAMETERS.get(name)
            if entry is not None and qualified.startswith(entry[0]):
                return name, entry
        return None


# --- MLS017 data-leakage -----------------------------------------------------------------------

_ESTIMATOR_LIBRARIES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost")
_FIT_METHODS = frozenset({"fit", "fit_transform", "fit_resample"})
# Transformers whose fitted state carries no statistics of the rows (or only the set of labels).
_STATELESS = frozenset({
    "FunctionTransformer", "Normalizer", "Binarizer", "PolynomialFeatures", "HashingVectorizer", "FeatureHasher",
    "LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer", "OneHotEncoder", "OrdinalEncoder",
})  # fmt: skip
# Manifold learners without `transform` only draw the data they are given; a neighbours index
# only stores it.
_EMBEDDING_ONLY = frozenset({"TSNE", "MDS", "SpectralEmbedding", "NearestNeighbors"})
_CV_SINKS = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})
_SPLITTERS = frozenset({
    "KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "ShuffleSplit", "StratifiedShuffleSplit",
    "GroupShuffleSplit", "RepeatedKFold", "RepeatedStratifiedKFold", "TimeSeriesSplit", "LeaveOneOut", "LeavePOut",
    "LeaveOneGroupOut", "LeavePGroupsOut",
})  # fmt: skip
_COMBINERS = frozenset({"pandas.concat", "numpy.concatenate", "numpy.vstack", "numpy.hstack", "numpy.row_stack"})
_HELD_OUT = re.compile(r"(^|_)(test|val|valid|holdout)($|_)", re.IGNORECASE)
_NOT_HELD_OUT = re.compile(
    r"(^|_)(train|pred|preds|predictions|proba|probs|scores|logits|oof|meta)($|_)", re.IGNORECASE
)


def _is_held_out_name(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return bool(_HELD_OUT.search(last)) and not _NOT_HELD_OUT.search(last)


class DataLeakage(BindingRule):
    code = "MLS017"
    triggers = ("fit",)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return super().wants(text, options) and any(lib in text for lib in _ESTIMATOR_LIBRARIES)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.functions: list[cst.FunctionDef] = []
        self.reported: set[int] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        _Flow(self).run(original_node.body)
        for function in self.functions:
            _Flow(self).run(function.body.body)

    def leak(self, fit: cst.Call, problem: str) -> None:
        if id(fit) not in self.reported:
            self.reported.add(id(fit))
            self.report(fit, call=short_code(self, fit.func), problem=problem)

    def learns_state(self, receiver: cst.BaseExpression, method: str) -> bool:
        """A fit whose learned statistics leak: a stateful transformer, or a pipeline used as one."""
        kind = self.context.kinds.of(receiver)
        if kind is Kind.ESTIMATOR and method == "fit":
            return False
        return kind in (Kind.TRANSFORMER, Kind.ESTIMATOR) and self.class_of(receiver) not in _STATELESS


class _Flow:
    """Statement-order data flow through one body (a module or a function) for MLS017.

    `derived` holds names whose data came out of a fit on data that was not split yet; `fits`
    maps each fitted object to the names its fit saw; `splits` maps each train_test_split output
    to the names that were split; `held_out` holds the test outputs of train_test_split.
    """

    def __init__(self, rule: DataLeakage) -> None:
        self.rule = rule
        self.derived: dict[str, cst.Call] = {}
        self.derived_calls: dict[int, cst.Call] = {}
        self.fits: dict[str, tuple[cst.Call, set[str]]] = {}
        self.splits: dict[str, set[str]] = {}
        self.held_out: set[str] = set()

    def run(self, statements: Iterable[cst.CSTNode]) -> None:
        for statement in statements:
            self.visit(statement)

    def visit(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return  # functions are their own bodies
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and node.value is not None:
            self.visit(node.value)
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                self.bind(target, node.value, augmented=isinstance(node, cst.AugAssign))
            return
        if isinstance(node, cst.For):
            self.visit(node.iter)
            self.bind(node.target, node.iter)
            self.run([node.body, *([node.orelse] if node.orelse else [])])
            return
        for child in node.children:
            self.visit(child)
        if isinstance(node, cst.Call):
            self.on_call(node)

    # -- facts -----------------------------------------------------------------------------------

    def leak_in(self, expr: cst.BaseExpression) -> cst.Call | None:
        """The fit whose output flows into `expr`, if any."""
        for node in pyutil.walk(expr):
            if isinstance(node, cst.Call) and id(node) in self.derived_calls:
                return self.derived_calls[id(node)]
        return next((self.derived[n] for n in _data_names(expr) if n in self.derived), None)

    def bases(self, expr: cst.BaseExpression, any_rows: bool = False) -> set[str]:
        """Names whose rows `expr` carries in full (`df[cols]`, `X.values`, `df.drop(...)`, `concat([a, b])`).

        A row subset (`X[idx]`) carries only some rows, so it has no base unless `any_rows`.
        """
        if isinstance(expr, cst.Name):
            return {expr.value}
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in ("values", "T", "loc", "iloc"):
                return self.bases(expr.value, any_rows)
            name = pyutil.dotted_name(expr)
            return {name} if name else set()
        if isinstance(expr, cst.Subscript):
            return self.bases(expr.value, any_rows) if any_rows or self._all_rows(expr) else set()
        if isinstance(expr, cst.Call):
            method = pyutil.method_call(expr)
            if method is not None and method[1] in _ROW_METHODS:
                return self.bases(method[0], any_rows)
            if pyutil.qualified_names(self.rule, expr.func) & _COMBINERS and expr.args:
                parts = expr.args[0].value
                if isinstance(parts, (cst.List, cst.Tuple)):
                    return {name for e in parts.elements for name in self.bases(e.value, any_rows)}
        return set()

    def _all_rows(self, expr: cst.Subscript) -> bool:
        """`df["a"]`, `df[["a", "b"]]`, `X[:, 1:]`, `df[features]` with `features = ["a", "b"]`."""
        first = expr.slice[0].slice
        if isinstance(first, cst.Slice):
            return first.lower is None and first.upper is None and first.step is None
        index = first.value  # type: ignore[attr-defined]
        if isinstance(index, cst.Name):
            values = self.rule.values_of(index) or [(cst.Name("_"), None)]
            return all(i is None and _is_column_list(v) for v, i in values)
        return _is_column_list(index)

    # -- events ----------------------------------------------------------------------------------

    def bind(self, target: cst.BaseExpression, value: cst.BaseExpression, augmented: bool = False) -> None:
        leak = self.leak_in(value)
        split = isinstance(value, cst.Call) and sklearn_name(self.rule, value.func) == "train_test_split"
        split_from = {n for a in pyutil.positional(value) for n in self.bases(a.value)} if split else set()  # type: ignore[arg-type]
        if isinstance(target, (cst.Subscript, cst.Attribute)) and not pyutil.dotted_name(target):
            for name in self.bases(target, any_rows=True):  # `df[cols] = scaler.fit_transform(...)`
                if leak is not None:
                    self.derived[name] = leak
            return
        elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else [target]
        referenced = set(_data_names(value))
        for position, element in enumerate(elements):
            node = element.value if isinstance(element, (cst.Element, cst.StarredElement)) else element
            name = pyutil.dotted_name(node)  # type: ignore[arg-type]
            if name is None:
                continue
            if leak is not None:
                self.derived[name] = leak
            elif not augmented:
                self.derived.pop(name, None)
            if augmented:
                continue
            if name not in referenced:  # the name now holds other data
                for _, seen in self.fits.values():
                    seen.discard(name)
                for source in self.splits.values():
                    source.discard(name)
            self.splits.pop(name, None)
            self.held_out.discard(name)
            if split:
                self.splits[name] = set(split_from)
                if position % 2 == 1:
                    self.held_out.add(name)

    def on_call(self, call: cst.Call) -> None:
        name = sklearn_name(self.rule, call.func)
        method = pyutil.method_call(call)
        if method is not None:
            receiver, verb = method
            if verb in _FIT_METHODS:
                self.on_fit(call, receiver, verb)
            elif verb == "transform":
                self.on_transform(call, receiver)
            elif verb == "split" and self.rule.class_of(receiver) in _SPLITTERS:
                data = data_arg(call)
                fit = self.leak_in(data) if data is not None else None
                if fit is not None:
                    self.rule.leak(fit, f"data that is later split by {short_code(self.rule, call.func)}")
        if name == "train_test_split":
            for arg in pyutil.positional(call):
                fit = self.leak_in(arg.value)
                if fit is not None:
                    self.rule.leak(fit, "data that is later split by train_test_split")
        elif name in _CV_SINKS:
            args = pyutil.positional(call)
            data = args[1] if len(args) > 1 else pyutil.keyword(call, "X")
            fit = self.leak_in(data.value) if data is not None else None
            if fit is not None:
                self.rule.leak(fit, f"data that is later cross-validated by {name}")

    def on_fit(self, call: cst.Call, receiver: cst.BaseExpression, verb: str) -> None:
        data = data_arg(call)
        kind = self.rule.context.kinds.of(receiver)
        if data is None or kind not in (Kind.ESTIMATOR, Kind.TRANSFORMER):
            return
        held = next(
            (n for n in sorted(self.bases(data, any_rows=True)) if n in self.held_out or _is_held_out_name(n)), None
        )
        if held is not None and self.rule.class_of(receiver) not in _STATELESS | _EMBEDDING_ONLY:
            self.rule.leak(call, f"the held-out split '{held}'")
        if not self.rule.learns_state(receiver, verb):
            return
        key = pyutil.dotted_name(receiver) or f"#{id(call)}"
        self.fits[key] = (call, self.bases(data))
        if verb != "fit" and self.leak_in(data) is None:
            self.derived_calls[id(call)] = call

    def on_transform(self, call: cst.Call, receiver: cst.BaseExpression) -> None:
        data = data_arg(call)
        key = pyutil.dotted_name(receiver)
        if key is None and isinstance(receiver, cst.Call):
            key = f"#{id(receiver)}"  # `scaler.fit(X).transform(X)`
        if data is None or key not in self.fits:
            return
        fit, seen = self.fits[key]
        names = self.bases(data)
        if names & seen:
            self.derived_calls[id(call)] = fit
        if any(seen & self.splits.get(n, set()) for n in self.bases(data, any_rows=True)):
            self.rule.leak(fit, "data that includes the test part of a train_test_split")


def _is_column_list(node: cst.BaseExpression) -> bool:
    if pyutil.string_value(node) is not None:
        return True
    return isinstance(node, (cst.List, cst.Tuple)) and all(
        pyutil.string_value(e.value) is not None for e in node.elements
    )


def _data_names(expr: cst.CSTNode) -> Iterator[str]:
    """Names read as data in `expr` (not called functions, attribute names or keywords)."""
    if isinstance(expr, (cst.Name, cst.Attribute)) and pyutil.dotted_name(expr) is not None:
        yield pyutil.dotted_name(expr)  # type: ignore[misc]
        if isinstance(expr, cst.Attribute):
            yield from _data_names(expr.value)
        return
    if isinstance(expr, cst.Lambda):
        return
    if isinstance(expr, cst.Call):
        if isinstance(expr.func, cst.Attribute):
            yield from _data_names(expr.func.value)
        for arg in expr.args:
            yield from _data_names(arg.value)
        return
    for child in expr.children:
        yield from _data_names(child)


# --- MLS018 threshold-dependent-validation-only -------------------------------------------------

_THRESHOLD_METRICS = frozenset({"f1_score", "precision_score", "recall_score", "accuracy_score"})
_RANKING_METRICS = frozenset({
    "roc_auc_score", "auc", "average_precision_score", "log_loss", "brier_score_loss", "precision_recall_curve",
    "roc_curve", "det_curve", "RocCurveDisplay", "PrecisionRecallDisplay", "DetCurveDisplay", "plot_roc_curve",
    "plot_precision_recall_curve", "top_k_accuracy_score",
})  # fmt: skip
_RANKING_SCORERS = re.compile(r"^(roc_auc|average_precision|neg_log_loss|neg_brier_score)")
_OTHER_RANKING = frozenset({"AUROC", "BinaryAUROC", "MulticlassAUROC", "AveragePrecision", "AUC", "ROC"})


class ThresholdDependentValidationOnly(PythonRule):
    code = "MLS018"
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)
    triggers = ("_score",)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "sklearn" in text and super().wants(text, options)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.threshold_calls: list[tuple[cst.Call, str]] = []
        self.ranking = False

    def visit_Call(self, node: cst.Call) -> None:
        found = library_class(self, node.func, ("sklearn",))
        if found is not None and found[1] in _THRESHOLD_METRICS:
            self.threshold_calls.append((node, found[1]))

    def visit_Name(self, node: cst.Name) -> None:
        self._note_ranking(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._note_ranking(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = pyutil.string_value(node)
        self.ranking |= value is not None and bool(_RANKING_SCORERS.match(value))

    def _note_ranking(self, node: cst.BaseExpression) -> None:
        if self.ranking:
            return
        for name in pyutil.qualified_names(self, node):
            parts = name.split(".")
            sklearn_metric = parts[0] == "sklearn" and bool(_RANKING_METRICS & set(parts[1:]))
            other = parts[0] in ("torchmetrics", "keras", "tensorflow", "tf_keras") and parts[-1] in _OTHER_RANKING
            self.ranking |= sklearn_metric or other

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.threshold_calls and not self.ranking:
            names = list(dict.fromkeys(name for _, name in self.threshold_calls))
            self.report(self.threshold_calls[0][0], metrics=", ".join(names))


RULES: list[type[Rule]] = [
    ScalingMissingBeforeSensitiveEstimator,
    HyperparameterNotSet,
    DataLeakage,
    ThresholdDependentValidationOnly,
]
