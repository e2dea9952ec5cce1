"""Reproducibility: seeds, random_state, determinism, paths and pinned dependencies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks import pyutil
from mlops_lint.checks.code_quality_sklearn import library_class
from mlops_lint.rule import NodeFix, PythonRule, Rule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# --- MLR001 random-state-not-set ----------------------------------------------------------------

_RESEEDING_ENSEMBLES = frozenset({"BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier", "AdaBoostRegressor"})
_ALWAYS_RANDOM = frozenset({
    "train_test_split", "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold",
    "RepeatedStratifiedKFold", "make_classification", "make_regression", "make_blobs", "make_moons",
    "make_circles", "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor", "MLPClassifier", "MLPRegressor",
    "SGDClassifier", "SGDRegressor", "SGDOneClassSVM", "KMeans", "MiniBatchKMeans", "DecisionTreeClassifier",
    "DecisionTreeRegressor", "IsolationForest", "TSNE", "TruncatedSVD", *_RESEEDING_ENSEMBLES,
})  # fmt: skip
_RANDOM_WITH_SHUFFLE = frozenset({"KFold", "StratifiedKFold", "StratifiedGroupKFold"})
_RANDOM_SOLVERS = {"PCA": ("svd_solver", {"randomized", "arpack"}),
                   "LogisticRegression": ("solver", {"sag", "saga", "liblinear"})}  # fmt: skip
# Boosting libraries fix their own default seed (0 or a C++ default), so they are opt-in.
_BOOSTING = {
    "xgboost": ({"XGBClassifier", "XGBRegressor", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor"},
                ("random_state", "seed")),
    "lightgbm": ({"LGBMClassifier", "LGBMRegressor", "LGBMRanker"}, ("random_state", "seed", "random_seed")),
    "catboost": ({"CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker", "CatBoost"},
                 ("random_seed", "random_state")),
}  # fmt: skip
SEED_CONSTANTS = ("SEED", "RANDOM_SEED", "RANDOM_STATE", "SEED_VALUE")


def _literal(call: cst.Call, name: str) -> str | bool | None:
    """The value of keyword `name` when it is a string literal or True/False, else None."""
    arg = pyutil.keyword(call, name)
    if arg is None:
        return None
    if isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False"):
        return arg.value.value == "True"
    return pyutil.string_value(arg.value)


class RandomStateNotSet(PythonRule):
    code = "MLR001"
    triggers = ("sklearn", "xgboost", "lightgbm", "catboost")

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.reseeding: list[cst.Call] = []  # enclosing ensembles that seed their sub-estimators
        self.inspected: set[int] = set()  # `MLPClassifier().get_params()`: built only to be looked at

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Call) and node.attr.value in ("get_params", "_get_param_names"):
            self.inspected.add(id(node.value))

    def leave_Call(self, original_node: cst.Call) -> None:
        if self.reseeding and self.reseeding[-1] is original_node:
            self.reseeding.pop()

    def visit_Call(self, node: cst.Call) -> None:
        found = library_class(self, node.func, ("sklearn", *_BOOSTING))
        nested = bool(self.reseeding)  # `BaggingClassifier(DecisionTreeClassifier())`: the ensemble seeds the tree
        if found is not None and found[1] in _RESEEDING_ENSEMBLES:
            self.reseeding.append(node)
        if nested or found is None or id(node) in self.inspected:
            return
        if pyutil.has_star_kwargs(node) or pyutil.has_star_args(node):
            return
        library, name = found
        keywords: tuple[str, ...] = ("random_state",)
        shown = name
        if library in _BOOSTING:
            classes, keywords = _BOOSTING[library]
            if name not in classes or not self.options["boosting_libraries"]:
                return
        elif name in _RANDOM_WITH_SHUFFLE:
            if _literal(node, "shuffle") is not True:
                return
            shown = f"{name}(shuffle=True)"
        elif name in _RANDOM_SOLVERS:
            option, randomized = _RANDOM_SOLVERS[name]
            value = _literal(node, option)
            if value not in randomized:
                return
            shown = f"{name}({option}={value!r})"
        elif name not in _ALWAYS_RANDOM or _literal(node, "shuffle") is False:
            return
        given = [arg for arg in (pyutil.keyword(node, k) for k in keywords) if arg is not None]
        if given and not all(pyutil.is_none(arg.value) for arg in given):
            return
        self.report(node, self._fix(node, given[0] if given else None), call=shown, keyword=keywords[0])

    def _fix(self, call: cst.Call, none_arg: cst.Arg | None) -> NodeFix:
        seed = self._seed_for(call)
        if none_arg is not None:
            return self.node_fix([(none_arg.value, seed)], keyword=none_arg.keyword.value, seed=seed)  # type: ignore[union-attr]
        return self.node_fix([self._add_keyword(call, f"random_state={seed}")], keyword="random_state", seed=seed)

    def _add_keyword(self, call: cst.Call, keyword: str) -> tuple[cst.CSTNode, str]:
        """Append `keyword` to the call's arguments, keeping a multi-line call's layout.

        A one-line call is re-rendered with libcst; in a multi-line call only the last argument is
        replaced (by its own source text plus the new argument), because a node rendered on its
        own loses the indentation of the block it sits in.
        """
        name, _, value = keyword.partition("=")
        if "\n" not in self.context.code_for(call) or not call.args:
            return call, self.context.code_for(pyutil.with_keyword(call, name, value))
        last = call.args[-1]
        text = self._source(last)  # an argument's span covers its value's parentheses, not its comma
        after = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else last.whitespace_after_arg
        before = call.args[-2].comma if len(call.args) > 1 else None
        one_per_line = isinstance(after, cst.ParenthesizedWhitespace) and (
            isinstance(last.comma, cst.Comma)
            or (isinstance(before, cst.Comma) and isinstance(before.whitespace_after, cst.ParenthesizedWhitespace))
        )
        if isinstance(after, cst.ParenthesizedWhitespace) and after.first_line.comment and last.keyword:
            return last, f"{keyword}, {text}"  # keep the comment next to the argument it explains
        if one_per_line:
            span = self.context.span(last)
            prefix = self.context.lines[span.start_line - 1][: span.start_col - 1]
            indent = "".join(c if c in " \t" else " " for c in prefix)  # line up under the last argument
            return last, f"{text},{self.context.newline}{indent}{keyword}"
        return last, f"{text}, {keyword}"

    def _source(self, node: cst.CSTNode) -> str:
        span = self.context.span(node)
        lines = self.context.lines[span.start_line - 1 : span.end_line]
        if len(lines) == 1:
            return lines[0][span.start_col - 1 : span.end_col - 1]
        return lines[0][span.start_col - 1 :] + "".join(lines[1:-1]) + lines[-1][: span.end_col - 1]

    def _seed_for(self, call: cst.Call) -> str:
        """A module-level seed constant visible where the call runs, else the literal 42."""
        body = self.context.module.body
        where = next((i for i, statement in enumerate(body) if any(n is call for n in pyutil.walk(statement))), 0)
        deferred = isinstance(body[where], cst.FunctionDef) if body else False
        for name in SEED_CONSTANTS:
            for index, statement in enumerate(body):
                if (deferred or index < where) and _assigns(statement, name):
                    return name
        return "42"


def _assigns(statement: cst.BaseStatement, name: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Assign) and any(
            isinstance(t.target, cst.Name) and t.target.value == name for t in small.targets
        ):
            return True
        if (
            isinstance(small, cst.AnnAssign)
            and small.value is not None
            and isinstance(small.target, cst.Name)
            and small.target.value == name
        ):
            return True
    return False


# --- MLR003 dataloader-shuffle-without-generator ------------------------------------------------

_DATALOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})


class DataloaderShuffleWithoutGenerator(PythonRule):
    code = "MLR003"
    triggers = ("DataLoader",)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return super().wants(text, options) and bool(re.search(r"shuffle\s*=\s*True", text))

    def visit_Call(self, node: cst.Call) -> None:
        if pyutil.call_name_in(self, node, _DATALOADERS) is None:
            return
        shuffle = pyutil.keyword(node, "shuffle")
        if shuffle is None or not pyutil.is_true(shuffle.value):
            return
        if pyutil.passes(node, "generator") or pyutil.passes(node, "sampler"):
            return
        self.report(node)


# --- MLR004 nondeterministic-torch-training -----------------------------------------------------

_DETERMINISM_SWITCHES = frozenset({"torch.use_deterministic_algorithms"})
_LIGHTNING_TRAINERS = frozenset({"lightning.Trainer", "pytorch_lightning.Trainer", "lightning.pytorch.Trainer"})


class NondeterministicTorchTraining(PythonRule):
    code = "MLR004"
    triggers = ("backward", "cudnn")

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "torch" in text and super().wants(text, options)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.first_backward: cst.Call | None = None
        self.deterministic = False

    def visit_Assign(self, node: cst.Assign) -> None:
        if not pyutil.is_true(node.value):
            return
        for target in node.targets:
            names = pyutil.qualified_names(self, target.target)
            if "torch.backends.cudnn.benchmark" in names:
                self.report(node, reason="torch.backends.cudnn.benchmark = True picks kernels by timing")
            elif "torch.backends.cudnn.deterministic" in names:
                self.deterministic = True

    def visit_Call(self, node: cst.Call) -> None:
        method = pyutil.method_call(node)
        if method is not None and method[1] == "backward":
            self.first_backward = self.first_backward or node
        elif pyutil.call_name_in(self, node, _DETERMINISM_SWITCHES):
            args = pyutil.positional(node)
            mode = args[0] if args else pyutil.keyword(node, "mode")
            self.deterministic |= mode is not None and pyutil.is_true(mode.value)
        elif pyutil.call_name_in(self, node, _LIGHTNING_TRAINERS):
            switch = pyutil.keyword(node, "deterministic")
            self.deterministic |= switch is not None and not _is_false(switch.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.first_backward is not None and not self.deterministic:
            self.report(self.first_backward, reason="Training never enables deterministic algorithms")


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


# --- MLR006 absolute-local-path -----------------------------------------------------------------

_USER_PATH = re.compile(
    r"^(?:/(?:home|Users)/[^/]+/|[A-Za-z]:[\\/](?:Users|Documents and Settings)[\\/]|/content/drive/."
    r"|~/(?!Library/)[^.]|/mnt/[A-Za-z]/Users/|/root/.)"
)
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")


class AbsoluteLocalPath(PythonRule):
    code = "MLR006"
    triggers = ("/home/", "Users", "/content/drive/", "~/", "/root/", "Documents and Settings")

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.skip: set[int] = set()
        self.active = not _TEST_FILE.search(self.context.path)

    def visit_Expr(self, node: cst.Expr) -> None:
        """A string standing alone as a statement is a docstring or a comment, not a path in use."""
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self.skip.update(id(child) for child in pyutil.walk(node.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.active and id(node) not in self.skip:
            self._check(node, pyutil.string_value(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if not self.active or id(node) in self.skip or not node.parts:
            return
        first = node.parts[0]
        if isinstance(first, cst.FormattedStringText):  # only the literal prefix can be judged
            raw = "r" in node.prefix.lower()
            self._check(node, first.value if raw else first.value.replace("\\\\", "\\"))

    def _check(self, node: cst.CSTNode, value: str | None) -> None:
        if value and _USER_PATH.match(value):
            shown = value if len(value) <= 40 else value[:37] + "..."
            self.report(node, path=shown)


RULES: list[type[Rule]] = [
    RandomStateNotSet,
    DataloaderShuffleWithoutGenerator,
    NondeterministicTorchTraining,
    AbsoluteLocalPath,
]
