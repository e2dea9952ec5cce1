"""What git knows about folders: who last touched them and when they first appeared; HEAD.

Used to fill the derivable fields of scaffolded metadata. One `git log` call covers every folder
asked about (newest commit first); HEAD is read by GitPython's `Repo`; outside git, or in a
repository without commits, nothing is known and callers keep their TODOs. The answers are cached
on the run's `RepoContext.git` (`context/git_view.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext
    from mlops_lint.git_gateway import GitGateway


@dataclass(frozen=True, slots=True)
class FolderHistory:
    last_author: str
    first_date: str  # YYYY-MM-DD of the oldest commit touching the folder


def head_commit(repo: RepoContext) -> str | None:
    return repo.git.head_commit


def folder_histories(repo: RepoContext, folders: Sequence[str]) -> dict[str, FolderHistory]:
    """Last author and first date for each folder (repo-relative, trailing slash) git has history for."""
    return repo.git.folder_histories(tuple(folders))


def read_folder_histories(gateway: GitGateway, folders: Sequence[str]) -> dict[str, FolderHistory]:
    if not folders:
        return {}
    out = gateway.out("log", "--format=%x00%an%x00%aI", "--name-only", "--", *folders)
    if out is None:
        return {}
    last_author: dict[str, str] = {}
    first_date: dict[str, str] = {}
    author, date = "", ""
    for line in out.splitlines():
        if line.startswith("\x00"):
            _, author, date = line.split("\x00", 2)
            continue
        for folder in folders:
            if line.startswith(folder):
                last_author.setdefault(folder, author)
                first_date[folder] = date[:10]  # log is newest first: the last one seen is the oldest
    return {folder: FolderHistory(last_author[folder], first_date[folder]) for folder in last_author}
