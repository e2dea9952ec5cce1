"""Qualified names from the module's imports: `np.random.seed` -> `numpy.random.seed`.

libcst's QualifiedNameProvider answers the same question through a full scope analysis, which
costs about five times the parse of the module; the rules only ever ask it about library calls
(`pandas.read_csv`, `torch.save`, `sklearn.svm.SVC`). This resolver reads the import statements
once (`cst_walk.imports`: expression subtrees are never entered) and resolves a name or a dotted
attribute chain by its first name:

- `import numpy as np` binds `np` to `numpy`; `import os.path` binds `os` to `os`;
  `from sklearn.svm import SVC as S` binds `S` to `sklearn.svm.SVC`; `from . import util`
  binds `util` to `.util`. Imports anywhere in the module count (inside functions, `try`).
- A name that no import binds is a builtin (`builtins.open`) if Python has one, else itself
  (a module-level function `train` is `train`), as libcst reports local names.
- Anything else (a call's result, a subscript) has no qualified name.

The trade-off, chosen on purpose: a local variable that shadows an import name (`def f(pd): ...`)
is still read as the import. Such code is rare, and the rules stay silent on any call that does
not match a library name exactly.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from mlops_lint.context.cst_walk import imports

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

BUILTIN_NAMES = frozenset(dir(builtins))


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return None if base is None else f"{base}.{node.attr.value}"
    return None


def _bindings(module: cst.Module) -> dict[str, set[str]]:
    bindings: dict[str, set[str]] = {}
    for statement in imports(module):
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                full = dotted_name(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    bindings.setdefault(alias.asname.name.value, set()).add(full)
                else:
                    root = full.split(".", 1)[0]
                    bindings.setdefault(root, set()).add(root)
        elif not isinstance(statement.names, cst.ImportStar):
            module_name = dotted_name(statement.module) if statement.module is not None else ""
            prefix = "." * len(statement.relative) + (module_name or "")
            for alias in statement.names:
                name = dotted_name(alias.name)
                if name is None:
                    continue
                asname = alias.asname.name if alias.asname is not None else None
                local = asname.value if isinstance(asname, cst.Name) else name
                qualified = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
                bindings.setdefault(local, set()).add(qualified)
    return bindings


class ImportTable:
    """The module's import bindings, and qualified names resolved through them."""

    def __init__(self, module: cst.Module) -> None:
        self.bindings = _bindings(module)

    def qualified(self, node: cst.CSTNode) -> set[str]:
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return set()
        dotted = dotted_name(node)
        if dotted is None:
            return set()
        root, _, rest = dotted.partition(".")
        targets = self.bindings.get(root)
        if targets is None:
            if root in BUILTIN_NAMES:
                return {f"builtins.{dotted}"}
            return {dotted}
        return {f"{target}.{rest}" if rest else target for target in targets}
