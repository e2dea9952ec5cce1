"""What kind of Python project a folder belongs to, read statically from its packaging files.

Pinning advice depends on it: an application or an experiment environment should pin what it runs
with, a library should declare ranges (pinning them would make it uninstallable next to anything
else). Nothing here executes or imports the project: `pyproject.toml` is read with tomllib,
`setup.py` with `ast`, `setup.cfg` with configparser.

A **project folder** is a folder holding `pyproject.toml`, `setup.py` or `setup.cfg`. It is a
**library** when it is meant to be built and installed as a distribution:

- it has a `setup.py` that calls `setup(...)`, or a `setup.cfg` with `[metadata] name` and an
  `[options]` section (setuptools' declarative form); or
- its `pyproject.toml` has both a `[project]` table with a name and a `[build-system]` table, and
  says nowhere that it is not a package (`[tool.uv] package = false`, `[tool.poetry]
  package-mode = false`, `[tool.pdm] distribution = false`): those are the application signals;
  a `pyproject.toml` without `[build-system]` is an application (uv's "virtual project") or only
  tool configuration.

What a library declares (`declared`) is the set of normalised package names of its
`[project].dependencies`, `optional-dependencies` and `[dependency-groups]`, Poetry's dependency
tables, `setup.cfg`'s `install_requires`/`extras_require`, and every requirement-looking string
literal of a list, tuple or set in `setup.py` (which covers `install_requires=[...]`,
`extras_require` and the `_deps` tables of Hugging Face's setup files). `reads` are the files the
library takes its dependencies from (`open("requirements.txt")` in setup.py, setuptools'
`dynamic` `file = [...]`, the hatch-requirements-txt hook, `file:` in setup.cfg).
"""

from __future__ import annotations

