"""Code quality: pandas smells (row iteration, chained indexing, reads without dtype, merges,
inplace results, `.values`).

Every rule here fires only when the kind index knows the object is a DataFrame or Series
(`self.context.kinds`), and library calls are resolved by qualified name, so
`from pandas import read_csv as rc` counts and a dict called `values` never does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.code_quality.discarded import inplace_flag
from mlops_lint.context import pyutil
from mlops_lint.context.kinds import FRAME_LIKE, Kind
from mlops_lint.fixes import Applicability
from mlops_lint.rule import PythonRule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


class _PandasRule(PythonRule):
    """A rule about pandas objects: the file must mention pandas and one of `triggers`."""

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "pandas" in text and super().wants(text, options)

    def kind(self, node: cst.BaseExpression) -> Kind | None:
        return self.context.kinds.of(node)


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _argument(call: cst.Call, name: str, parameters: Sequence[str]) -> cst.BaseExpression | None:
    """The value passed for parameter `name`, by keyword or by position in `parameters`."""
    arg = pyutil.keyword(call, name)
    if arg is not None:
        return arg.value
    positional = pyutil.positional(call)
    index = parameters.index(name)
    return positional[index].value if index < len(positional) else None


# --- MLS001 -----------------------------------------------------------------------------------


class DataframeRowIteration(_PandasRule):
    code = "MLS001"
    triggers = ("iterrows", "itertuples", "apply")

    def _check_iterable(self, iterable: cst.BaseExpression) -> None:
        found = pyutil.method_call(iterable)
        if found and found[1] in ("iterrows", "itertuples") and self.kind(found[0]) is Kind.DATAFRAME:
            self.report(iterable, method=f"{found[1]}()")

    def visit_For(self, node: cst.For) -> None:
        self._check_iterable(node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._check_iterable(node.iter)

    def visit_Call(self, node: cst.Call) -> None:
        found = pyutil.method_call(node)
        if not found or found[1] != "apply" or self.kind(found[0]) is not Kind.DATAFRAME:
            return
        value = _argument(node, "axis", ("func", "axis"))
        if value is None:
            return
        if (isinstance(value, cst.Integer) and value.value == "1") or pyutil.string_value(value) == "columns":
            self.report(node, method="apply(axis=1)")


def _single_index(node: cst.Subscript) -> cst.BaseExpression | None:
    """The index of `x[i]` when it is one plain index (not a slice, not `x[i, j]`)."""
    if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = node.slice[0].slice
        return index.value if index.star is None else None
    return None


class ChainedIndexingAssignment(_PandasRule):
    code = "MLS003"
    triggers = ("][",)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._check(target.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._check(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._check(node.target)

    def _check(self, target: cst.BaseExpression) -> None:
        if not isinstance(target, cst.Subscript) or not isinstance(target.value, cst.Subscript):
            return
        root: cst.BaseExpression = target.value
        while isinstance(root, cst.Subscript):  # `df["a"]["b"]["c"] = v`: any chain from a frame
            root = root.value
        if self.kind(root) is not Kind.DATAFRAME:
            return
        inner = target.value
        frame = self.context.code_for(root)
        column, row = _single_index(inner), _single_index(target)
        fix = None
        two = inner.value is root  # only `df[column][row]` has a one-step `.loc` rewrite
        if two and column is not None and row is not None and pyutil.string_value(column) is not None:
            code = self.context.code_for
            replacement = f"{frame}.loc[{code(row)}, {code(column)}]"
            fix = self.node_fix([(target, replacement)], replacement=replacement)
        self.report(target, fix, target=self.context.code_for(target), frame=frame)


# --- MLS004 -----------------------------------------------------------------------------------

_SCHEMALESS_READERS = {"pandas.read_csv", "pandas.read_table", "pandas.read_excel", "pandas.read_json"}


class ReadWithoutDtype(_PandasRule):
    code = "MLS004"
    triggers = ("read_",)

    def visit_Call(self, node: cst.Call) -> None:
        function = pyutil.call_name_in(self, node, _SCHEMALESS_READERS)
        if function is not None and not pyutil.passes(node, "dtype"):
            self.report(node, function=function)


# --- MLS006 -----------------------------------------------------------------------------------

_KEYS = "on (or left_on/right_on, left_index/right_index)"
_MERGE_PARAMETERS = ("left", "right", "how", "on", "left_on", "right_on", "left_index", "right_index", "sort",
                     "suffixes", "copy", "indicator", "validate")  # fmt: skip


class MergeParametersNotSet(_PandasRule):
    code = "MLS006"
    triggers = ("merge",)

    def visit_Call(self, node: cst.Call) -> None:
        found = pyutil.method_call(node)
        if pyutil.call_name_in(self, node, {"pandas.merge"}):
            function, parameters = "pandas.merge", _MERGE_PARAMETERS
        elif found and found[1] == "merge" and self.kind(found[0]) is Kind.DATAFRAME:
            function, parameters = "DataFrame.merge", _MERGE_PARAMETERS[1:]  # `self` is the left frame
        else:
            return
        if pyutil.has_star_kwargs(node) or pyutil.has_star_args(node):
            return

        def given(name: str) -> bool:
            value = _argument(node, name, parameters)
            return value is not None and not pyutil.is_none(value) and not _is_false(value)

        how = _argument(node, "how", parameters)
        cross = how is not None and pyutil.string_value(how) == "cross"
        missing = [] if given("how") else ["how"]
        left, right = given("left_on") or given("left_index"), given("right_on") or given("right_index")
        if not cross and not (given("on") or (left and right)):
            missing.append(_KEYS)
        if not cross and not given("validate"):
            missing.append("validate")
        if missing:
            self.report(node, function=function, missing=", ".join(missing))


# --- MLS008 -----------------------------------------------------------------------------------


class InplaceResultAssigned(_PandasRule):
    code = "MLS008"
    triggers = ("inplace",)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._check(node, [t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._check(node, [node.target], node.value)

    def _check(self, node: cst.CSTNode, targets: Sequence[cst.BaseExpression], value: cst.BaseExpression) -> None:
        found = pyutil.method_call(value)
        if not found or not isinstance(value, cst.Call) or inplace_flag(value) is not True:
            return
        receiver, method = found
        if self.kind(receiver) not in FRAME_LIKE:
            return
        arg = pyutil.keyword(value, "inplace")
        assert arg is not None
        args = [a for a in value.args if a is not arg]
        if args and value.args[-1] is arg:
            args[-1] = args[-1].with_changes(comma=arg.comma)
        name = pyutil.dotted_name(receiver)  # `df` or `self.df`
        same = len(targets) == 1 and name is not None and pyutil.dotted_name(targets[0]) == name
        fix = self.node_fix(
            [(value, self.context.code_in_place(value, value.with_changes(args=args)))],
            applicability=Applicability.SAFE if same else Applicability.UNSAFE,
        )
        self.report(node, fix, method=method, target=self.context.code_for(targets[0]))


# --- MLS009 -----------------------------------------------------------------------------------


class DataframeValuesAttribute(_PandasRule):
    code = "MLS009"
    triggers = (".values",)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.not_reads: set[int] = set()  # `.values` nodes that are not attribute reads

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "values":
            self.not_reads.add(id(node.func))  # `x.values()` is a method call (dict), not the attribute

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self.not_reads.add(id(node.target))  # `df.values = ...` is not a read (and has no fix)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.not_reads.add(id(node.target))

    def visit_Del(self, node: cst.Del) -> None:
        self.not_reads.add(id(node.target))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value != "values" or id(node) in self.not_reads:
            return
        kind = self.kind(node.value)
        if kind not in FRAME_LIKE:
            return
        applicability = Applicability.SAFE if kind is Kind.DATAFRAME else Applicability.UNSAFE
        fix = self.node_fix([(node.attr, "to_numpy()")], applicability=applicability)
        self.report(node, fix, kind=str(kind))


RULES = [
    DataframeRowIteration,
    ChainedIndexingAssignment,
    ReadWithoutDtype,
    MergeParametersNotSet,
    InplaceResultAssigned,
    DataframeValuesAttribute,
]
