"""MLS017 data-leakage: preprocessing fitted on data that is later split, or fitted on held-out data.

A small flow analysis over each function body (and the module body) in statement order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.sklearn_common import (
    ROW_METHODS,
    BindingRule,
    data_arg,
    data_names,
    is_column_list,
    short_code,
    sklearn_name,
)
from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import Rule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

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
_CV_SINKS = frozenset({
    "cross_val_score", "cross_validate", "cross_val_predict", "learning_curve", "validation_curve",
    "permutation_test_score",
})  # fmt: skip
# Searches that cross-validate every candidate on the data given to their `fit`
_SEARCHES = frozenset({"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV"})
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
        for child in pyutil.children(node):
            self.visit(child)
        if isinstance(node, cst.Call):
            self.on_call(node)

    # -- facts -----------------------------------------------------------------------------------

    def leak_in(self, expr: cst.BaseExpression) -> cst.Call | None:
        """The fit whose output flows into `expr`, if any."""
        for node in pyutil.walk(expr):
            if isinstance(node, cst.Call) and id(node) in self.derived_calls:
                return self.derived_calls[id(node)]
        return next((self.derived[n] for n in data_names(expr) if n in self.derived), None)

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
            if method is not None and method[1] in ROW_METHODS:
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
            return all(i is None and is_column_list(v) for v, i in values)
        return is_column_list(index)

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
        referenced = set(data_names(value))
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
            fitted = self.fits.get(f"#{id(value)}") if len(elements) == 1 else None
            if fitted is not None:  # `scaler = StandardScaler().fit(X)`: the name holds the fitted object
                self.fits[name] = fitted

    def on_call(self, call: cst.Call) -> None:
        name = sklearn_name(self.rule, call.func)
        method = pyutil.method_call(call)
        if method is not None:
            receiver, verb = method
            if verb == "fit" and self.rule.class_of(receiver) in _SEARCHES:
                data = data_arg(call)
                fit = self.leak_in(data) if data is not None else None
                if fit is not None:
                    self.rule.leak(fit, f"data that is later cross-validated by {self.rule.class_of(receiver)}")
            elif verb in _FIT_METHODS:
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


RULES: list[type[Rule]] = [DataLeakage]
