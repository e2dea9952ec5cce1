"""Code quality: a pandas method, NumPy function or array method whose new result is thrown away (MLS007)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_lint.context import pyutil
from mlops_lint.context.kinds import FRAME_LIKE, Kind
from mlops_lint.context.notebook_program import displayed_expressions
from mlops_lint.rule import NodeFix, PythonRule, Rule

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


def inplace_flag(call: cst.Call) -> bool | None:
    """True/False when the call says so literally (absent means False); None when unknown."""
    arg = pyutil.keyword(call, "inplace")
    if arg is None:
        return None if pyutil.has_star_kwargs(call) else False
    if pyutil.is_true(arg.value):
        return True
    return False if isinstance(arg.value, cst.Name) and arg.value.value == "False" else None


# --- MLS007 -----------------------------------------------------------------------------------

_PURE_FRAME_METHODS = {
    "dropna", "fillna", "drop", "drop_duplicates", "rename", "replace", "astype", "sort_values", "sort_index",
    "reset_index", "set_index", "merge", "join", "assign", "clip", "abs", "round", "where", "mask", "ffill",
    "bfill", "interpolate", "reindex", "rename_axis", "add_prefix", "add_suffix", "set_axis", "transpose",
    "convert_dtypes", "infer_objects", "select_dtypes", "query", "explode", "melt", "pivot", "truncate",
    "tz_localize", "tz_convert",
}  # fmt: skip
# ndarray methods that return a new array (or a view) and leave the array as it was; `sort`,
# `fill`, `resize`, `put` and `itemset` work in place and are not listed
_PURE_ARRAY_METHODS = {
    "astype", "reshape", "flatten", "ravel", "copy", "transpose", "squeeze", "swapaxes", "clip", "round",
    "repeat", "take", "cumsum", "cumprod", "view",
}  # fmt: skip
# NumPy functions that return a new array, with the number of positional parameters before `out`
# (None: the function has no `out`); a call with more positional arguments passes `out` positionally.
_PURE_NUMPY = {
    "clip": 3, "round": 2, "around": 2, "abs": 1, "absolute": 1, "sqrt": 1, "exp": 1, "log": 1, "floor": 1,
    "ceil": 1, "rint": 1, "maximum": 2, "minimum": 2, "concatenate": 2, "where": None, "sort": None,
    "argsort": None, "append": None, "insert": None, "delete": None, "flip": None, "squeeze": None,
    "expand_dims": None, "reshape": None, "transpose": None, "unique": None, "nan_to_num": None,
}  # fmt: skip


class DiscardedResult(PythonRule):
    code = "MLS007"
    triggers = ("pandas", "numpy")

    def visit_Module(self, node: cst.Module) -> None:
        program = self.context.program
        self._displayed = displayed_expressions(program, node) if program is not None else frozenset()

    def visit_Expr(self, node: cst.Expr) -> None:
        if id(node) in self._displayed:
            return  # the last expression of a notebook cell is shown, not discarded
        if self._probes_for_an_error(node):
            return
        call = node.value
        if not isinstance(call, cst.Call) or pyutil.has_star_args(call):
            return
        found = pyutil.method_call(call)
        if found and found[1] in _PURE_FRAME_METHODS:
            receiver, method = found
            kind = self.context.kinds.of(receiver)
            if kind in FRAME_LIKE:
                if inplace_flag(call) is False:
                    self.report(call, self._assign_fix(call, receiver), call=f"{kind}.{method}", returns=str(kind))
                return
        if found and found[1] in _PURE_ARRAY_METHODS and not pyutil.has_star_kwargs(call):
            receiver, method = found
            if self.context.kinds.of(receiver) is Kind.NDARRAY:
                if pyutil.keyword(call, "out") is None:  # `a.clip(0, 1, out=a)` writes in place
                    self.report(call, self._assign_fix(call, receiver), call=f"ndarray.{method}", returns="ndarray")
                return
        for name in pyutil.qualified_names(self, call.func):
            short = name.removeprefix("numpy.")
            if short == name or short not in _PURE_NUMPY:
                continue
            if self._writes_in_place(call, _PURE_NUMPY[short]):
                return
            self.report(call, call=name, returns=str(Kind.NDARRAY))
            return

    def _probes_for_an_error(self, node: cst.Expr) -> bool:
        """The statement sits directly in a `try:` body with `except` handlers: it runs to see
        whether it raises (`try: df.assign(...) except KeyError: ...`), not for its result."""
        line = self.context.parent(node)
        block = self.context.parent(line) if line is not None else None
        owner = self.context.parent(block) if block is not None else None
        return isinstance(owner, cst.Try) and owner.body is block and bool(owner.handlers)

    @staticmethod
    def _writes_in_place(call: cst.Call, before_out: int | None) -> bool:
        if pyutil.has_star_kwargs(call) or pyutil.keyword(call, "out") is not None:
            return True
        copy = pyutil.keyword(call, "copy")  # np.nan_to_num(x, copy=False)
        if copy is not None and not pyutil.is_true(copy.value):
            return True
        return before_out is not None and len(pyutil.positional(call)) > before_out

    def _assign_fix(self, call: cst.Call, receiver: cst.BaseExpression) -> NodeFix | None:
        """`df = df.dropna()`, when `df` is a plain name bound in the statement's own scope.

        Binding a name that the scope only reads (a global used in a function) would make it local
        and break the reads above, so that case gets no fix.
        """
        if not isinstance(receiver, cst.Name):
            return None
        scope = self.context.kinds.scopes.get(receiver)
        if scope is None or not any(a.scope is scope for a in scope[receiver.value]):
            return None
        statement = f"{receiver.value} = {self.context.code_in_place(call)}"
        return self.node_fix([(call, statement)], statement=f"{receiver.value} = {self.context.code_for(call)}")


RULES: list[type[Rule]] = [DiscardedResult]
