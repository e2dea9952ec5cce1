"""MLR005: dependencies whose versions are left open where an environment should be rebuildable.

Pins belong to applications and experiment environments, not to libraries, nor to the tooling
around a project (docs, CI, linting, typing, tests). So a requirements or conda file is read in
the light of where it sits (see `context/python_project.py` for what a library is):

- a file for tooling, by its name or folder, is not checked;
- a lock file covers the folder it sits in and everything below it;
- a file that mirrors the enclosing library's own declarations (most of its packages are ones the
  library declares, or the library reads its dependencies from it) is the library's range list in
  another format, not an environment;
- a file under `examples/`, `research_projects/`, `benchmarks/`... of a library describes one
  example's environment: reported, but as `info`.

Each file gets at most one finding, at its first unpinned line, naming every unpinned package: a
file of forty open ranges is one decision for its maintainers, not forty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context.files import FileContext
from mlops_lint.context.python_project import (
    Project,
    enclosing_projects,
    in_library_examples,
    is_project_template,
    lock_covering,
    normalise,
)
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Severity, Span
from mlops_lint.rule import PathRule

# Folders and file-name words that mark the requirements of tooling rather than of an environment
# that produces results: docs builds, CI jobs, linters and type checkers, tests and dev setups.
TOOLING_FOLDERS = frozenset({".github", ".gitlab", ".circleci", ".ci", "ci", "docs", "doc", "tests", "test"})
TOOLING_WORDS = frozenset(
    {
        *("doc", "docs", "documentation", "sphinx", "mkdocs", "rtd", "readthedocs"),
        *("ci", "lint", "linting", "linters", "style", "format", "formatting", "quality", "precommit"),
        *("typing", "types", "mypy", "pyright", "stubs"),
        *("test", "tests", "testing", "dev", "develop", "development", "build"),
    }
)
BUILD_TOOLS = frozenset({"pip", "setuptools", "wheel"})  # installers, not what a program runs with
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2")
MIRROR_SHARE = 2 / 3  # a file mirrors a library when at least this share of its packages are declared by it
MAX_LISTED = 12
_CONDA_VERSION = re.compile(r"(==|=)?\s*([0-9][^\s=,<>|!*]*?)(\.?\*)?(?:[ =]\S+)?")


@dataclass(frozen=True, slots=True)
class Open:
    """One dependency whose version is left open: where, its name as written, its range as written."""

    line: int
    column: int
    name: str
    spec: str


def is_tooling(path: str) -> bool:
    """Requirements of docs, CI, linting, typing, tests or a dev setup, by folder or file name
    (`docs/requirements.txt`, `.github/...`, `requirements-lint.txt`, `requirements/test.txt`,
    `dev-requirements.txt`)."""
    parts = PurePosixPath(path).parts
    if any(part.lower() in TOOLING_FOLDERS for part in parts[:-1]):
        return True
    words = set(re.split(r"[-_.]", PurePosixPath(path).stem.lower())) - {"requirements", "requirement", "reqs", "req"}
    return bool(words & TOOLING_WORDS)


def pinned_release_parts(version: str) -> int:
    """How many leading release components a version text fixes (`1.26.*` -> 2, `2` -> 1)."""
    release = re.match(r"\d+(?:\.\d+)*", version.strip().removeprefix("v"))
    return len(release.group().split(".")) if release else 0


def pip_pinned(specifier: str) -> bool:
    """Whether a PEP 440 specifier set fixes at least the minor release series.

    `==1.26.4` and `===` pin one version. A compatible release that only lets the last part move is
    treated the same way as conda's `=`: `~=1.26.4` (1.26.x from 1.26.4 on) and `==1.26.*` fix the
    series 1.26, just as conda's `numpy=1.26` does; `~=1.26`, `==1.*`, `>=`, `<` leave minor or major
    releases open."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        specifiers = SpecifierSet(specifier)
    except InvalidSpecifier:
        return False
    for spec in specifiers:
        if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")):
            return True
        if spec.operator == "==" and pinned_release_parts(spec.version[:-2]) >= 2:
            return True
        if spec.operator == "~=" and pinned_release_parts(spec.version) >= 3:
            return True
    return False


def conda_pinned(spec: str) -> bool:
    """The same test for a conda match spec: `=1.26` (conda's prefix match, i.e. 1.26.*) and `1.26.*`
    fix the series 1.26; `==1.26.4` and `1.26.4` one version; `=2`, `=2.*`, `>=1.2` leave it open.
    A build string after a second `=` (or a space) does not matter."""
    spec = spec.strip()
    match = _CONDA_VERSION.fullmatch(spec)
    if match is None:
        return bool(spec) and pip_pinned(spec.replace(" ", ""))
    operator, version, star = match.groups()
    if operator in ("==", None) and not star:
        return True  # one version
    return pinned_release_parts(version) >= 2  # a prefix: the series it fixes


def parse_requirement(line: str) -> tuple[str, str, bool] | None:
    """(name as written, specifier, pinned) of a pip requirement line; None for what is not a
    package index requirement (options, includes, editable installs, URLs, VCS references, local
    paths and archives, lines pip would reject) and for the installers themselves."""
    from packaging.requirements import InvalidRequirement, Requirement

    line = re.split(r"\s--?[A-Za-z]", " " + line, maxsplit=1)[0].strip()  # per-requirement options
    if not line or line.startswith(("-", ".", "/", "~")) or line.endswith(_ARCHIVES):
        return None
    try:
        requirement = Requirement(line)
    except InvalidRequirement:
        return None
    if requirement.url or normalise(requirement.name) in BUILD_TOOLS:
        return None
    specifier = str(requirement.specifier)
    return requirement.name, specifier, pip_pinned(specifier)


