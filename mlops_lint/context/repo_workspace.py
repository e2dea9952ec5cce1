"""The views of `RepoContext` built from many files of the work tree: notebooks, the `.gitignore`
and `.gitattributes` files, the declared requirements, and DVC md5s of workspace files.

They are a mixin of `RepoContext` (kept apart to keep each module to one job), built on first
use and cached for the run; `forget` drops the per-file ones. A view built from several files
notes all of them as read each time it is asked for (`context/reads.py`), since the rule asking
now may not be the one that built it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.context.declared_requirements import DeclaredRequirements, declaration_files, read_declared
from mlops_lint.context.dvc_md5 import Eol
from mlops_lint.context.gitignore import GitIgnores
from mlops_lint.context.lfs import LfsAttributes, read_lfs_attributes
from mlops_lint.context.notebook import Notebook, NotebookProblem, load_notebook
from mlops_lint.context.workspace_md5 import WorkspaceMd5s

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mlops_lint.context.files import FileContext
    from mlops_lint.context.reads import ReadLog


class WorkspaceViews:
    """Views over files of the work tree; see the module docstring."""

    root: Path
    overlays: Mapping[str, str]
    reads: ReadLog
    file_set: frozenset[str]
    file: Callable[[str], FileContext]

    @property
    def declared_requirements(self) -> DeclaredRequirements:
        """The project's declared requirements (`context/declared_requirements.py`), read once a run."""
        self.reads.note_all(self._declaration_files)
        return self._declared_requirements

    @cached_property
    def _declaration_files(self) -> list[str]:
        return declaration_files(self.file_set)

    @cached_property
    def _declared_requirements(self) -> DeclaredRequirements:
        return read_declared(self.file_set, lambda path: self.file(path).text)

    @cached_property
    def _notebooks(self) -> dict[str, Notebook | NotebookProblem | None]:
        return {}

    def notebook(self, path: str) -> Notebook | NotebookProblem | None:
        """The notebook at `path`, loaded once per run; None when the file has no text."""
        self.reads.note(path)
        if path not in self._notebooks:
            text = self.file(path).text
            self._notebooks[path] = None if text is None else load_notebook(text)
        return self._notebooks[path]

    @property
    def gitignores(self) -> GitIgnores:
        """The repository's `.gitignore` files (their texts in this run, overlays included)."""
        self.reads.note_all(self._named(".gitignore"))
        return self._gitignores

    @cached_property
    def _gitignores(self) -> GitIgnores:
        return GitIgnores(self.file_set, lambda path: self.file(path).text)

    @property
    def lfs_attributes(self) -> LfsAttributes:
        """Every `.gitattributes` of the repository (worktree text), shallowest first."""
        self.reads.note_all(self._named(".gitattributes"))
        return self._lfs_attributes

    @cached_property
    def _lfs_attributes(self) -> LfsAttributes:
        return read_lfs_attributes(self.file_set, lambda path: self.file(path).text)

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        return {}

    def _named(self, name: str) -> list[str]:
        """Every listed file called `name` (a view built from all of them depends on each)."""
        if name not in self._by_name:
            self._by_name[name] = [path for path in sorted(self.file_set) if path == name or path.endswith("/" + name)]
        return self._by_name[name]

    @cached_property
    def _md5s(self) -> WorkspaceMd5s:
        return WorkspaceMd5s(self.root, self.overlays)

    def workspace_md5(self, path: str, limit: int, eol: Eol = "raw") -> str | None:
        """The DVC md5 of a workspace file no larger than `limit` bytes (`context/workspace_md5.py`)."""
        self.reads.note(path)
        return self._md5s.get(path, limit, eol)

    def _forget_workspace_views(self, path: str) -> None:
        self._notebooks.pop(path, None)
        self._md5s.forget(path)
