"""How ruff is told which rules to run without overriding the repository's own ruff settings.

ruff layers rule selections: its defaults, then the configuration file (with `extend` chains),
then `--config KEY=VALUE` overrides, then the `--select`/`--ignore` flags. A layer with a
`select` starts afresh, so passing `--select` (as the bridge once did) cancelled the project's
`ignore` list: a repository that ignores F841 got F841 from us and none from `ruff check`. The
selection now goes in as `--config lint.select=[...]` and the project's ignores (those that touch
a selected code) are passed again as `--ignore`, the last layer, which only removes. So our set
is narrowed by the project's settings and never widens them; per-file-ignores, `exclude` and
`extend-exclude` are ruff's own and apply as they always did (with `--force-exclude`).

A project whose ruff settings require another ruff version (`required-version`) makes the bundled
ruff refuse to start, and `--config required-version=...` cannot help: ruff checks it while it
loads the file. For that case the root ruff table is written, without that one key, to a
temporary `ruff.toml` passed as `--config FILE`; relative paths in it resolve against the working
directory, the root, as in the original. ruff then reads no other configuration file, so nested
ruff configurations are not used in that case.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from mlops_lint.config import RuffSettings
from mlops_lint.context.lint_config import ProjectLinting, RuffConfig

_SELECTOR = re.compile(r"^[A-Z]+[0-9]*$")


def selection_arguments(settings: RuffSettings, linting: ProjectLinting) -> list[str]:
    """`--config lint.select=[...]` for our set, then `--ignore` for ours and the project's ignores."""
    chosen = [*settings.select, *settings.extend_select]
    project = [*(linting.ruff.ignore if linting.ruff else ()), *linting.ruff_hook_ignores]
    ignores = list(dict.fromkeys([*settings.ignore, *relevant_ignores(project, chosen)]))
    arguments = ["--config", f"lint.select = {toml_value(chosen)}"]
    if ignores:
        arguments += ["--ignore", ",".join(ignores)]
    return arguments


def relevant_ignores(ignores: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """The project's ignore selectors that can touch a chosen code. The others are left out:
    ruff refuses a selector it does not know, and a project pinned to another ruff version may
    ignore codes that the bundled ruff has never heard of."""
    found = []
    for ignore in ignores:
        if ignore == "ALL" or (
            _SELECTOR.match(ignore) and any(c == "ALL" or c.startswith(ignore) or ignore.startswith(c) for c in chosen)
        ):
            found.append(ignore)
    return found


def needs_override(config: RuffConfig | None, running: str) -> bool:
    """Whether the project's `required-version` excludes the ruff we run (ruff reads a bare
    version as `==`)."""
    wanted = config.required_version if config is not None else None
    if not wanted:
        return False
    try:
        specifier = SpecifierSet(wanted)
    except InvalidSpecifier:
        try:
            specifier = SpecifierSet(f"=={Version(wanted)}")
        except InvalidVersion:
            return True  # ruff would refuse it too
    try:
        return not specifier.contains(Version(running), prereleases=True)
    except InvalidVersion:
        return True


def override_file_text(root: Path, config: RuffConfig) -> str:
    """The project's ruff table as a standalone `ruff.toml`, without `required-version`, with
    `extend` made absolute (the copy lives elsewhere) or dropped when it leaves the root."""
    table = {key: value for key, value in config.table.items() if key != "required-version"}
    extend = table.pop("extend", None)
    if isinstance(extend, str):
        base = (root / config.path).parent / extend
        try:
            resolved = base.resolve()
            resolved.relative_to(root.resolve())
        except (OSError, ValueError):
            resolved = None
        if resolved is not None and resolved.is_file():
            table["extend"] = str(resolved)
    lines = []
    for key, value in table.items():
        text = toml_value(value)
        if text is not None:
            lines.append(f"{_key(key)} = {text}")
    return "\n".join(lines) + "\n"


def toml_value(value: Any) -> str | None:
    """A TOML value for what `tomllib` gave (strings, numbers, booleans, arrays, tables); None for
    what has no place in ruff's settings (dates)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Sequence):
        items = [toml_value(item) for item in value]
        return "[" + ", ".join(item for item in items if item is not None) + "]"
    if isinstance(value, Mapping):
        pairs = [(key, toml_value(item)) for key, item in value.items()]
        return "{" + ", ".join(f"{_key(key)} = {text}" for key, text in pairs if text is not None) + "}"
    return None


def _string(text: str) -> str:
    """json.dumps gives a TOML basic string once DEL is escaped too (TOML forbids it raw)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _key(key: object) -> str:
    return _string(str(key))
