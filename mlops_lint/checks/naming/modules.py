"""Python module names that cannot be imported or are not lowercase (MLN005, MLN006), and import aliases
that break the community's table (MLN004)."""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.naming.artifacts import CAMEL_BOUNDARY
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.rule import NodeFix, PathRule, PythonRule

if TYPE_CHECKING:
    import libcst as cst
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


def _package_names(file: FileContext, repo: RepoContext, scripts: bool) -> Iterator[tuple[str, str, str]]:
    """(kind, name, stem) of what a Python file names: its package folder for `__init__.py`,
    else the module itself when it lives inside a package (or `scripts` is set)."""
    pure = PurePosixPath(file.path)
    folder = str(pure.parent)
    if pure.name == "__init__.py":
        if folder != ".":
            yield "Package", pure.parent.name, pure.parent.name
    elif pure.stem != "__main__" and (folder in repo.package_dirs or scripts):
        yield "Module", pure.name, pure.stem


def import_problem(stem: str) -> str | None:
    """Why `import` cannot spell `stem`, or None."""
    if stem.isidentifier():
        return f"'{stem}' is a Python keyword" if keyword.iskeyword(stem) else None
    if stem[:1].isdigit():
        return "it starts with a digit"
    bad = next((ch for ch in stem if not (ch.isalnum() or ch == "_")), None)
    return f"'{bad}' is not allowed in an identifier" if bad else "it is not an identifier"


class ModuleNameNotImportable(PathRule):
    code = "MLN005"
    kinds = frozenset({FileKind.PYTHON})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        for kind, name, stem in _package_names(file, repo, self.options["check-scripts"]):
            if any(re.fullmatch(allowed, stem) for allowed in self.options["allow"]):
                continue
            reason = import_problem(stem)
            if reason:
                yield self.diagnostic(Location(path=file.path), kind=kind, name=name, reason=reason)


class ModuleNameNotLowercase(PathRule):
    code = "MLN006"
    kinds = frozenset({FileKind.PYTHON})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        for kind, name, stem in _package_names(file, repo, scripts=False):
            if import_problem(stem) is None and stem != stem.lower():
                suggestion = CAMEL_BOUNDARY.sub("_", name).lower() if "_" not in stem else name.lower()
                yield self.diagnostic(Location(path=file.path), kind=kind, name=name, suggestion=suggestion)


# --- import aliases ----------------------------------------------------------------------------


def dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


@functools.cache
def _alias_pattern(modules: tuple[str, ...]) -> re.Pattern[str] | None:
    """`<module> as <alias>` for every module of the table, in one pattern: one scan of the text
    instead of one per module (this runs on every Python file, before any parse)."""
    if not modules:
        return None
    longest_first = sorted(modules, key=len, reverse=True)
    return re.compile(rf"\b({'|'.join(re.escape(module) for module in longest_first)})\s+as\s+(\w+)")


class NonstandardImportAlias(PythonRule):
    code = "MLN004"

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        """Only files with an `import <module> as <other>` that breaks the table are parsed for this rule."""
        if " as " not in text and "\tas" not in text and "as\t" not in text:
            return False
        aliases: dict[str, str | None] = options["aliases"]
        pattern = _alias_pattern(tuple(aliases))
        return pattern is not None and any(aliases[module] != alias for module, alias in pattern.findall(text))

    def visit_Import(self, node: cst.Import) -> None:
        conventions: dict[str, str | None] = self.options["aliases"]
        for alias in node.names:
            module = dotted(alias.name)
            if module not in conventions:
                continue
            expected = conventions[module]
            found = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if found == expected or found is None:
                continue  # `import numpy` unaliased is common in libraries and not reported
            shown = expected if expected is not None else module
            fix = self._rename_fix(node, alias, found, expected, module)
            self.report(alias, fix, module=module, expected=shown, found=found)

    def _rename_fix(
        self, node: cst.Import, alias: cst.ImportAlias, found: str, expected: str | None, module: str
    ) -> NodeFix | None:
        """Rename the alias and every reference to it, when that is provably safe.

        Scope analysis is the expensive part of this rule, so it runs only here, for a file that
        has an alias to rename; the position-free checks come first.
        """
        target = expected if expected is not None else module
        if "." in target:
            return None
        text = self.context.module.code
        word = re.compile(rf"\b{re.escape(target)}\b")
        if len(word.findall(text)) > len(word.findall(self.context.code_for(alias))):
            return None  # the new name is already used somewhere in the file
        if re.search(rf"[\"']{re.escape(found)}[\"'.\[]", text):
            return None  # the old alias appears in a string (__all__, a string annotation)
        scope = self.context.wrapper.resolve(cst.metadata.ScopeProvider).get(node)
        if scope is None:
            return None
        assignments = list(scope.assignments[found])
        if len(assignments) != 1 or getattr(assignments[0], "node", None) is not node:
            return None
        replacements: list[tuple[cst.CSTNode, str]] = []
        for access in assignments[0].references:
            if not isinstance(access.node, cst.Name) or access.node.value != found:
                return None  # e.g. a string annotation: leave it to a person
            replacements.append((access.node, target))
        if expected is None:
            replacements.append((alias, module))
        else:
            assert alias.asname is not None
            replacements.append((alias.asname.name, expected))
        return self.node_fix(replacements, isolated=True, found=found, expected=target)


# --- conventions declared as data --------------------------------------------------------------


RULES = [NonstandardImportAlias, ModuleNameNotImportable, ModuleNameNotLowercase]
