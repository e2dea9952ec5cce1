"""Naming of notebooks: a team's convention (MLN001) and Jupyter's default or copied names (MLN002)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pathspec import GitIgnoreSpec

from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.globs import gitignore_spec
from mlops_lint.rule import PathRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


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


RULES = [NotebookNameConvention, UntitledOrCopiedNotebook]
