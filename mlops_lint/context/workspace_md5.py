"""The DVC md5s of workspace files, computed at most once per file and mode in a run.

An instance belongs to one `RepoContext` (its `workspace_md5`), so the cache lives and dies with
the run, and `forget` drops a file's entries. A file larger than the limit, a symlink, a folder or
an unreadable path has no md5 (None): a rule then stays silent. During `fix`, a file's in-memory
text (an overlay) is hashed instead of the disk.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from mlops_lint.context.dvc_md5 import Eol, file_md5, stream_md5


class WorkspaceMd5s:
    def __init__(self, root: Path, overlays: Mapping[str, str]) -> None:
        self._root = root
        self._overlays = overlays
        self._found: dict[str, dict[tuple[Eol, int], str | None]] = {}

    def get(self, path: str, limit: int, eol: Eol = "raw") -> str | None:
        """md5 of `path` (repo-relative) in mode `eol` (`context/dvc_md5.py`), or None."""
        found = self._found.setdefault(path, {})
        if (eol, limit) not in found:
            found[eol, limit] = self._compute(path, limit, eol)
        return found[eol, limit]

    def forget(self, path: str) -> None:
        self._found.pop(path, None)

    def _compute(self, path: str, limit: int, eol: Eol) -> str | None:
        if path in self._overlays:
            data = self._overlays[path].encode("utf-8")
            return stream_md5(io.BytesIO(data), eol) if len(data) <= limit else None
        target = self._root / path
        try:
            if not target.is_file() or target.is_symlink() or target.stat().st_size > limit:
                return None
            return file_md5(target, eol)
        except OSError:
            return None
