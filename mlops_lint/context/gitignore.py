"""What the repository tells git to ignore, and what git tracks, read once per run.

Ignore status is decided by reading every `.gitignore` of the repository (the files of the
inventory, so the in-memory texts of a fix round count too) the way git does: the patterns of a
folder's `.gitignore` apply to paths below that folder, a deeper file overrides a shallower one,
the last matching pattern of a file wins (negations included), and nothing below an ignored
folder can be re-included. Only the repository's own files count, not `.git/info/exclude` or a
user's global excludes: the question is what every clone ignores. No subprocess per path.

The git index is listed with the inventory (one `git ls-files` a run): `RepoContext.git.index`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pathspec import GitIgnoreSpec
from pathspec.patterns.gitwildmatch import GitWildMatchPattern

from mlops_lint.context.git_view import GitIndex
from mlops_lint.globs import gitignore_spec

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

GITIGNORE = ".gitignore"


class GitIgnores:
    """Hierarchical `.gitignore` matching over the repository's files."""

    def __init__(self, paths: Iterable[str], text_of: Callable[[str], str | None]) -> None:
        self._text_of = text_of
        self._folders = {posixpath.dirname(path): path for path in paths if posixpath.basename(path) == GITIGNORE}
        self._specs: dict[str, GitIgnoreSpec | None] = {}

    def _spec(self, folder: str) -> GitIgnoreSpec | None:
        if folder not in self._specs:
            path = self._folders.get(folder)
            text = self._text_of(path) if path is not None else None
            self._specs[folder] = gitignore_spec(text.splitlines()) if text else None
        return self._specs[folder]

    def _decides(self, path: str, is_dir: bool) -> bool:
        """Whether `path` itself matches an ignore pattern (deepest deciding `.gitignore` wins)."""
        folder = posixpath.dirname(path)
        while True:
            spec = self._spec(folder)
            if spec is not None:
                relative = path[len(folder) + 1 :] if folder else path
                result = spec.check_file(relative + "/" if is_dir else relative)
                if result.include is not None:
                    return result.include
            if not folder:
                return False
            folder = posixpath.dirname(folder)

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        """True if git would ignore `path` (repo-relative): it, or a folder above it, is ignored."""
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            last = depth == len(parts)
            if self._decides("/".join(parts[:depth]), is_dir if last else True):
                return True
        return False




def gitignores(repo: RepoContext) -> GitIgnores:
    """The repository's `.gitignore` files, read once per run (`RepoContext.gitignores`)."""
    return repo.gitignores


def git_index(repo: RepoContext) -> GitIndex:
    """The git index (`RepoContext.git.index`, listed with the inventory)."""
    return repo.git.index


def on_disk(repo: RepoContext, path: str) -> str | None:
    """ "dir", "file" or None: what the workspace holds at `path` (data may not be pulled)."""
    target = repo.root / path
    if target.is_symlink():
        return "file"
    if target.is_dir():
        return "dir"
    return "file" if target.exists() else None


def gitignore_entry(name: str) -> str:
    """The anchored, escaped line DVC appends for an output called `name` in the same folder."""
    return "/" + GitWildMatchPattern.escape(name)
