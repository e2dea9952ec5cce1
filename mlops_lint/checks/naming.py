"""Naming conventions: notebooks, artifacts, modules, import aliases, and team conventions as data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import PurePosixPath

import libcst as cst
from libcst.metadata import ScopeProvider
from pathspec import GitIgnoreSpec

from mlops_lint.checks.artifacts import ARTIFACT_SUFFIXES, split_name
from mlops_lint.context.dvc import pointer_outs, stage_outs
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.globs import gitignore_spec
from mlops_lint.rule import NodeFix, PathRule, PythonRule

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
_COPY_MARK = re.compile(r"\(\d+\)|\s")


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
            return "spaces or a copy number"
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
        kept = [
            t for t in name_tokens(_COPY_MARK.sub(" ", stem)) if (t.rstrip("0123456789") or t) not in self._anywhere
        ]
        base = "-".join(kept) or "model"
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


class ModuleNameInvalid(PathRule):
    code = "MLN005"
    kinds = frozenset({FileKind.PYTHON})

    def _bad(self, name: str) -> bool:
        if name in ("__init__", "__main__"):
            return False
        if any(re.fullmatch(allowed, name) for allowed in self.options["allow"]):
            return False
        return not re.fullmatch(self.options["pattern"], name)

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        pure = PurePosixPath(file.path)
        folder = str(pure.parent)
        in_package = folder in repo.package_dirs
        if pure.name == "__init__.py" and self._bad(pure.parent.name) and folder != ".":
            yield self.diagnostic(
                Location(path=file.path), kind="Package", name=pure.parent.name, pattern=self.options["pattern"]
            )
        elif (in_package or self.options["check-scripts"]) and self._bad(pure.stem):
            yield self.diagnostic(
                Location(path=file.path), kind="Module", name=pure.name, pattern=self.options["pattern"]
            )


# --- import aliases ----------------------------------------------------------------------------


def dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


class NonstandardImportAlias(PythonRule):
    code = "MLN004"
    triggers = ("import",)
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def visit_Import(self, node: cst.Import) -> None:
        conventions: dict[str, str | None] = self.options["aliases"]
        for alias in node.names:
            module = dotted(alias.name)
            if module not in conventions:
                continue
            expected = conventions[module]
            found = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
            if found == expected or (found is None and not self.options["require-alias"]):
                continue
            if found is None:
                continue  # `import numpy` with require-alias: reported only, no rename of dotted uses
            shown = expected if expected is not None else module
            fix = self._rename_fix(node, alias, found, expected, module)
            self.report(alias, fix, module=module, expected=shown, found=found)

    def _rename_fix(
        self, node: cst.Import, alias: cst.ImportAlias, found: str, expected: str | None, module: str
    ) -> NodeFix | None:
        """Rename the alias and every reference to it, when that is provably safe."""
        target = expected if expected is not None else module
        if "." in target:
            return None
        text = self.context.module.code
        word = re.compile(rf"\b{re.escape(target)}\b")
        if len(word.findall(text)) > len(word.findall(self.context.code_for(alias))):
            return None  # the new name is already used somewhere in the file
        if re.search(rf"[\"']{re.escape(found)}[\"'.\[]", text):
            return None  # the old alias appears in a string (__all__, a string annotation)
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return None
        assignments = [a for a in scope.assignments[found]]
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
        return self.node_fix(replacements, found=found, expected=target)


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
    ModuleNameInvalid,
    NamingConventionViolated,
]
