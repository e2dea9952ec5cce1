"""The workspace side of DVC data, for `--check-data`: where an output is, folder totals, and
the first line of a table. Pure reading, bounded memory; the md5 is `context/dvc_md5.py`'s.
Nothing here follows a symlink out of the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def inside(root: Path, rel: str) -> Path | None:
    """The workspace path of `rel` if it exists and resolves inside `root`."""
    path = root / rel
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return resolved


@dataclass(frozen=True, slots=True)
class FolderTotals:
    nfiles: int
    size: int


def folder_totals(path: Path) -> FolderTotals:
    """Number and total size of the regular files below `path` (symlinked folders not entered)."""
    nfiles = size = 0
    for folder, _dirs, files in os.walk(path, followlinks=False):
        for name in files:
            try:
                stat = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            nfiles += 1
            size += stat.st_size
    return FolderTotals(nfiles, size)


def first_line(path: Path, limit: int = 1 << 16) -> str | None:
    """The first line of a text file (at most `limit` bytes read), without BOM and newline."""
    with path.open("rb") as handle:
        head = handle.read(limit)
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        return line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def parquet_columns(path: Path) -> list[str] | None:
    """Column names of a Parquet file when pyarrow is importable (reads only the footer), else None."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return None
    try:
        return list(pq.read_schema(path).names)
    except Exception:  # a broken file is another rule's business
        return None
