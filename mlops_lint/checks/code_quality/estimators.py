"""Code quality: scikit-learn smells (data leakage, scaling, hyperparameters, metrics).

Classes are recognised by the name they resolve to (`sklearn.svm.SVC`), never by spelling, and
values by their visible bindings (`clf = SVC()`); anything else keeps a rule silent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.sklearn_common import ROW_METHODS, BindingRule, data_arg, sklearn_name
from mlops_lint.context import pyutil
from mlops_lint.context.pyutil import library_class
from mlops_lint.rule import PythonRule, Rule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


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
            return method is not None and method[1] in ROW_METHODS and self._raw(method[0], depth + 1)
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
    ThresholdDependentValidationOnly,
]
