"""Third-party rule packages: installed distributions that add rules through an entry point.

A plugin is a distribution with an entry point in the group `mlops_lint.plugins` that names a
module (or any object) with two attributes, as `mlops_lint.checks` modules have:

    [project.entry-points."mlops_lint.plugins"]
    team = "team_conventions"            # the module: CATALOGUE and RULES

    CATALOGUE = Path(__file__).parent / "rules"     # a folder of CODE-slug.yaml catalogue entries
    RULES = [EveryTrainingScriptLogsParams]         # the rule classes, one per entry

The catalogue is validated with the shipped `rule.schema.json` on every load (the built-in one is
checked by our own test suite instead), and the registry joins entries to classes exactly as it does
for the built-in rules. What a plugin may not do, and why:

- use a code of the `ML` namespace: built-in codes are stable forever and new ones appear with every
  release, so a plugin code is its own prefix of three or more capital letters and three digits
  (`TEAM001`), and that prefix selects the plugin's rules as `MLN` selects ours;
- reuse a code or a rule name another plugin (or a built-in rule) has: both select and suppress;
- add a family: families are the closed set of words users select by and the scorecard scores
  (`naming`, `data`, ...); a plugin rule belongs to one of them, never to `internal`.

Any of these is a `PluginError` naming the plugin, which the command line reports with exit 2.
Entry points are read on the first `registry()` call, not at import: `importlib.metadata` and a scan
of `sys.path` would otherwise cost every start-up, `--version` included. A plugin whose package is
uninstalled simply has no entry point any more: its rules are gone with it.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from mlops_lint.catalogue import CatalogueError, RuleMeta, load_catalogue
from mlops_lint.diagnostics import Family
from mlops_lint.rule import PathRule, PythonRule, RepoRule, Rule

ENTRY_POINT_GROUP = "mlops_lint.plugins"
BUILTIN_CODE = re.compile(r"^ML[NSEDGJRX][0-9]{3}$")
PLUGIN_CODE = re.compile(r"^(?!ML)[A-Z]{3,}[0-9]{3}$")
PLUGIN_CODE_HELP = "three or more capital letters not starting with ML, then three digits (e.g. TEAM001)"


class PluginError(CatalogueError):
    """An installed plugin cannot be used: its message names the plugin and what to change."""


@dataclass(frozen=True, slots=True)
class Plugin:
    """One entry point's rules, with the distribution that ships them (its version keys the cache)."""

    entry_point: str
    distribution: str
    version: str
    metas: dict[str, RuleMeta]
    classes: dict[str, type[Rule]]

    @property
    def label(self) -> str:
        return f"plugin '{self.entry_point}' ({self.distribution} {self.version})"


def prefix(code: str) -> str:
    """The letters of a code: `TEAM` for TEAM001, the selector that names a plugin's rules."""
    return code.rstrip("0123456789")


@cache
def installed_plugins() -> tuple[Plugin, ...]:
    """Every plugin of the environment, in entry-point name order (so output never depends on install order)."""
    if not _may_have_plugins():
        return ()
    from importlib.metadata import entry_points

    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: (ep.name, ep.value))
    return tuple(_load(ep) for ep in found)


def _may_have_plugins() -> bool:
    """False only when no installed distribution's `entry_points.txt` names our group.

    Importing `importlib.metadata` (email, zipfile, csv...) costs more than the rest of the lookup,
    and most environments have no plugin: reading the few small `entry_points.txt` files of the
    folders on `sys.path` first keeps that cost to runs that need it. Anything unusual on the path
    (a zip, an egg, an unreadable folder) answers True, so no plugin is ever missed."""
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as found:
                names = [e.name for e in found if e.name.endswith((".dist-info", ".egg-info"))]
        except NotADirectoryError:
            return True
        except OSError:
            continue  # a path entry that does not exist holds nothing
        for name in names:
            try:
                text = (Path(entry or ".") / name / "entry_points.txt").read_text(encoding="utf-8", errors="replace")
            except FileNotFoundError:
                continue
            except OSError:
                return True
            if ENTRY_POINT_GROUP in text:
                return True
    return False


