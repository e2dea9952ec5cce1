"""The repository's own linting: which linters it runs where, and what it told them to ignore.

Read once per run from the files themselves, never by running anything: ruff's settings
(`.ruff.toml`, `ruff.toml`, `[tool.ruff]` in `pyproject.toml`), flake8's (`[flake8]` in
`setup.cfg`, `tox.ini`, `.flake8`; `[tool.flake8]` for Flake8-pyproject), pylint's (`.pylintrc`,
`pylintrc`, `[tool.pylint.*]`, `[pylint.*]` sections) and the hooks of `.pre-commit-config.yaml`
(ruff, flake8, pylint and their nbQA forms, with their arguments). ruff's findings are narrowed by
it (ruff_project) and generic pyflakes findings are left to the linter the repository already runs.
A file that cannot be read or parsed counts as absent: it is no reason to report anything here.
"""

from __future__ import annotations

import configparser
import posixpath
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mlops_lint.context.files import read_inside
from mlops_lint.context.flake8_config import Flake8Ignores, from_arguments, from_options

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYTHON = (".py", ".pyi")
NOTEBOOK = (".ipynb",)
ALL = PYTHON + NOTEBOOK
# in ruff's order of precedence within one folder
RUFF_FILES = (".ruff.toml", "ruff.toml", "pyproject.toml")
FLAKE8_FILES = ("setup.cfg", "tox.ini", ".flake8")
PYLINT_FILES = (".pylintrc", "pylintrc")
PRE_COMMIT = ".pre-commit-config.yaml"
CONFIG_BYTES = 1 << 20
# pre-commit hook ids (ruff-pre-commit, flake8, pylint, nbQA) -> (tool, files it lints)
HOOKS = {
    "ruff": ("ruff", ALL),
    "ruff-check": ("ruff", ALL),
    "flake8": ("flake8", PYTHON),
    "pylint": ("pylint", PYTHON),
    "nbqa-ruff": ("ruff", NOTEBOOK),
    "nbqa-flake8": ("flake8", NOTEBOOK),
    "nbqa-pylint": ("pylint", NOTEBOOK),
}


@dataclass(frozen=True, slots=True)
class Linter:
    """A linter the repository runs: `folder` ("" = everywhere) and the files it reads."""

    tool: str
    folder: str
    suffixes: tuple[str, ...]
    source: str

    def covers(self, path: str) -> bool:
        inside = not self.folder or path.startswith(self.folder + "/")
        return inside and path.endswith(self.suffixes)


@dataclass(frozen=True, slots=True)
class RuffConfig:
    """The ruff configuration at the root, as ruff would find it there."""

    path: str
    table: Mapping[str, Any]  # the ruff table: [tool.ruff] of a pyproject, or the whole ruff.toml
    ignore: tuple[str, ...] = ()  # `ignore` and `extend-ignore` (top level and [lint]), `extend` followed

    @property
    def required_version(self) -> str | None:
        value = self.table.get("required-version")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class ProjectLinting:
    linters: tuple[Linter, ...] = ()
    flake8: tuple[Flake8Ignores, ...] = ()
    ruff: RuffConfig | None = None
    ruff_hook_ignores: tuple[str, ...] = ()  # `--ignore`/`--extend-ignore` of a ruff pre-commit hook

    def linted_by(self, path: str) -> Linter | None:
        return next((linter for linter in self.linters if linter.covers(path)), None)

    def flake8_silences(self, path: str, code: str) -> bool:
        return any(config.silences(path, code) for config in self.flake8)


@dataclass
class _Found:
    linters: list[Linter] = field(default_factory=list)
    flake8: list[Flake8Ignores] = field(default_factory=list)
    ruff: RuffConfig | None = None
    hook_ignores: list[str] = field(default_factory=list)


def read_project_linting(root: Path, files: Iterable[str]) -> ProjectLinting:
    """What the repository's own linters are told, from the configuration files among `files`."""
    found = _Found()
    names = sorted(set(files))
    for path in names:
        folder, name = posixpath.split(path)
        if name in RUFF_FILES:
            table = _ruff_table(root, path)
            if table is not None and _lints(table):
                found.linters.append(Linter("ruff", folder, ALL, path))
        if name in FLAKE8_FILES or name == "pyproject.toml":
            _flake8_and_pylint(root, path, folder, found)
        if name in PYLINT_FILES:
            found.linters.append(Linter("pylint", folder, PYTHON, path))
    if PRE_COMMIT in names:
        _pre_commit(root, found)
    ruff = next((config for name in RUFF_FILES if (config := _ruff_config(root, name)) is not None), None)
    return ProjectLinting(
        linters=tuple(sorted(set(found.linters), key=lambda linter: (linter.folder, linter.tool, linter.source))),
        flake8=tuple(found.flake8),
        ruff=ruff,
        ruff_hook_ignores=tuple(found.hook_ignores),
    )


