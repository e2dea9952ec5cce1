"""Where the shipped data lives: the rule catalogue, the templates and the JSON Schemas.

In a wheel, `rules/` and `templates/` are installed as package data under `mlops_lint/_data/`;
in a source checkout (or an editable install) they are the top-level folders of the project.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def rules_dir() -> Path:
    return _data_dir("rules")


def templates_dir() -> Path:
    return _data_dir("templates")


def hooks_manifest() -> Path:
    """The pre-commit hooks we publish (`.pre-commit-hooks.yaml`): `init` writes local copies of them."""
    installed = _PACKAGE / "_data" / "pre-commit-hooks.yaml"
    return installed if installed.is_file() else _PACKAGE.parent / ".pre-commit-hooks.yaml"


@cache
def schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in `mlops_lint/schemas/`."""
    with (_PACKAGE / "schemas" / name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded
