"""Naming conventions: notebooks, artifacts, modules, import aliases, and team conventions as data."""

from __future__ import annotations

import functools
import keyword
import re
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from pathspec import GitIgnoreSpec

from mlops_lint.checks.artifacts import ARTIFACT_SUFFIXES, MODEL_SUFFIXES, split_name
from mlops_lint.context.dvc import pointer_outs, stage_outs
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.globs import gitignore_spec
from mlops_lint.rule import NodeFix, PathRule, PythonRule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# --- notebooks ---------------------------------------------------------------------------------

_DEFAULT_NOTEBOOK_NAMES = (
    (re.compile(r"^Untitled\d*\.ipynb$"), "Jupyter's default name"),
    (re.compile(r"^Untitled\d*-Copy\d*\.ipynb$"), "Jupyter's default name"),
    (re.compile(r"^.+(?: - Copy(?: \(\d+\))?|-Copy\d*|[ _-]copy\d*)\.ipynb$", re.IGNORECASE), "a copy"),
    (re.compile(r"^.+-checkpoint\.ipynb$"), "a Jupyter checkpoint"),
)


def default_notebook_name(file: FileContext) -> str | None:
    """Why the notebook's name is a default or a copy, or None when it is not."""
    if ".ipynb_checkpoints" in file.parts[:-1]:
        return None  # checkpoint folders are reported as run artifacts, not as names
    for pattern, reason in _DEFAULT_NOTEBOOK_NAMES:
        if pattern.match(file.name):
            return reason
    return None


def _spec(globs: list[str]) -> GitIgnoreSpec:
    return gitignore_spec(globs)


class NotebookNameConvention(PathRule):
    code = "MLN001"
    kinds = frozenset({FileKind.NOTEBOOK})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if not _spec(self.options["paths"]).match_file(file.path) or default_notebook_name(file):
            return
        if ".ipynb_checkpoints" in file.parts:
            return
        if not re.fullmatch(self.options["pattern"], file.name):
            yield self.diagnostic(Location(path=file.path), name=file.name, description=self.options["description"])


class UntitledOrCopiedNotebook(PathRule):
    code = "MLN002"
    kinds = frozenset({FileKind.NOTEBOOK})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        reason = default_notebook_name(file)
        if reason:
            yield self.diagnostic(Location(path=file.path), name=file.name, reason=reason)


# --- artifacts ---------------------------------------------------------------------------------

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TOKEN = re.compile(r"[^A-Za-z0-9]+")
_COPY_MARK = re.compile(r"\s*\(\d+\)")


def name_tokens(stem: str) -> list[str]:
    """`finalModel_v2-new` -> [final, model, v2, new] (trailing digits kept: `final2` -> `final2`)."""
    return [t.lower() for t in _TOKEN.split(_CAMEL.sub("_", stem)) if t]


class AmbiguousArtifactName(PathRule):
    code = "MLN003"

    @cached_property
    def _anywhere(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.options["words"])

    @cached_property
    def _at_end(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.options["suffix-words"])

    def ambiguity(self, name: str) -> str | None:
        stem, _suffix = split_name(name)
        if _COPY_MARK.search(stem):
            return "a copy number"
        tokens = name_tokens(stem)
        for index, token in enumerate(tokens):
            bare = token.rstrip("0123456789") or token
            if bare in self._anywhere or (index == len(tokens) - 1 and index > 0 and bare in self._at_end):
                return f"the word '{bare}'"
        return None

    def _report(self, name: str, anchor: str, span: Span | None) -> Iterator[Diagnostic]:
        reason = self.ambiguity(name)
        if reason is None:
            return
        stem, suffix = split_name(name)
        vague = self._anywhere | self._at_end
        kept = [t for t in name_tokens(_COPY_MARK.sub(" ", stem)) if (t.rstrip("0123456789") or t) not in vague]
        base = "-".join(kept) or ("model" if suffix.lower().endswith(tuple(MODEL_SUFFIXES)) else "data")
        yield self.diagnostic(
            Location(path=anchor, span=span),
            name=name,
            reason=reason,
            suggestion=f"{base}-v2{suffix} or {base}-2024-05-14{suffix}",
        )

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        suffixes = ARTIFACT_SUFFIXES | {s.lower() for s in self.options["extra-extensions"]}
        if PurePosixPath(file.path).suffix.lower() in suffixes:
            yield from self._report(file.name, file.path, None)
            return
        if file.kind is FileKind.DVC or file.name in ("dvc.yaml", "dvc.yml"):
            doc = repo.yaml(file.path)
            if not isinstance(doc, YamlDoc):
                return
            outs = pointer_outs(doc, file.path) if file.kind is FileKind.DVC else stage_outs(doc, file.path)
            for out in outs:
                yield from self._report(PurePosixPath(out.path).name, file.path, Span.point(out.line, out.column))


# --- Python modules ----------------------------------------------------------------------------


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
                suggestion = _CAMEL.sub("_", name).lower() if "_" not in stem else name.lower()
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
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        aliases: dict[str, str | None] = options["aliases"]
        return any(m in aliases and a is not None and a != aliases[m] for m, a in index.import_aliases)

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


class NamingConventionViolated(PathRule):
    code = "MLN007"

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        for convention in repo.config.conventions:
            spec = _spec([convention.glob])
            if convention.for_folders:
                parts = file.path.split("/")[:-1]
                candidates = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
            else:
                candidates = [file.path]
            for candidate in candidates:
                if not spec.match_file(candidate):
                    continue
                pure = PurePosixPath(candidate.rstrip("/"))
                subject = {"name": pure.name, "stem": pure.stem, "path": str(pure)}[convention.target]
                if convention.pattern.fullmatch(subject):
                    continue
                label = f" '{convention.name}'" if convention.name else ""
                message = convention.message or f"{convention.target} must match {convention.pattern.pattern}"
                yield self.diagnostic(Location(path=candidate), path=candidate, label=label, message=message)


RULES = [
    NotebookNameConvention,
    UntitledOrCopiedNotebook,
    AmbiguousArtifactName,
    NonstandardImportAlias,
    ModuleNameNotImportable,
    ModuleNameNotLowercase,
    NamingConventionViolated,
]
