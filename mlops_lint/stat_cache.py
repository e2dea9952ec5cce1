"""Content digests of the repository's files, read only when a file's stat has changed.

A warm run must know whether anything changed without reading 3,000 files. Like git's index and
ruff's cache, we keep each file's stat (size, mtime_ns, inode, ctime_ns) next to a hash of its
bytes: a file whose stat is unchanged keeps its hash, any other file is read and hashed again.
Content hashes stay the truth (a `touch` costs one read, never a wrong answer); the stat is only
a shortcut to them.

The racy case, as git handles it: a file written within the filesystem's timestamp granularity
of the moment we read it can change again without its stat changing (same size, same mtime tick).
So an entry is trusted only when the file's mtime is older than the run that hashed it by more
than `RACY_NS`; a file modified just before or during that run is hashed again on the next one,
until its mtime is safely in the past. `RACY_NS` is two seconds: the coarsest timestamps in use
(FAT's) and a margin for clocks of network filesystems.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mlops_lint.cache import Cache
from mlops_lint.context.files import read_inside

RACY_NS = 2_000_000_000
ENTRY = "stats"


def _stat(path: str) -> list[int] | None:
    try:
        status = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns, status.st_mode]


class StatDigests:
    """Digests by path, trusted while the stat recorded with them still matches (see the module doc)."""

    def __init__(self, cache: Cache, root: Path, max_bytes: int) -> None:
        self.cache = cache
        self.root = root
        self._base = str(root)
        self.max_bytes = max_bytes
        stored = cache.read(ENTRY, f"{root}\0{max_bytes}") or {}
        entries = stored.get("entries")
        self.entries: dict[str, list[Any]] = entries if isinstance(entries, dict) else {}
        written = stored.get("written_ns")
        self.written_ns = written if isinstance(written, int) else 0
        self.started_ns = time.time_ns()  # before any stat: what this run's entries are judged by
        self.hashed = 0  # files read this run (the rest came from their stat)
        self._seen: set[str] = set()  # only entries checked this run are written back
        self._known: dict[str, str] = {}  # this run's answers
        self._changed = False

    def digest(self, path: str) -> str:
        """A hash of the file's bytes (or of why it cannot be read, and its stat): never None.
        Looked at once per run: the memos that ask again see the same snapshot as the first."""
        known = self._known.get(path)
        if known is not None:
            return known
        known = self._known[path] = self._digest(path)
        return known

    def _digest(self, path: str) -> str:
        status = _stat(os.path.join(self._base, path))  # strings: pathlib was half of a warm run's stats
        self._seen.add(path)
        entry = self.entries.get(path)
        if (
            status is not None
            and entry is not None
            and entry[:-1] == status
            and status[1] < self.written_ns - RACY_NS  # not racy: see the module doc
        ):
            return str(entry[-1])
        digest = self._hash(path, status)
        fresh = None if status is None else [*status, digest]
        # written back only when it tells the next run something new: another stat or digest, or a
        # racy entry that this run's start time makes trustworthy (a run that changes nothing
        # writes nothing, so `fix` with nothing to fix leaves every file as it was)
        if fresh != entry or (status is not None and status[1] < self.started_ns - RACY_NS):
            self._changed = True
        if fresh is not None:
            self.entries[path] = fresh
        else:
            self.entries.pop(path, None)
        return digest

    def _hash(self, path: str, status: list[int] | None) -> str:
        self.hashed += 1
        problem, raw = read_inside(self.root, path, self.max_bytes)
        if raw is None:
            # unreadable, too large, a symlink leaving the tree: what the run sees is the reason and the stat
            return hashlib.sha256(f"{problem}\0{status}".encode()).hexdigest()[:32]
        if status is not None and (self.root / path).is_symlink():
            raw = os.readlink(self.root / path).encode("utf-8", "surrogateescape") + b"\0" + raw
        return hashlib.sha256(raw).hexdigest()[:32]

    def fingerprint(self, paths: Iterable[str]) -> str:
        """One hash of every path and its content: equal only when no listed file changed."""
        whole = hashlib.sha256()
        for path in sorted(paths):
            whole.update(f"{path}\0{self.digest(path)}\n".encode("utf-8", "surrogateescape"))
        return whole.hexdigest()[:32]

    def save(self, existing: Iterable[str]) -> None:
        """Write back when something was hashed, keeping only entries of files that still exist."""
        if not self._changed and self.written_ns:
            return
        keep = set(existing) & self._seen
        entries = {path: entry for path, entry in self.entries.items() if path in keep}
        data = {"written_ns": self.started_ns, "entries": entries}
        self.cache.write(ENTRY, f"{self.root}\0{self.max_bytes}", data)
