"""Which files configure a project, and `extend`: one organisation's conventions file, many repositories.

`[tool.mlops-lint]` in pyproject.toml (or `.mlops-lint.toml`) may say `extend = "path/to/base.toml"`,
as in ruff: the base is read first and the extending file's keys override it. The base may extend
another file in turn; a cycle is an error that names the chain. A relative `extend` path resolves from
the folder of the file that names it (a submodule, `../conventions/mlops-lint.toml`), `~` from the home
folder. A base named pyproject.toml is read from its `[tool.mlops-lint]` table, any other file whole
(or from a `[tool.mlops-lint]` header, like `.mlops-lint.toml`).

How two layers merge (`merge`):
- the configuration's tables (`rules`, `rules.CODE`, `ruff`, `experiments`, `naming`, `per-file-ignores`)
  merge key by key, the extending file winning per key, so a repository adds one rule's options
  without restating the rest;
- values replace the base's: arrays (`select`, `exclude`, `naming.conventions`), `ignore` in either
  form, and an option whose value is a table (MLN004's `aliases`), as ruff's options do;
- `extend-select` and `extend-exclude` add to the base's, unless the extending file sets `select` or
  `exclude`, which start afresh (ruff's rule: a later `select` discards earlier extensions).

Every other path in the configuration (`baseline`, `experiments.schema`, the exclude globs) stays
relative to the project root: a shared file describes every repository that extends it.
"""

from __future__ import annotations

import copy
import difflib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_FILE = ".mlops-lint.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.mlops-lint"

ADDITIVE = {"extend-select": "select", "extend-exclude": "exclude"}  # key -> the key that resets it


class ConfigError(Exception):
    """A configuration problem; the message is one line that names the key."""


@dataclass(frozen=True)
class Layer:
    """One configuration file of the chain: its path, the table read (`tool.mlops-lint` or ''), and keys."""

    path: Path
    table: str
    raw: Mapping[str, Any]


@dataclass
class Merged:
    """The chain's merged table, and for each dotted key the file that set it (for `config show`)."""

    raw: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)


def find_config_file(root: Path) -> tuple[Path, str] | None:
    """The file that configures `root`: `.mlops-lint.toml`, else a pyproject.toml with our table.

    A pyproject.toml whose `[tool]` holds a near miss of our name (`[tool.mlops_lint]`,
    `[tool.mlopslint]`) is an error with a suggestion, not a silently ignored table."""
    dedicated = root / CONFIG_FILE
    if dedicated.is_file():
        return dedicated, ""
    pyproject = root / PYPROJECT
    if pyproject.is_file() and _mentions_tool(pyproject):
        tool = read_table(pyproject, "tool")
        if "mlops-lint" in tool:
            return pyproject, TABLE
        near = difflib.get_close_matches("mlops-lint", [str(key) for key in tool], n=1, cutoff=0.75)
        if near:
            raise ConfigError(f"{PYPROJECT}: [tool.{near[0]}] is not read: did you mean [tool.mlops-lint]?")
    return None


def _mentions_tool(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "[tool." in text or "tool =" in text


def read_table(path: Path, table: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot be read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: invalid TOML: {exc}") from exc
    for part in table.split(".") if table else ():
        data = data.get(part, {})
        if not isinstance(data, dict):
            raise ConfigError(f"{path.name}: {table} must be a table")
    return data


def read_layer(path: Path, table: str | None = None) -> Layer:
    """One file's table: `table` if given, else by its name (pyproject.toml: `[tool.mlops-lint]`)."""
    if table is None:
        table = TABLE if path.name == PYPROJECT else ""
    raw = read_table(path, table)
    if not table and set(raw) == {"tool"} and isinstance(raw["tool"], dict) and "mlops-lint" in raw["tool"]:
        # a dedicated file written like pyproject.toml, with a [tool.mlops-lint] header: same keys
        raw, table = raw["tool"]["mlops-lint"], TABLE
    return Layer(path, table, raw)


def read_chain(path: Path, table: str | None = None) -> list[Layer]:
    """The file and every file it extends, the most basic first. Raises ConfigError on a missing
    base or a cycle (`a.toml -> b.toml -> a.toml`)."""
    chain: list[Layer] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            names = " -> ".join(str(p) for p in [*seen, resolved])
            raise ConfigError(f"{path.name}: extend cycle: {names}")
        seen.append(resolved)
        layer = read_layer(current, table if current is path else None)
        chain.append(layer)
        base = layer.raw.get("extend")
        if base is None:
            current = None
        elif not isinstance(base, str) or not base:
            raise ConfigError(f"{current.name}: {layer.table or '(top level)'}.extend: expected a file path")
        else:
            current = (current.parent / Path(base).expanduser()).absolute()
            if not current.is_file():
                raise ConfigError(f"{layer.path.name}: extend: {base} not found (resolved to {current})")
    return list(reversed(chain))


def merge(chain: list[Layer]) -> Merged:
    """The layers merged, base first (see the module docstring for the rules), `extend` dropped."""
    merged = Merged()
    for layer in chain:
        raw = {key: value for key, value in layer.raw.items() if key != "extend"}
        for additive, resetter in ADDITIVE.items():
            if resetter in raw:
                merged.raw.pop(additive, None)
                _forget(merged.origins, additive)
            if additive in raw and additive in merged.raw:
                raw[additive] = [*merged.raw[additive], *raw[additive]]
        _merge_into(merged, raw, "", str(layer.path))
    return merged


def _merge_into(merged: Merged, raw: Mapping[str, Any], prefix: str, source: str) -> None:
    target = merged.raw
    for part in prefix.split(".") if prefix else ():
        target = target[part]
    for key, value in raw.items():
        dotted = f"{prefix}.{key}" if prefix else key
        structural = prefix == "rules" or (not prefix and key != "ignore")  # not an option's own table value
        mergeable = structural and isinstance(value, dict) and isinstance(target.get(key), dict)
        if mergeable:
            _merge_into(merged, value, dotted, source)
            continue
        target[key] = copy.deepcopy(value)
        _forget(merged.origins, dotted)
        merged.origins[dotted] = source


def _forget(origins: dict[str, str], dotted: str) -> None:
    for key in [k for k in origins if k == dotted or k.startswith(dotted + ".")]:
        del origins[key]