def _load(entry_point: object) -> Plugin:
    from importlib.metadata import EntryPoint

    assert isinstance(entry_point, EntryPoint)
    dist = entry_point.dist
    distribution = dist.metadata["Name"] if dist is not None else "unknown distribution"
    version = dist.version if dist is not None else "0"
    label = f"plugin '{entry_point.name}' ({distribution} {version})"
    try:
        target = entry_point.load()
    except Exception as exc:  # a broken plugin is reported, never a traceback
        raise PluginError(f"{label}: cannot import {entry_point.value}: {type(exc).__name__}: {exc}") from exc
    catalogue = getattr(target, "CATALOGUE", None)
    rules = getattr(target, "RULES", None)
    if catalogue is None or rules is None:
        raise PluginError(f"{label}: {entry_point.value} must define CATALOGUE (a folder of YAML) and RULES")
    folder = Path(catalogue)
    if not folder.is_dir():
        raise PluginError(f"{label}: CATALOGUE {folder} is not a folder")
    try:
        metas = load_catalogue(folder)
    except PluginError:
        raise
    except CatalogueError as exc:
        raise PluginError(f"{label}: {exc}") from exc
    classes = _classes(label, rules)
    _join(label, metas, classes)
    return Plugin(entry_point.name, distribution, version, dict(metas), classes)


def _classes(label: str, rules: Iterable[object]) -> dict[str, type[Rule]]:
    classes: dict[str, type[Rule]] = {}
    for cls in rules:
        if not (isinstance(cls, type) and issubclass(cls, (PathRule, PythonRule, RepoRule))):
            raise PluginError(f"{label}: {cls!r} in RULES is not a PathRule, PythonRule or RepoRule subclass")
        code = getattr(cls, "code", None)
        if not isinstance(code, str):
            raise PluginError(f"{label}: {cls.__name__} has no `code`")
        if code in classes:
            raise PluginError(f"{label}: two classes claim {code}: {classes[code].__name__}, {cls.__name__}")
        classes[code] = cls
    return classes


def _join(label: str, metas: dict[str, RuleMeta], classes: dict[str, type[Rule]]) -> None:
    for code, meta in metas.items():
        if not PLUGIN_CODE.match(code):
            raise PluginError(f"{label}: {meta.source}: code {code} is not a plugin code: use {PLUGIN_CODE_HELP}")
        if meta.family is Family.INTERNAL:
            raise PluginError(f"{label}: {meta.source}: the internal family is the engine's own; pick another")
    missing_class = sorted(set(metas) - set(classes))
    missing_entry = sorted(set(classes) - set(metas))
    if missing_class or missing_entry:
        raise PluginError(
            f"{label}: catalogue entries without a class: {missing_class}; classes without an entry: {missing_entry}"
        )


def merge(builtin: dict[str, RuleMeta], plugins: Sequence[Plugin]) -> None:
    """Refuse a plugin code or rule name that a built-in rule or an earlier plugin already has."""
    owner_of_code: dict[str, str] = {code: "a built-in rule" for code in builtin}
    owner_of_name: dict[str, str] = {meta.name: f"built-in {code}" for code, meta in builtin.items()}
    for plugin in plugins:
        for code, meta in plugin.metas.items():
            if code in owner_of_code:
                raise PluginError(f"{plugin.label}: code {code} is already used by {owner_of_code[code]}")
            if meta.name in owner_of_name:
                owner = owner_of_name[meta.name]
                raise PluginError(f"{plugin.label}: rule name {meta.name} is already used by {owner}")
            owner_of_code[code] = plugin.label
            owner_of_name[meta.name] = f"{code} of {plugin.label}"


def plugin_versions(codes: Iterable[str]) -> list[str]:
    """`distribution==version` of the plugins that own any of `codes` (sorted): part of the result
    cache's key, so upgrading a plugin never serves findings its old version computed."""
    wanted = {code for code in codes if not BUILTIN_CODE.match(code)}
    if not wanted:
        return []
    return sorted({f"{p.distribution}=={p.version}" for p in installed_plugins() if wanted.intersection(p.metas)})
