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

This is the project's one import-alias resolver: the libcst rules read it through `ImportTable`,
the `ast` module facts (`python_facts`) through `Aliases`, and fixes that spell a call with the
module's own alias through `top_level_alias`; all three bind names with `import_binding` and
`from_binding`, so `import numpy as np` means the same thing everywhere.

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


def import_binding(name: str, asname: str | None) -> tuple[str, str]:
    """(local name, qualified name) bound by `import name [as asname]`."""
    if asname is not None:
        return asname, name
    root = name.split(".", 1)[0]
    return root, root


def from_binding(level: int, module: str | None, name: str, asname: str | None) -> tuple[str, str]:
    """(local name, qualified name) bound by `from <level dots><module> import name [as asname]`."""
    prefix = "." * level + (module or "")
    qualified = f"{prefix}.{name}" if prefix and not prefix.endswith(".") else prefix + name
    return asname or name, qualified


def _cst_asname(alias: cst.ImportAlias) -> str | None:
    return alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else None


def _cst_bindings(statement: cst.Import | cst.ImportFrom) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            full = dotted_name(alias.name)
            if full is not None:
                found.append(import_binding(full, _cst_asname(alias)))
    elif not isinstance(statement.names, cst.ImportStar):
        module = dotted_name(statement.module) if statement.module is not None else None
        for alias in statement.names:
            name = dotted_name(alias.name)
            if name is not None:
                found.append(from_binding(len(statement.relative), module, name, _cst_asname(alias)))
    return found


def _bindings(module: cst.Module) -> dict[str, set[str]]:
    bindings: dict[str, set[str]] = {}
    for statement in imports(module):
        for local, qualified in _cst_bindings(statement):
            bindings.setdefault(local, set()).add(qualified)
    return bindings


def resolve_dotted(dotted: str, targets: set[str] | list[str] | None, builtin: bool) -> set[str]:
    root, _, rest = dotted.partition(".")
    if targets is None:
        return {f"builtins.{dotted}"} if builtin and root in BUILTIN_NAMES else {dotted}
    return {f"{target}.{rest}" if rest else target for target in targets}


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
        return resolve_dotted(dotted, self.bindings.get(dotted.partition(".")[0]), builtin=True)


class Aliases:
    """Bindings collected one import at a time (the `ast` walk of `python_facts`); a name bound
    twice keeps its first binding, and a name no import binds resolves to itself."""

    def __init__(self) -> None:
        self.bindings: dict[str, str] = {}

    def add(self, local: str, qualified: str) -> None:
        self.bindings.setdefault(local, qualified)

    def __contains__(self, local: object) -> bool:
        return local in self.bindings

    def resolve(self, dotted: str) -> str:
        target = self.bindings.get(dotted.partition(".")[0])
        return next(iter(resolve_dotted(dotted, None if target is None else [target], builtin=False)))


def top_level_alias(module: cst.Module, target: str) -> str | None:
    """The name a top-level `import` binds to the module `target` (`import numpy as np` -> 'np'), if any."""
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for local, qualified in _cst_bindings(small):
                    if qualified == target:
                        return local
    return None
