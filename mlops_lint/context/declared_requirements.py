"""What the project itself declares it depends on, read statically from its packaging files.

Some rules depend on the versions a project runs with: `torch.load` is only unsafe by default
before PyTorch 2.6, where `weights_only=True` became the default. The project says which versions
it allows in its own declarations, so we read those, and never execute anything:

- `pyproject.toml`, `setup.py` and `setup.cfg`, through `packaging_files` (the one reader of
  packaging files, shared with `python_project`: see there for what each one declares);
- `requirements*.txt` at the root and `requirements/*.txt`.

Only the project's root is read: per-example requirement files describe other environments.
Every declaration of a package counts, required or optional: a range is "guaranteed" only when
every declaration of the package allows nothing else, so a conflicting or unparsable declaration
makes the answer "not guaranteed", the conservative side for a rule that stays silent on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context.packaging_files import PROJECT_FILES, read_packaging_file, requirements_txt

_REQUIREMENTS_FILE = re.compile(r"^(requirements[^/]*\.txt|requirements/[^/]+\.txt)$")
ROOT_DECLARATIONS = PROJECT_FILES


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
        lines = read_packaging_file(name, text).requirements if name in ROOT_DECLARATIONS else requirements_txt(text)
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
