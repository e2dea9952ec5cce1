"""The one reader of a project's packaging files: `pyproject.toml`, `setup.py`, `setup.cfg` and
requirements files, read statically (tomllib, `ast`, configparser), never executed.

Both questions the rules ask of packaging read through here: what kind of project a folder is and
which packages it declares (`python_project`, MLR005), and which versions of a package the project
allows (`declared_requirements`, MLS019). For each file it gives:

- `library`: the file says the folder is built and installed as a distribution (a `setup.py`
  calling `setup(...)`; a `setup.cfg` with `[metadata] name` and `[options]`; a `pyproject.toml`
  with a named `[project]` (or Poetry) table and `[build-system]`, and no application signal:
  `[tool.uv] package = false`, `[tool.poetry] package-mode = false`, `[tool.pdm] distribution = false`);
- `requirements`: PEP 508 requirement lines: `[project].dependencies` and `optional-dependencies`,
  PEP 735 `[dependency-groups]`, Poetry's dependency tables (constraints turned into PEP 440 as far
  as a lower bound goes; one that cannot be is the bare name, which allows every version), every
  requirement-looking string literal of a list, tuple or set in `setup.py` (`install_requires`,
  `extras_require` and the `_deps` tables of Hugging Face's setup files; classifiers and prose
  are left out), `setup.cfg`'s `install_requires` and `extras_require`;
- `reads`: requirement files the project takes its dependencies from (`open("requirements.txt")`
  in setup.py, setuptools' `dynamic` `file = [...]`, the hatch-requirements-txt hook, `file:` in
  setup.cfg), relative to the file's folder.
"""

from __future__ import annotations

import ast
import configparser
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True, slots=True)
class PackagingFile:
    library: bool = False
    requirements: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


def read_packaging_file(name: str, text: str) -> PackagingFile:
    """What the file called `name` (one of `PROJECT_FILES`) declares; an unreadable file declares nothing."""
    reader = {"pyproject.toml": _pyproject, "setup.py": _setup_py, "setup.cfg": _setup_cfg}[name]
    return reader(text)


def requirements_txt(text: str) -> Iterator[str]:
    """Requirement lines: comments, options (`-r`, `--index-url`), editable and URL lines skipped."""
    for raw in text.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not line or line.startswith("-") or "://" in line or line.startswith((".", "/")):
            continue
        yield line


def _pyproject(text: str) -> PackagingFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return PackagingFile()
    project = _table(data, "project")
    tool = _table(data, "tool")
    lines = _strings(project.get("dependencies"))
    for group in _table(project, "optional-dependencies").values():
        lines += _strings(group)
    for group in _table(data, "dependency-groups").values():
        lines += _strings(group)  # `{include-group = ...}` tables are not strings: skipped
    poetry = _table(tool, "poetry")
    tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    tables += [_table(group, "dependencies") for group in _table(poetry, "group").values() if isinstance(group, dict)]
    lines += [
        _from_poetry(package, constraint)
        for table in tables
        for package, constraint in table.items()
        if package != "python"
    ]
    not_a_package = (
        _table(tool, "uv").get("package") is False
        or poetry.get("package-mode") is False
        or _table(tool, "pdm").get("distribution") is False
    )
    named = isinstance(project.get("name"), str) or isinstance(poetry.get("name"), str)
    library = named and "build-system" in data and not not_a_package
    dynamic = _table(_table(tool, "setuptools"), "dynamic")
    files = _strings(_table(dynamic, "dependencies").get("file")) if "file" in _table(dynamic, "dependencies") else []
    optional = dynamic.get("optional-dependencies")
    for entry in optional.values() if isinstance(optional, dict) else ():
        files += _strings(entry.get("file")) if isinstance(entry, dict) else []
    hook = _table(_table(_table(_table(tool, "hatch"), "metadata"), "hooks"), "requirements_txt")
    files += _strings(hook.get("files"))
    return PackagingFile(library, tuple(lines), tuple(files))


def _from_poetry(package: str, constraint: object) -> str:
    """Poetry's constraint as a PEP 440 range, as far as a lower bound goes: `^2.6` and `~2.6`
    start at 2.6, a bare `2.6.0` is `==2.6.0`. `||` alternatives, tables without a version and
    anything else that does not parse give the bare name: a declaration allowing every version."""
    from packaging.requirements import InvalidRequirement, Requirement

    if isinstance(constraint, dict):
        constraint = constraint.get("version", "*")
    if not isinstance(constraint, str) or "||" in constraint:
        return package
    parts = []
    for part in (p.strip() for p in constraint.split(",")):
        if part in ("", "*"):
            continue
        if part[0] in "^~" and not part.startswith("~="):
            part = ">=" + part[1:].strip()
        elif part[0].isdigit():
            part = "==" + part
        parts.append(part)
    line = package + ",".join(parts)
    try:
        Requirement(line)
    except InvalidRequirement:
        return package
    return line


def _setup_py(text: str) -> PackagingFile:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return PackagingFile()
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
            files.append(node.value)  # `open("requirements.txt")`: the project reads that file
    return PackagingFile(library, tuple(lines), tuple(files))


def _setup_cfg(text: str) -> PackagingFile:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return PackagingFile()
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
    return PackagingFile(library, tuple(lines), tuple(files))


def _table(data: Any, key: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _strings(values: object) -> list[str]:
    if isinstance(values, str):
        return [values]
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
