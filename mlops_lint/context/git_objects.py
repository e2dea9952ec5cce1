"""What HEAD holds, read in bulk: every tracked blob's id and size, and the content of small blobs.

One `git ls-tree -r -l -z HEAD`, run at the root, lists the blobs under it (root-relative paths, so
a project inside a bigger repository sees its own files) with their sizes; one `git cat-file --batch`
process streams the content of the blobs at or under `max_content` bytes. No subprocess per file.
Outside git, in an empty repository (no HEAD) or when git fails, the answer is empty.
Results are cached per `RepoContext` (a weak key, so a finished run frees them).
"""

from __future__ import annotations

import os
import subprocess
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.context.blob_magic import HEAD_BYTES, TAIL_BYTES
from mlops_lint.git_command import GIT

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

SMALL_BLOB = 1024  # git-lfs pointers are at most this long
_GIT_READ_LIMIT = 8 << 20  # a blob not readable from the work tree is read from git only up to this size


@dataclass(frozen=True, slots=True)
class Blob:
    path: str
    oid: str
    size: int
    content: bytes | None  # only for blobs of at most SMALL_BLOB bytes


_CACHE: weakref.WeakKeyDictionary[RepoContext, Mapping[str, Blob]] = weakref.WeakKeyDictionary()


def head_blobs(repo: RepoContext) -> Mapping[str, Blob]:
    """Every blob tracked at HEAD, by repo-relative path (cached per run)."""
    found = _CACHE.get(repo)
    if found is None:
        found = read_head_blobs(repo.root) if repo.in_git else {}
        _CACHE[repo] = found
    return found


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> bytes | None:
    try:
        result = subprocess.run([*GIT, *args], cwd=root, input=stdin, capture_output=True, check=False)
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def list_head(root: Path) -> list[tuple[str, str, int]]:
    """(path, oid, size) of every blob at HEAD; gitlinks (submodules) and symlinks are left out."""
    out = _git(root, ["ls-tree", "-r", "-l", "-z", "HEAD"])
    rows: list[tuple[str, str, int]] = []
    for record in (out or b"").split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        parts = meta.split()
        if len(parts) != 4 or parts[1] != b"blob" or parts[0] == b"120000" or not parts[3].isdigit():
            continue
        path = raw_path.decode("utf-8", errors="surrogateescape")
        rows.append((path, parts[2].decode("ascii"), int(parts[3])))
    return rows


def read_blobs(root: Path, oids: list[str]) -> dict[str, bytes]:
    """Contents of the given blobs through one `git cat-file --batch` process."""
    unique = list(dict.fromkeys(oids))
    if not unique:
        return {}
    out = _git(root, ["cat-file", "--batch"], stdin="".join(oid + "\n" for oid in unique).encode("ascii"))
    contents: dict[str, bytes] = {}
    position = 0
    data = out or b""
    while position < len(data):
        header_end = data.index(b"\n", position)
        header = data[position:header_end].split()
        position = header_end + 1
        if len(header) != 3:  # "<oid> missing"
            continue
        size = int(header[2])
        contents[header[0].decode("ascii")] = data[position : position + size]
        position += size + 1  # the content is followed by a newline
    return contents


def read_head_blobs(root: Path, max_content: int = SMALL_BLOB) -> dict[str, Blob]:
    rows = list_head(root)
    contents = read_blobs(root, [oid for _path, oid, size in rows if size <= max_content])
    return {path: Blob(path, oid, size, contents.get(oid) if size <= max_content else None) for path, oid, size in rows}


_ENDS: weakref.WeakKeyDictionary[RepoContext, dict[str, tuple[bytes, bytes] | None]] = weakref.WeakKeyDictionary()


def blob_ends(repo: RepoContext, blob: Blob) -> tuple[bytes, bytes] | None:
    """The first `HEAD_BYTES` and last `TAIL_BYTES` of a blob at HEAD (cached per run).

    Read from the work-tree file when its size is the blob's (the checkout: no need to inflate a
    500 MB blob to see its first bytes), else from git for blobs up to 8 MiB; None when neither can
    be read (a larger blob that is modified, deleted or an LFS file on disk)."""
    cache = _ENDS.setdefault(repo, {})
    if blob.path not in cache:
        cache[blob.path] = _read_ends(repo.root, blob)
    return cache[blob.path]


def _read_ends(root: Path, blob: Blob) -> tuple[bytes, bytes] | None:
    if blob.content is not None:
        return blob.content[:HEAD_BYTES], blob.content[-TAIL_BYTES:]
    on_disk = _from_work_tree(root, blob)
    if on_disk is not None:
        return on_disk
    if blob.size > _GIT_READ_LIMIT:
        return None
    data = read_blobs(root, [blob.oid]).get(blob.oid)
    return None if data is None else (data[:HEAD_BYTES], data[-TAIL_BYTES:])


def _from_work_tree(root: Path, blob: Blob) -> tuple[bytes, bytes] | None:
    path = root / blob.path
    try:
        if path.is_symlink() or not path.resolve().is_relative_to(root.resolve()):
            return None
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != blob.size:
                return None
            head = handle.read(HEAD_BYTES)
            handle.seek(max(0, blob.size - TAIL_BYTES))
            return head, handle.read(TAIL_BYTES)
    except OSError:
        return None
