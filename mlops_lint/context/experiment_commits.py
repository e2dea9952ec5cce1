"""Which commit ids named in experiment metadata exist in the repository's git object store.

The gateway's persistent `cat-file --batch-check` stream answers each `<id>^{commit}`; whether the
clone is shallow comes from `.git` (GitPython's `Repo`). The answer is cached on the run's
`RepoContext.git` (`context/git_view.py`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext
    from mlops_lint.git_gateway import GitGateway


@dataclass(frozen=True, slots=True)
class CommitLookup:
    shallow: bool  # the clone is shallow: a missing id may simply not have been fetched
    known: frozenset[str]  # the asked ids that name a commit


def lookup_commits(repo: RepoContext, commits: Iterable[str]) -> CommitLookup | None:
    """The ids of `commits` that exist as commits; None outside a git repository or if git fails."""
    return repo.git.commits(frozenset(commits))


def find_commits(gateway: GitGateway, asked: Iterable[str]) -> CommitLookup | None:
    if gateway.repo is None:
        return None
    known = frozenset(commit for commit in sorted(asked) if gateway.object_kind(f"{commit}^{{commit}}") == "commit")
    return CommitLookup(gateway.shallow, known)
