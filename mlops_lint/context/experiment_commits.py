"""Which commit ids named in experiment metadata exist in the repository's git object store.

One `git cat-file --batch-check` answers for all ids at once; the answer is cached per run.
"""

from __future__ import annotations

import subprocess
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlops_lint.context.repo import RepoContext
from mlops_lint.git_command import GIT


@dataclass(frozen=True, slots=True)
class CommitLookup:
    shallow: bool  # the clone is shallow: a missing id may simply not have been fetched
    known: frozenset[str]  # the asked ids that name a commit


_CACHE: weakref.WeakKeyDictionary[RepoContext, dict[frozenset[str], CommitLookup | None]] = weakref.WeakKeyDictionary()


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> str | None:
    try:
        result = subprocess.run([*GIT, *args], cwd=root, input=stdin, capture_output=True, check=False)
    except OSError:
        return None
    return result.stdout.decode("utf-8", errors="replace") if result.returncode == 0 else None


def lookup_commits(repo: RepoContext, commits: Iterable[str]) -> CommitLookup | None:
    """The ids of `commits` that exist as commits; None outside a git repository or if git fails."""
    asked = frozenset(commits)
    cache = _CACHE.setdefault(repo, {})
    if asked not in cache:
        cache[asked] = _lookup(repo, sorted(asked))
    return cache[asked]


def _lookup(repo: RepoContext, asked: list[str]) -> CommitLookup | None:
    if not repo.in_git:
        return None
    shallow = (_git(repo.root, ["rev-parse", "--is-shallow-repository"]) or "").strip() == "true"
    if not asked:
        return CommitLookup(shallow, frozenset())
    stdin = "".join(f"{commit}^{{commit}}\n" for commit in asked).encode("utf-8")
    out = _git(repo.root, ["cat-file", "--batch-check"], stdin)
    if out is None:
        return None
    lines = out.splitlines()
    if len(lines) != len(asked):
        return None
    known = frozenset(commit for commit, line in zip(asked, lines, strict=True) if line.split(" ")[1:2] == ["commit"])
    return CommitLookup(shallow, known)
