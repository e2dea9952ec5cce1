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

What a library declares (`declared`, the normalised package names) and which requirement files it
`reads` come from `packaging_files`, the one reader of packaging files (shared with
`declared_requirements`).
"""

from __future__ import annotations

import posixpath
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mlops_lint.context.packaging_files import PROJECT_FILES, read_packaging_file
from mlops_lint.context.repo import RepoContext

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.10 only
    pass

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
        folder, _slash, name = candidate.rpartition("/")  # not PurePosixPath: this runs per file over every file
        if folder in folders and (name in LOCK_FILES or _REQUIREMENTS_LOCK.fullmatch(name)):
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
        found = read_packaging_file(name, text)
        library = library or found.library
        declared.update(_names(found.requirements))
        reads.update(posixpath.normpath(posixpath.join(folder, f)) for f in found.reads)
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
