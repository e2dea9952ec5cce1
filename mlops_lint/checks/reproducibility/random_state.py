"""MLR001 random-state-not-set: a scikit-learn call that draws random numbers without a seed.

Which calls draw with which arguments is in `sklearn_random`. This module follows the flow: a
seed of NumPy's global generator earlier in the same module or function (scikit-learn draws
from it when `random_state=None`), a call only displayed, a call inside a loop that varies the
random start on purpose (the finding stays, the fix is not offered).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from mlops_lint.checks.reproducibility.sklearn_random import (
    RESEEDING_ENSEMBLES,
    random_sklearn_call,
    seeding_functions,
    seeds_numpy,
)
from mlops_lint.context import pyutil
from mlops_lint.context.pyutil import library_class
from mlops_lint.rule import NodeFix, PythonRule, Rule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# Boosting libraries fix their own default seed (0 or a C++ default), so they are opt-in.
_BOOSTING = {
    "xgboost": ({"XGBClassifier", "XGBRegressor", "XGBRanker", "XGBRFClassifier", "XGBRFRegressor"},
                ("random_state", "seed")),
    "lightgbm": ({"LGBMClassifier", "LGBMRegressor", "LGBMRanker"}, ("random_state", "seed", "random_seed")),
    "catboost": ({"CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker", "CatBoost"},
                 ("random_seed", "random_state")),
}  # fmt: skip
SEED_CONSTANTS = ("SEED", "RANDOM_SEED", "RANDOM_STATE", "SEED_VALUE")


class RandomStateNotSet(PythonRule):
    code = "MLR001"
    triggers = ("sklearn", "xgboost", "lightgbm", "catboost")

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.reseeding: list[cst.Call] = []  # enclosing ensembles that seed their sub-estimators
        self.inspected: set[int] = set()  # `MLPClassifier().get_params()`: built only to be looked at
        self.displayed: set[int] = set()  # `LogisticRegression()` alone on a line: shown, never used
        self.seeded = [False]  # per flow (module, then each function): NumPy's global generator is seeded
        self.helpers: frozenset[str] = frozenset()  # functions of this module that seed NumPy
        self.loops: list[frozenset[str]] = []  # names bound by each enclosing for/while/comprehension

    def visit_Module(self, node: cst.Module) -> None:
        self.helpers = seeding_functions(self, node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.seeded.append(self.seeded[-1])  # a seed set before the definition has run when it is called

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.seeded.pop()

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, cst.Call):
            self.displayed.add(id(node.value))

    def visit_For(self, node: cst.For) -> None:
        self.loops.append(_names(node.target))

    def leave_For(self, original_node: cst.For) -> None:
        self.loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self.loops.append(frozenset())  # repeats the same body: never a sweep of the call's arguments

    def leave_While(self, original_node: cst.While) -> None:
        self.loops.pop()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self.loops.append(_names(node.target))

    def leave_CompFor(self, original_node: cst.CompFor) -> None:
        self.loops.pop()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Call) and node.attr.value in ("get_params", "_get_param_names"):
            self.inspected.add(id(node.value))

    def leave_Call(self, original_node: cst.Call) -> None:
        if self.reseeding and self.reseeding[-1] is original_node:
            self.reseeding.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if seeds_numpy(self, node, self.helpers):
            self.seeded[-1] = True
            return
        found = library_class(self, node.func, ("sklearn", *_BOOSTING))
        nested = bool(self.reseeding)  # `BaggingClassifier(DecisionTreeClassifier())`: the ensemble seeds the tree
        if found is not None and found[1] in RESEEDING_ENSEMBLES:
            self.reseeding.append(node)
        if nested or found is None or id(node) in self.inspected or id(node) in self.displayed:
            return
        if pyutil.has_star_kwargs(node) or pyutil.has_star_args(node):
            return
        library, name = found
        keywords: tuple[str, ...] = ("random_state",)
        if library in _BOOSTING:
            classes, keywords = _BOOSTING[library]
            if name not in classes or not self.options["boosting_libraries"]:
                return
            shown: str | None = name
        else:
            shown = random_sklearn_call(node, name)
            if shown is None or self.seeded[-1]:
                return  # deterministic with these arguments, or drawing from a seeded global generator
        given = [arg for arg in (pyutil.keyword(node, k) for k in keywords) if arg is not None]
        if given and not all(pyutil.is_none(arg.value) for arg in given):
            return
        fix = self._fix(node, given[0] if given else None) if self._fix_fits_loops(node) else None
        self.report(node, fix, call=shown, keyword=keywords[0])

    def _fix_fits_loops(self, call: cst.Call) -> bool:
        """Inside a loop, a fixed seed is offered only where each loop sweeps an argument of this
        call (`for k in ks: KMeans(n_clusters=k)`). A loop that builds the same call again, or
        whose variable is a seed or a run, varies the random start on purpose: a constant seed
        would make every round the same."""
        used = _names(call)
        return all(names & used and not any(_SEEDISH.search(n) for n in names) for names in self.loops)

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


_SEEDISH = re.compile(r"seed|run|trial|init|rep|restart|attempt|round", re.IGNORECASE)


def _names(node: cst.CSTNode) -> frozenset[str]:
    return frozenset(n.value for n in pyutil.walk(node) if isinstance(n, cst.Name))


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


RULES: list[type[Rule]] = [RandomStateNotSet]
