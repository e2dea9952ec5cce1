"""What git knows about folders: who last touched them and when they first appeared; HEAD.

Used to fill the derivable fields of scaffolded metadata. One `git log` call covers every folder
asked about (newest commit first), one `git rev-parse` gives HEAD; outside git, or in a repository
without commits, nothing is known and callers keep their TODOs.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from mlops_lint.context.repo import RepoContext
from mlops_lint.git_command import GIT


@dataclass(frozen=True, slots=True)
class FolderHistory:
    last_author: str
    first_date: str  # YYYY-MM-DD of the oldest commit touching the folder


_HEAD: WeakKeyDictionary[RepoContext, str | None] = WeakKeyDictionary()


def _git(repo: RepoContext, *args: str) -> str | None:
    try:
        result = subprocess.run([*GIT, *args], cwd=repo.root, capture_output=True, text=True, check=False)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def head_commit(repo: RepoContext) -> str | None:
    if repo not in _HEAD:
        out = _git(repo, "rev-parse", "--verify", "-q", "HEAD") if repo.in_git else None
        _HEAD[repo] = out.strip() if out and out.strip() else None
    return _HEAD[repo]


def folder_histories(repo: RepoContext, folders: Sequence[str]) -> dict[str, FolderHistory]:
    """Last author and first date for each folder (repo-relative, trailing slash) git has history for."""
    if not folders or not repo.in_git or head_commit(repo) is None:
        return {}
    out = _git(repo, "log", "--format=%x00%an%x00%aI", "--name-only", "--", *folders)
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
