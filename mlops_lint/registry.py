"""Join the catalogue (what people read) to the rule classes (the logic) by code.

The built-in rules come from `rules/` and `mlops_lint.checks.ALL_RULES`; installed plugins add theirs
(`mlops_lint.plugins`), joined the same way and refused when a code or name is already taken.
"""

from __future__ import annotations

from functools import cache

from mlops_lint.catalogue import CatalogueError, RuleMeta, load_catalogue
from mlops_lint.checks import ALL_RULES
from mlops_lint.plugins import BUILTIN_CODE, installed_plugins, merge
from mlops_lint.rule import Rule


@cache
def builtin_registry() -> dict[str, tuple[RuleMeta, type[Rule]]]:
    """The shipped rules by code; raises CatalogueError unless catalogue and classes match one to one."""
    metas = load_catalogue()
    classes: dict[str, type[Rule]] = {}
    for cls in ALL_RULES:
        if cls.code in classes:
            raise CatalogueError(f"two classes claim {cls.code}: {classes[cls.code].__name__}, {cls.__name__}")
        classes[cls.code] = cls
    missing_class = sorted(set(metas) - set(classes))
    missing_entry = sorted(set(classes) - set(metas))
    if missing_class or missing_entry:
        raise CatalogueError(
            f"catalogue entries without a class: {missing_class}; classes without an entry: {missing_entry}"
        )
    odd = sorted(code for code in metas if not BUILTIN_CODE.match(code))
    if odd:
        raise CatalogueError(f"built-in codes must match {BUILTIN_CODE.pattern}: {odd}")
    return {code: (meta, classes[code]) for code, meta in metas.items()}


@cache
def registry() -> dict[str, tuple[RuleMeta, type[Rule]]]:
    """Every rule by code: the built-in ones in catalogue order, then each plugin's in entry-point order.

    Raises CatalogueError (a PluginError for a plugin at fault) when something does not fit."""
    joined = dict(builtin_registry())
    plugins = installed_plugins()
    merge({code: meta for code, (meta, _cls) in joined.items()}, plugins)
    for plugin in plugins:
        joined.update({code: (meta, plugin.classes[code]) for code, meta in plugin.metas.items()})
    return joined


def metas() -> dict[str, RuleMeta]:
    return {code: meta for code, (meta, _cls) in registry().items()}
