"""Join the catalogue (what people read) to the rule classes (the logic) by code."""

from __future__ import annotations

from functools import cache

from mlops_lint.catalogue import CatalogueError, RuleMeta, load_catalogue
from mlops_lint.checks import ALL_RULES
from mlops_lint.rule import Rule


@cache
def registry() -> dict[str, tuple[RuleMeta, type[Rule]]]:
    """Every rule by code; raises CatalogueError unless catalogue and classes match one to one."""
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
    return {code: (meta, classes[code]) for code, meta in metas.items()}


def metas() -> dict[str, RuleMeta]:
    return {code: meta for code, (meta, _cls) in registry().items()}