def _read_text(root: Path, path: str) -> str | None:
    _problem, data = read_inside(root, path, CONFIG_BYTES)
    if data is None:
        return None
    return data.decode("utf-8", "replace")


def _toml(root: Path, path: str) -> dict[str, Any] | None:
    text = _read_text(root, path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None


def _ruff_table(root: Path, path: str) -> Mapping[str, Any] | None:
    data = _toml(root, path)
    if data is None:
        return None
    if posixpath.basename(path) == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("ruff") if isinstance(tool, dict) else None
        return table if isinstance(table, dict) else None
    return data


def _lints(table: Mapping[str, Any]) -> bool:
    """A ruff table that configures more than the formatter means the repository runs `ruff check`."""
    return any(key != "format" for key in table)


def _ruff_config(root: Path, path: str) -> RuffConfig | None:
    table = _ruff_table(root, path)
    if table is None:
        return None
    return RuffConfig(path=path, table=table, ignore=tuple(_ruff_ignores(root, path, table, depth=0)))


def _ruff_ignores(root: Path, path: str, table: Mapping[str, Any], depth: int) -> list[str]:
    """ruff's ignore lists; an `extend`ed file's come first, as ruff layers them."""
    found: list[str] = []
    extend = table.get("extend")
    if isinstance(extend, str) and depth < 8:
        base = posixpath.normpath(posixpath.join(posixpath.dirname(path), extend))
        parent = None if base.startswith("../") or posixpath.isabs(base) else _ruff_table(root, base)
        if parent is not None:
            found += _ruff_ignores(root, base, parent, depth + 1)
    lint = table.get("lint")
    for section in (table, lint if isinstance(lint, dict) else {}):
        for key in ("ignore", "extend-ignore"):
            value = section.get(key)
            if isinstance(value, list):
                found += [item for item in value if isinstance(item, str)]
    return found


def _flake8_and_pylint(root: Path, path: str, folder: str, found: _Found) -> None:
    if path.endswith("pyproject.toml"):
        data = _toml(root, path) or {}
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        if isinstance(tool.get("flake8"), dict):
            found.linters.append(Linter("flake8", folder, PYTHON, path))
            found.flake8.append(from_options(_plain(tool["flake8"]), f"{path} [tool.flake8]", folder))
        if isinstance(tool.get("pylint"), dict):
            found.linters.append(Linter("pylint", folder, PYTHON, path))
        return
    text = _read_text(root, path)
    if text is None:
        return
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(text, source=path)
    except (configparser.Error, ValueError):
        return
    if parser.has_section("flake8"):
        found.linters.append(Linter("flake8", folder, PYTHON, path))
        found.flake8.append(from_options(dict(parser.items("flake8")), f"{path} [flake8]", folder))
    if any(section.lower().startswith("pylint") for section in parser.sections()):
        found.linters.append(Linter("pylint", folder, PYTHON, path))


def _plain(table: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in table.items() if isinstance(v, (str, list, dict))}


def _pre_commit(root: Path, found: _Found) -> None:
    text = _read_text(root, PRE_COMMIT)
    try:
        data = yaml.safe_load(text) if text is not None else None
    except yaml.YAMLError:
        return
    repos = data.get("repos") if isinstance(data, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        hooks = repo.get("hooks") if isinstance(repo, dict) else None
        for hook in hooks if isinstance(hooks, list) else []:
            if isinstance(hook, dict):
                _hook(hook, found)


def _hook(hook: Mapping[str, Any], found: _Found) -> None:
    known = HOOKS.get(str(hook.get("id", ""))) or _local_hook(hook.get("entry"))
    if known is None:
        return
    tool, suffixes = known
    source = f"{PRE_COMMIT} hook {hook.get('id')}"
    found.linters.append(Linter(tool, "", suffixes, source))
    args = hook.get("args")
    args = [str(arg) for arg in args] if isinstance(args, list) else []
    if tool == "flake8":
        found.flake8.append(from_arguments(args, source, suffixes))
    elif tool == "ruff":
        found.hook_ignores += [code for code in from_arguments(args, source, suffixes).ignore]


def _local_hook(entry: object) -> tuple[str, tuple[str, ...]] | None:
    """A `repo: local` hook whose entry runs a linter (`flake8`, `python -m pylint`, `ruff check`)."""
    if not isinstance(entry, str):
        return None
    try:
        words = shlex.split(entry)
    except ValueError:
        return None
    if words[:2] in (["python", "-m"], ["python3", "-m"]):
        words = words[2:]
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program == "ruff" and "format" in words[1:2]:
        return None
    return HOOKS.get(program)