def open_requirement(line: str) -> tuple[str, str] | None:
    """(name as written, specifier) of a requirement line whose version is left open."""
    parsed = parse_requirement(line)
    return None if parsed is None or parsed[2] else (parsed[0], parsed[1])


def first_open(entries: list[tuple[int, int, str, str, bool]]) -> Iterator[Open]:
    """The open entries (line, column, name, spec, pinned) in order, once per package, leaving out
    packages that another entry pins: pip merges `mkdocstrings==0.21.2` and
    `mkdocstrings[python]>=0.18` into one pinned requirement."""
    pinned = {normalise(name) for _line, _column, name, _spec, is_pinned in entries if is_pinned}
    seen: set[str] = set()
    for line, column, name, spec, _pinned in entries:
        key = normalise(name)
        if key not in pinned and key not in seen:
            seen.add(key)
            yield Open(line, column, name, spec)


def requirements_entries(text: str) -> Iterator[tuple[int, str, str]]:
    """(first line number, first physical line, logical line without comment) of a requirements
    file, joining `\\` continuations as pip does."""
    parts: list[str] = []
    start, first = 0, ""
    for number, raw in enumerate(text.splitlines(), start=1):
        if not parts:
            start, first = number, raw
        body = re.sub(r"(^|\s)#.*$", "", raw)
        if body.rstrip().endswith("\\"):
            parts.append(body.rstrip()[:-1])
            continue
        parts.append(body)
        yield start, first, " ".join(parts).strip()
        parts = []
    if parts:
        yield start, first, " ".join(parts).strip()


class UnpinnedDependency(PathRule):
    code = "MLR005"
    kinds = None

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        from mlops_lint.globs import gitignore_spec

        if not gitignore_spec(self.options["files"]).match_file(file.path) or file.text is None:
            return
        if is_tooling(file.path) or lock_covering(repo, file.path):
            return
        conda = file.path.endswith((".yml", ".yaml"))
        found = list(self._conda(file, repo) if conda else self._requirements(file.text))
        if not found:
            return
        severity = None
        projects = enclosing_projects(repo, file.path)
        if in_library_examples(repo, file.path):
            severity = Severity.INFO  # one example's environment (the mirror test is for the library's own files)
        elif is_project_template(repo):
            severity = Severity.INFO  # a template's ranges resolve to what is current when a project starts
        elif not conda and projects and projects[0].library and self._mirrors(file, projects[0]):
            return
        first = found[0]
        span = Span(
            start_line=first.line, start_col=first.column, end_line=first.line, end_col=first.column + len(first.name)
        )
        listed = [f"{entry.name} ({entry.spec})" if entry.spec else entry.name for entry in found[:MAX_LISTED]]
        if len(found) > MAX_LISTED:
            listed.append(f"and {len(found) - MAX_LISTED} more")
        what = f"{len(found)} dependency is" if len(found) == 1 else f"{len(found)} dependencies are"
        yield self.diagnostic(
            Location(path=file.path, span=span), severity=severity, what=what, packages=", ".join(listed)
        )

    @staticmethod
    def _mirrors(file: FileContext, library: Project) -> bool:
        if file.path in library.reads:
            return True
        names = set()
        for _number, _raw, line in requirements_entries(file.text or ""):
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if match and not line.startswith("-") and normalise(match.group(1)) not in BUILD_TOOLS:
                names.add(normalise(match.group(1)))
        return bool(names) and len(names & library.declared) >= MIRROR_SHARE * len(names)

    @staticmethod
    def _requirements(text: str) -> Iterator[Open]:
        if "--hash=" in text:
            return  # pip-compile --generate-hashes output pins everything
        entries = []
        for number, raw, line in requirements_entries(text):
            parsed = parse_requirement(line)
            if parsed is not None:
                entries.append((number, raw.find(parsed[0]) + 1, *parsed))
        yield from first_open(entries)

    @staticmethod
    def _conda(file: FileContext, repo: RepoContext) -> Iterator[Open]:
        doc = repo.yaml(file.path)
        if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
            return
        dependencies = doc.value.get("dependencies")
        entries: list[tuple[int, int, str, str, bool]] = []
        for k, item in enumerate(dependencies if isinstance(dependencies, list) else []):
            if isinstance(item, dict) and isinstance(item.get("pip"), list):
                for j, line in enumerate(item["pip"]):
                    parsed = parse_requirement(line) if isinstance(line, str) else None
                    if parsed is not None:
                        entries.append((*doc.position_of(("dependencies", k, "pip", j)), *parsed))
            elif isinstance(item, str):
                match = re.match(r"^(?:[\w./-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", item.strip())
                if match is None or normalise(match.group(1)) in BUILD_TOOLS | {"python"}:
                    continue
                name, spec = match.group(1), match.group(2).strip()
                line, column = doc.position_of(("dependencies", k))
                entries.append((line, column + max(item.find(name), 0), name, spec, conda_pinned(spec)))
        yield from first_open(entries)


RULES = [UnpinnedDependency]
