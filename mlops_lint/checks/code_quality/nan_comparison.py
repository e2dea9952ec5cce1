"""Code quality: `x == np.nan` is always False (MLS002), on arrays, frames, tensors and scalars."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.context import pyutil
from mlops_lint.context.kinds import Kind
from mlops_lint.rule import PythonRule

if TYPE_CHECKING:
    import libcst as cst

else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


_NAN_NAMES = {"numpy.nan", "numpy.NaN", "numpy.NAN", "math.nan", "torch.nan", "pandas.NA"}
_ARRAY_LIKE = frozenset({Kind.DATAFRAME, Kind.SERIES, Kind.NDARRAY, Kind.TENSOR})


class NanEqualityComparison(PythonRule):
    code = "MLS002"

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "nan" in text.lower() or "NA" in text

    def _nan(self, node: cst.BaseExpression) -> str | None:
        """'NaN' or 'NA' when the expression is a missing-value constant, else None."""
        if isinstance(node, (cst.Name, cst.Attribute)):
            names = pyutil.qualified_names(self, node) & _NAN_NAMES
            if names:
                return "NA" if names == {"pandas.NA"} else "NaN"
        if isinstance(node, cst.Call) and "builtins.float" in pyutil.qualified_names(self, node.func):
            args = pyutil.positional(node)
            if len(node.args) == 1 and len(args) == 1:
                text = pyutil.string_value(args[0].value)
                if text is not None and text.strip().lower().lstrip("+-") == "nan":
                    return "NaN"
        return None

    def visit_Comparison(self, node: cst.Comparison) -> None:
        left = node.left
        for target in node.comparisons:
            right = target.comparator
            if isinstance(target.operator, (cst.Equal, cst.NotEqual)):
                for nan_side, other in ((right, left), (left, right)):
                    missing = self._nan(nan_side)
                    if missing:
                        self._report(node, nan_side, other, missing, isinstance(target.operator, cst.Equal))
                        return
            left = right

    def _report(
        self, node: cst.Comparison, nan_side: cst.BaseExpression, other: cst.BaseExpression, missing: str, equal: bool
    ) -> None:
        op = "==" if equal else "!="
        outcome = "NA" if missing == "NA" else ("False" if equal else "True")
        single = len(node.comparisons) == 1  # `a < b == np.nan` has no one-call rewrite
        function = self._isnan_function(other, missing) if single else None
        new_import: list[tuple[cst.CSTNode, str]] = []
        if function is None and single and missing == "NaN" and equal and self.context.kinds.of(other) is None:
            # nothing imported to test with: add `import math` once, above the first real statement
            anchor = pyutil.import_anchor(self.context.module)
            if anchor is not None and not re.search(r"\bmath\b", self.context.module.code):
                function, new_import = "math.isnan", [(anchor, "import math")]
        fix = None
        if function is not None and (equal or self.context.kinds.of(other) in _ARRAY_LIKE):
            argument = other
            if (argument.lpar or argument.rpar) and not isinstance(argument, (cst.Tuple, cst.Yield)):
                argument = argument.with_changes(lpar=[], rpar=[])
            replacement = f"{'' if equal else '~'}{function}({self.context.code_for(argument)})"
            fix = self.node_fix([(node, replacement)], lines_before=new_import, replacement=replacement)
        use = f"{function}()" if function else "isna()/isnan()"
        self.report(node, fix, op=op, nan=self.context.code_for(nan_side), outcome=outcome, use=use)

    def _isnan_function(self, other: cst.BaseExpression, missing: str) -> str | None:
        """The missing-value test to call on `other`, spelled with the module's own import alias."""
        module = self.context.module
        kind = self.context.kinds.of(other)
        if kind is Kind.TENSOR:
            alias = pyutil.module_alias(module, "torch")
            return f"{alias}.isnan" if alias else None
        pandas = pyutil.module_alias(module, "pandas")
        if pandas:
            return f"{pandas}.isna"
        if missing == "NA":
            return None
        numpy = pyutil.module_alias(module, "numpy")
        if numpy:
            return f"{numpy}.isnan"
        math = pyutil.module_alias(module, "math")
        return f"{math}.isnan" if math and kind is None else None


# --- MLS003 -----------------------------------------------------------------------------------


RULES = [NanEqualityComparison]
