"""Paths and values of DVC pipelines: joining a stage's `wdir`, whether an out covers a path,
dotted lookups into params (`a.b.0.c`), and params files read without DVC (YAML, JSON, TOML; a
Python params file would have to be run, so it is never read).
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.context.yaml_doc import YamlDoc

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

MISSING = object()


def join(folder: str, relative: str) -> str | None:
    """`folder/relative` normalised; None for absolute paths, URLs and paths escaping the repo."""
    if PurePosixPath(relative).is_absolute() or "://" in relative:
        return None
    joined = posixpath.normpath(posixpath.join(folder, relative))
    if joined.startswith("../") or joined == "..":
        return None
    return "" if joined == "." else joined


def covers(parent: str, path: str) -> bool:
    return parent in ("", path) or path.startswith(parent + "/")


def lookup(value: Any, dotted: str) -> Any:
    """`a.b.0.c` in nested mappings/lists, or MISSING."""
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def is_missing(value: Any) -> bool:
    return value is MISSING


# --- params files ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParamsFile:
    value: Any  # None when the format is not readable without running code (.py) or invalid
    readable: bool


def params_file(repo: RepoContext, path: str) -> ParamsFile | None:
    """A params file's content; None when it is not in the repository."""
    if not repo.has(path):
        return None
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        doc = repo.yaml(path)  # JSON is YAML
        return ParamsFile(doc.value, True) if isinstance(doc, YamlDoc) else ParamsFile(None, False)
    if suffix == ".toml":
        value, problem = load_toml(repo.file(path).text or "")
        return ParamsFile(value, problem is None)
    return ParamsFile(None, False)


def load_toml(text: str) -> tuple[Any, str | None]:
    """The TOML document, or None and why it is not valid TOML."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, f"it is not valid TOML: {exc}"