import ast
import configparser
import posixpath
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context.repo import RepoContext

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
LOCK_FILES = frozenset(
    {"poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "conda-lock.yaml", "pixi.lock"}
)
_REQUIREMENTS_LOCK = re.compile(r"requirements.*\.lock")
# Folders of a library that hold self-contained examples, each with its own environment.
EXAMPLE_FOLDERS = frozenset(
    {"examples", "example", "research_projects", "benchmarks", "benchmark", "tutorials", "demos", "demo"}
)


@dataclass(frozen=True, slots=True)
class Project:
    """A project folder (`""` for the root) and what its packaging files say."""

    folder: str
    library: bool
    declared: frozenset[str]  # normalised names of the packages it declares (required or optional)
    reads: frozenset[str]  # repository paths of requirement files it takes its dependencies from


def normalise(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def folder_of(path: str) -> str:
    return posixpath.dirname(path)


def ancestors(folder: str) -> Iterator[str]:
    """The folder itself, then each parent up to the root (`""`)."""
    while True:
        yield folder
        if not folder:
            return
        folder = posixpath.dirname(folder)


def lock_covering(repo: RepoContext, path: str) -> str | None:
    """A lock file in the folder of `path` or one of its parents: a lock covers the project folder
    it sits in and everything below, not the sibling folders of a course or monorepo."""
    folders = set(ancestors(folder_of(path)))
    for candidate in sorted(repo.file_set):
        name = PurePosixPath(candidate).name
        if (name in LOCK_FILES or _REQUIREMENTS_LOCK.fullmatch(name)) and folder_of(candidate) in folders:
            return candidate
    return None


def project_at(repo: RepoContext, folder: str) -> Project | None:
    """The project whose packaging files sit in `folder`, or None when there are none."""
    prefix = folder + "/" if folder else ""
    present = [name for name in PROJECT_FILES if repo.has(prefix + name)]
    if not present:
        return None
    library = False
    declared: set[str] = set()
    reads: set[str] = set()
    for name in present:
        text = repo.file(prefix + name).text
        if text is None:
            continue
        reader = {"pyproject.toml": _pyproject, "setup.py": _setup_py, "setup.cfg": _setup_cfg}[name]
        is_library, lines, files = reader(text)
        library = library or is_library
        declared.update(_names(lines))
        reads.update(posixpath.normpath(posixpath.join(folder, f)) for f in files)
    return Project(folder=folder, library=library, declared=frozenset(declared), reads=frozenset(reads))


def enclosing_projects(repo: RepoContext, path: str) -> list[Project]:
    """The projects whose folder holds `path`, nearest first."""
    found = []
    for folder in ancestors(folder_of(path)):
        project = project_at(repo, folder)
        if project is not None:
            found.append(project)
    return found


def _names(lines: Iterable[str]) -> Iterator[str]:
    from packaging.requirements import InvalidRequirement, Requirement

    for line in lines:
        try:
            yield normalise(Requirement(line).name)
        except InvalidRequirement:
            continue


def _pyproject(text: str) -> tuple[bool, list[str], list[str]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False, [], []
    project = _table(data, "project")
    tool = _table(data, "tool")
    lines = _strings(project.get("dependencies"))
    for group in _table(project, "optional-dependencies").values():
        lines += _strings(group)
    for group in _table(data, "dependency-groups").values():
        lines += _strings(group)
    poetry = _table(tool, "poetry")
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [_table(group, "dependencies") for group in _table(poetry, "group").values() if isinstance(group, dict)]
    lines += [package for table in tables for package in table if package != "python"]
    not_a_package = (
        _table(tool, "uv").get("package") is False
        or poetry.get("package-mode") is False
        or _table(tool, "pdm").get("distribution") is False
    )
    named = isinstance(project.get("name"), str) or isinstance(poetry.get("name"), str)
    library = named and "build-system" in data and not not_a_package
    dynamic = _table(_table(_table(tool, "setuptools"), "dynamic"), "dependencies")
    files = _strings(dynamic.get("file")) if "file" in dynamic else []
    optional = _table(_table(tool, "setuptools"), "dynamic").get("optional-dependencies")
    for entry in optional.values() if isinstance(optional, dict) else ():
        files += _strings(entry.get("file")) if isinstance(entry, dict) else []
    hook = _table(_table(_table(_table(tool, "hatch"), "metadata"), "hooks"), "requirements_txt")
    files += _strings(hook.get("files"))
    return library, lines, files


def _setup_py(text: str) -> tuple[bool, list[str], list[str]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False, [], []
    library = False
    lines: list[str] = []
    files: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            library = library or name == "setup"
        elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    line = element.value.strip()
                    if line and "\n" not in line and "::" not in line:  # not classifiers or prose
                        lines.append(line)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.endswith(".txt"):
            files.append(node.value)  # `open("requirements.txt")`: the library reads that file
    return library, lines, files


def _setup_cfg(text: str) -> tuple[bool, list[str], list[str]]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return False, [], []
    library = parser.has_option("metadata", "name") and parser.has_section("options")
    values = [parser.get("options", "install_requires")] if parser.has_option("options", "install_requires") else []
    if parser.has_section("options.extras_require"):
        values += [value for _key, value in parser.items("options.extras_require")]
    lines: list[str] = []
    files: list[str] = []
    for value in values:
        if value.strip().startswith("file:"):
            files += [f.strip() for f in value.strip()[5:].split(",") if f.strip()]
            continue
        lines += [line.split("#", 1)[0].strip() for line in value.splitlines() if line.strip()]
    return library, lines, files


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(values: object) -> list[str]:
    if isinstance(values, str):
        return [values]
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def in_library_examples(repo: RepoContext, path: str) -> bool:
    """Whether `path` sits in an examples-like folder (`EXAMPLE_FOLDERS`) below a library's folder:
    an example's own environment, not the library's."""
    for project in enclosing_projects(repo, path):
        relative = folder_of(path)[len(project.folder) :].strip("/") if project.folder else folder_of(path)
        if project.library and any(part in EXAMPLE_FOLDERS for part in relative.split("/") if part):
            return True
    return False


_TEMPLATE_FILES = ("cookiecutter.json", "copier.yml", "copier.yaml")
_README_TITLE = re.compile(r"^#\s+(.+)$", re.MULTILINE)


def is_project_template(repo: RepoContext) -> bool:
    """A repository that is itself a project template: a cookiecutter or copier template at its root,
    or a README whose title says template (`# Lightning-Hydra-Template`). A template's ranges are
    meant to resolve to whatever is current when someone starts a project from it."""
    if any(repo.has(name) for name in _TEMPLATE_FILES):
        return True
    readme = next((name for name in ("README.md", "README.rst", "README") if repo.has(name)), None)
    text = repo.file(readme).text if readme is not None else None
    title = _README_TITLE.search(text[:4000]) if text else None
    return title is not None and "template" in title.group(1).lower()
