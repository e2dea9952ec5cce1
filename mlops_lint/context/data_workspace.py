"""The workspace side of DVC data, for `--check-data`: file sizes, streamed md5 the way DVC
computes it, folder totals, and the first line of a table. Pure reading, bounded memory.

DVC 3 (`hash: md5`) hashes the raw bytes; a legacy 2.x entry (no `hash`) uses `md5-dos2unix`:
text files (DVC's test: no NUL and at most 30% non-text bytes in the first 512) are hashed after
CRLF -> LF. Nothing here follows a symlink out of the repository.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"


def inside(root: Path, rel: str) -> Path | None:
    """The workspace path of `rel` if it exists and resolves inside `root`."""
    path = root / rel
    try:
        resolved = path.resolve(strict=True)
        resolved.relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return None
    return resolved


def is_text_block(block: bytes) -> bool:
    if not block:
        return True
    if b"\0" in block:
        return False
    non_text = block.translate(None, _TEXT_CHARS)
    return len(non_text) / len(block) <= 0.30


def file_md5(path: Path, dos2unix: bool = False) -> str:
    """md5 of the file streamed in 1 MiB chunks (CRLF -> LF first when `dos2unix` and it is text)."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        convert = dos2unix and is_text_block(first[:512])
        carry = b""
        chunk = first
        while chunk:
            if convert:
                chunk = carry + chunk
                carry = b"\r" if chunk.endswith(b"\r") else b""
                if carry:
                    chunk = chunk[:-1]
                chunk = chunk.replace(b"\r\n", b"\n")
            digest.update(chunk)
            chunk = handle.read(CHUNK)
        digest.update(carry)
    return digest.hexdigest()


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
