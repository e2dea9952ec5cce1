"""What the project itself declares it depends on, read statically from its packaging files.

Some rules depend on the versions a project runs with: `torch.load` is only unsafe by default
before PyTorch 2.6, where `weights_only=True` became the default. The project says which versions
it allows in its own declarations, so we read those, and never execute anything:

- `pyproject.toml`: `[project].dependencies` and `optional-dependencies`, PEP 735
  `[dependency-groups]`, and Poetry's `[tool.poetry.dependencies]` / `group.*.dependencies`;
- `setup.py`, through `ast` only: every string literal inside a list, tuple or set display (so the
  `install_requires=[...]` and `extras_require={...: [...]}` literals and the `_deps = [...]` tables
  of Hugging Face's setup files all count);
- `setup.cfg`: `[options] install_requires` and `[options.extras_require]`;
- `requirements*.txt` at the root and `requirements/*.txt`.

Only the project's root is read: per-example requirement files describe other environments.
Every declaration of a package counts, required or optional: a range is "guaranteed" only when
every declaration of the package allows nothing else, so a conflicting or unparsable declaration
makes the answer "not guaranteed", the conservative side for a rule that stays silent on it.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_REQUIREMENTS_FILE = re.compile(r"^(requirements[^/]*\.txt|requirements/[^/]+\.txt)$")
ROOT_DECLARATIONS = ("pyproject.toml", "setup.py", "setup.cfg")


def declaration_files(files: Iterable[str]) -> list[str]:
    """The repository paths this module reads, sorted (also what a cached result depends on)."""
    return sorted(f for f in files if f in ROOT_DECLARATIONS or _REQUIREMENTS_FILE.match(f))


@dataclass(frozen=True, slots=True)
class Declaration:
    """One declared requirement: the package (normalised name), its specifier text, and where."""

    name: str
    specifier: str | None  # None: the declaration could not be parsed (treated as allowing anything)
    path: str


@dataclass(frozen=True, slots=True)
class DeclaredRequirements:
    declarations: tuple[Declaration, ...] = ()

    def of(self, package: str) -> tuple[Declaration, ...]:
        wanted = _normalise(package)
        return tuple(d for d in self.declarations if d.name == wanted)

    def guarantees_at_least(self, package: str, version: str) -> bool:
        """The package is declared, and every declaration of it excludes every version below
        `version` (`torch==2.9.1`, `torch>=2.6,<3`, `torch~=2.7`): the project cannot run an older one."""
        from packaging.specifiers import InvalidSpecifier, SpecifierSet
        from packaging.version import InvalidVersion, Version

        found = self.of(package)
        if not found:
            return False
        floor = Version(version)
        for declaration in found:
            if declaration.specifier is None:
                return False
            try:
                specifiers = SpecifierSet(declaration.specifier)
                if not any(_lower_bound(s.operator, s.version) >= floor for s in specifiers):
                    return False
            except (InvalidSpecifier, InvalidVersion):
                return False
        return True


def _lower_bound(operator: str, version: str) -> Any:
    """The smallest version one specifier admits (`Version("0")` when it sets no lower bound)."""
    from packaging.version import Version

    if operator in (">=", ">", "~=", "==", "==="):
        return Version(version.removesuffix(".*"))  # `==2.7.*` admits 2.7 and up, `>2.6` more than 2.6
    return Version("0")


def _normalise(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def read_declared(files: Iterable[str], text_of: Callable[[str], str | None]) -> DeclaredRequirements:
    """Every requirement the project's root packaging files declare (see the module docstring).
    `text_of` returns a file's text through the repository's one reader (None when unreadable)."""
    found: list[Declaration] = []
    for path in declaration_files(files):
        text = text_of(path)
        if text is None:
            continue
        name = PurePosixPath(path).name
        if name == "pyproject.toml":
            lines = _pyproject(text)
        elif name == "setup.py":
            lines = _setup_py(text)
        elif name == "setup.cfg":
            lines = _setup_cfg(text)
        else:
            lines = _requirements_txt(text)
        found.extend(_parse(line, path) for line in lines)
    return DeclaredRequirements(tuple(d for d in found if d is not None))


def _parse(line: str, path: str) -> Declaration | None:
    """A PEP 508 requirement line; a line naming a package but not parsable keeps the name with no range."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        head = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        return Declaration(_normalise(head.group(1)), None, path) if head else None
    return Declaration(_normalise(requirement.name), str(requirement.specifier), path)


def _pyproject(text: str) -> Iterator[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return
    project = data.get("project")
    if isinstance(project, dict):
        yield from _strings(project.get("dependencies"))
        extras = project.get("optional-dependencies")
        for group in extras.values() if isinstance(extras, dict) else ():
            yield from _strings(group)
    groups = data.get("dependency-groups")
    for group in groups.values() if isinstance(groups, dict) else ():
        yield from _strings(group)  # `{include-group = ...}` tables are not strings: skipped
    poetry = data.get("tool", {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        groups = poetry.get("group")
        tables += (
            [g.get("dependencies") for g in groups.values() if isinstance(g, dict)] if isinstance(groups, dict) else []
        )
        for table in tables:
            for package, constraint in table.items() if isinstance(table, dict) else ():
                if package != "python":
                    yield _from_poetry(package, constraint)


def _from_poetry(package: str, constraint: object) -> str:
    """Poetry's constraint as a PEP 440 range, as far as a lower bound goes: `^2.6` and `~2.6`
    start at 2.6, a bare `2.6.0` is `==2.6.0`. `||` alternatives, tables of several markers and
    anything else give an unparsable line, which counts as allowing every version."""
    if isinstance(constraint, dict):
        constraint = constraint.get("version", "*")
    if not isinstance(constraint, str) or "||" in constraint:
        return f"{package} (unknown)"
    parts = []
    for part in (p.strip() for p in constraint.split(",")):
        if part in ("", "*"):
            continue
        if part[0] in "^~" and not part.startswith("~="):
            part = ">=" + part[1:].strip()
        elif part[0].isdigit():
            part = "==" + part
        parts.append(part)
    return package + ",".join(parts)


def _setup_py(text: str) -> Iterator[str]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            for element in node.elts:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    line = element.value.strip()
                    if line and "\n" not in line and ":" not in line:  # not classifiers or prose
                        yield line


def _setup_cfg(text: str) -> Iterator[str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return
    values = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values += [value for _key, value in parser.items("options.extras_require")]
    for value in values:
        yield from _requirements_txt(value)


def _requirements_txt(text: str) -> Iterator[str]:
    """Requirement lines: comments, options (`-r`, `--index-url`), editable and URL lines skipped."""
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line or line.startswith("-") or "://" in line or line.startswith((".", "/")):
            continue
        yield line


def _strings(values: object) -> Iterator[str]:
    if isinstance(values, list):
        yield from (v for v in values if isinstance(v, str))
