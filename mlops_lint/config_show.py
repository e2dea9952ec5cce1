"""`mlops-lint config show`: the effective configuration, and which file each value came from.

The table printed is what the run uses: the defaults, then every file of the `extend` chain (most
basic first), merged by the same rules as `load_config` (`config_files.merge`). As TOML it is a
valid `.mlops-lint.toml`; each value carries a comment naming its file, or `(default)`.
As JSON it is `{"root", "files", "config", "origins"}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mlops_lint.config import (
    DEFAULT_ANALYSIS_TIMEOUT,
    DEFAULT_EXCLUDE,
    DEFAULT_SELECT,
    config_chain,
    load_config,
)
from mlops_lint.config_files import Layer, Merged, merge
from mlops_lint.context.files import DEFAULT_MAX_BYTES

DEFAULT = "(default)"
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _defaults() -> dict[str, Any]:
    return {
        "exclude": list(DEFAULT_EXCLUDE),
        "fail-on": "info",
        "max-file-bytes": DEFAULT_MAX_BYTES,
        "analysis-timeout": DEFAULT_ANALYSIS_TIMEOUT,
        "experiments": {"paths": ["experiments/*/"]},
        "ruff": {"enabled": True, "select": list(DEFAULT_SELECT), "defer-to-project-linter": True},
    }


def effective(root: Path, metas: Mapping[str, Any], config_file: Path | None = None) -> tuple[Merged, list[str]]:
    """The merged table with its origins, and the chain's files (most basic first), as shown paths.
    Validates the configuration first: a broken one raises ConfigError, as a `check` would."""
    load_config(root, metas, config_file)
    chain = config_chain(root, config_file)
    merged = merge([Layer(Path(DEFAULT), "", _defaults()), *chain])
    shown = {str(layer.path): _shown(layer.path, root) for layer in chain}
    merged.origins = {key: shown.get(source, source) for key, source in merged.origins.items()}
    return merged, [shown[str(layer.path)] for layer in chain]


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def render_json(root: Path, merged: Merged, files: list[str]) -> str:
    out = {"root": str(root), "files": files, "config": merged.raw, "origins": dict(sorted(merged.origins.items()))}
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def render_toml(root: Path, merged: Merged, files: list[str]) -> str:
    chain = " <- ".join(files) if files else "none: the defaults"
    lines = [f"# mlops-lint configuration of {root}", f"# files (each extended by the next): {chain}", ""]
    lines += _table(merged.raw, [], merged.origins)
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(table: Mapping[str, Any], path: list[str], origins: Mapping[str, str]) -> list[str]:
    lines = []
    nested = []
    for key, value in table.items():
        if isinstance(value, dict) and key != "ignore":
            nested.append((key, value))
        else:
            where = _origin([*path, key], origins)
            lines.append(f"{_key(key)} = {_value(value)}  # {where}")
    for key, value in nested:
        lines += ["", f"[{'.'.join(_key(part) for part in [*path, key])}]"]
        lines += _table(value, [*path, key], origins)
    return lines


def _origin(path: list[str], origins: Mapping[str, str]) -> str:
    for end in range(len(path), 0, -1):
        found = origins.get(".".join(path[:end]))
        if found is not None:
            return found
    return DEFAULT


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    """A TOML value: JSON's strings, numbers and booleans are TOML's; tables are written inline."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
