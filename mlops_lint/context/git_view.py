"""What a rule may read from git, in one class: `RepoContext.git`.

Every view is built on first use and kept for the run (one `RepoContext`): the blobs at HEAD, the
git index, HEAD's commit, folder histories, experiment commits, and the history scan. They all go
through one `GitGateway` (`git_gateway.py`), whose processes `close()` ends. Nothing is cached at
module level: a finished run, or `RepoContext.close()`, frees all of it.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.context.experiment_commits import CommitLookup, find_commits
from mlops_lint.context.git_facts import FolderHistory, read_folder_histories
from mlops_lint.context.git_objects import Blob, read_ends, read_head_blobs
from mlops_lint.git_gateway import GitGateway

if TYPE_CHECKING:
    from mlops_lint.context.git_history import HistoryIndex
    from mlops_lint.context.run_options import RunOptions
    from mlops_lint.discovery import Inventory


class GitIndex:
    """The paths in the git index (`git ls-files --cached`), empty outside git."""

    def __init__(self, paths: Sequence[str]) -> None:
        self._paths = sorted(paths)

    def tracked_under(self, path: str) -> list[str]:
        """Tracked paths equal to `path` or inside the folder `path`."""
        found = []
        start = bisect.bisect_left(self._paths, path)
        for candidate in self._paths[start:]:
            if candidate == path or candidate.startswith(path + "/"):
                found.append(candidate)
            elif not candidate.startswith(path):
                break
        return found


class RepoGit:
    """The run's views of git (see the module docstring); `notices` is the run's own list."""

    def __init__(self, root: Path, inventory: Inventory, run_options: RunOptions, notices: list[str]) -> None:
        self.root = root
        self.in_git = inventory.in_git
        self._inventory = inventory
        self._run_options = run_options
        self._notices = notices
        self.gateway = GitGateway(root)
        self._ends: dict[str, tuple[bytes, bytes] | None] = {}
        self._histories: dict[tuple[str, ...], dict[str, FolderHistory]] = {}
        self._commits: dict[frozenset[str], CommitLookup | None] = {}
        self._history: HistoryIndex | None = None
        self._history_lock = threading.Lock()  # the scan's thread and a rule may ask at once: one scan

    @cached_property
    def head_blobs(self) -> Mapping[str, Blob]:
        """Every blob tracked at HEAD, by root-relative path."""
        return read_head_blobs(self.gateway) if self.in_git else {}

    def blob_ends(self, blob: Blob) -> tuple[bytes, bytes] | None:
        """First and last bytes of a blob at HEAD (`git_objects.blob_ends`)."""
        if blob.path not in self._ends:
            self._ends[blob.path] = read_ends(self.gateway, blob)
        return self._ends[blob.path]

    @cached_property
    def index(self) -> GitIndex:
        """The git index, as listed with the inventory (one `ls-files` a run), else listed now."""
        if not self.in_git:
            return GitIndex([])
        tracked = self._inventory.tracked
        if tracked is None:
            result = self.gateway.run("ls-files", "-z", "--cached")
            listed = result.stdout.decode("utf-8", errors="surrogateescape") if result and result.ok else ""
            tracked = tuple(name for name in listed.split("\0") if name)
        return GitIndex(tracked)

    @cached_property
    def head_commit(self) -> str | None:
        return self.gateway.head_commit() if self.in_git else None

    def folder_histories(self, folders: tuple[str, ...]) -> dict[str, FolderHistory]:
        if not folders or not self.in_git or self.head_commit is None:
            return {}
        if folders not in self._histories:
            self._histories[folders] = read_folder_histories(self.gateway, folders)
        return self._histories[folders]

    def commits(self, asked: frozenset[str]) -> CommitLookup | None:
        """Which of the asked ids name commits (None outside git)."""
        if asked not in self._commits:
            self._commits[asked] = find_commits(self.gateway, asked) if self.in_git else None
        return self._commits[asked]

    @property
    def history(self) -> HistoryIndex:
        """The run's one history scan, built by the first history rule that asks.

        What counts as notable comes from the run (`RunOptions.interest`, built from the enabled
        history rules' options), so MLG003 and MLG005 share one pass whichever asks first."""
        with self._history_lock:
            if self._history is None:
                self._history = self._scan()
            return self._history

    def _scan(self) -> HistoryIndex:
        from mlops_lint.cache import Cache
        from mlops_lint.context.git_history import scan_history
        from mlops_lint.context.secret_markers import confident_prefilter, confident_secrets

        options = self._run_options
        index = scan_history(
            self.root,
            options.history,
            options.interest,
            confident_secrets,
            confident_prefilter,
            Cache(self.root, options.cache),
            progress=options.progress,
            gateway=self.gateway,
        )
        if index.notice:
            self._notices.append(index.notice)
        return index

    def read_blobs(self, names: list[str]) -> dict[str, bytes]:
        return self.gateway.read_blobs(names)

    def forget(self, path: str) -> None:
        """Drop what was read for one file (a pool worker moving on)."""
        self._ends.pop(path, None)

    def close(self) -> None:
        """End the git processes; the views already built stay readable."""
        self.gateway.close()
