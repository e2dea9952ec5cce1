"""What HEAD holds, read in bulk: every tracked blob's id and size, and the content of small blobs.

One `git ls-tree -r -l -z HEAD`, run at the root, lists the blobs under it (root-relative paths, so
a project inside a bigger repository sees its own files) with their sizes; the gateway's persistent
`cat-file --batch` stream gives the content of the blobs at or under `max_content` bytes. No
process per file. Outside git, in an empty repository (no HEAD) or when git fails, the answer is
empty. The run's copy is an attribute of `RepoContext.git` (`context/git_view.py`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.context.blob_magic import HEAD_BYTES, TAIL_BYTES

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext
    from mlops_lint.git_gateway import GitGateway

SMALL_BLOB = 1024  # git-lfs pointers are at most this long
_GIT_READ_LIMIT = 8 << 20  # a blob not readable from the work tree is read from git only up to this size


@dataclass(frozen=True, slots=True)
class Blob:
    path: str
    oid: str
    size: int
    content: bytes | None  # only for blobs of at most SMALL_BLOB bytes


def head_blobs(repo: RepoContext) -> Mapping[str, Blob]:
    """Every blob tracked at HEAD, by repo-relative path (read once per run by `repo.git`)."""
    return repo.git.head_blobs


def read_blobs(repo: RepoContext, names: list[str]) -> dict[str, bytes]:
    """Contents of the named objects (ids or `rev:path`), by name, through the run's cat-file stream."""
    return repo.git.gateway.read_blobs(names)


def list_head(gateway: GitGateway) -> list[tuple[str, str, int]]:
    """(path, oid, size) of every blob at HEAD; gitlinks (submodules) and symlinks are left out."""
    result = gateway.run("ls-tree", "-r", "-l", "-z", "HEAD")
    out = result.stdout if result is not None and result.ok else None
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


def read_head_blobs(gateway: GitGateway, max_content: int = SMALL_BLOB) -> dict[str, Blob]:
    rows = list_head(gateway)
    contents = gateway.read_blobs([oid for _path, oid, size in rows if size <= max_content])
    return {path: Blob(path, oid, size, contents.get(oid) if size <= max_content else None) for path, oid, size in rows}


def blob_ends(repo: RepoContext, blob: Blob) -> tuple[bytes, bytes] | None:
    """The first `HEAD_BYTES` and last `TAIL_BYTES` of a blob at HEAD (cached per run by `repo.git`).

    Read from the work-tree file when its size is the blob's (the checkout: no need to inflate a
    500 MB blob to see its first bytes), else from git for blobs up to 8 MiB; None when neither can
    be read (a larger blob that is modified, deleted or an LFS file on disk)."""
    return repo.git.blob_ends(blob)


def read_ends(gateway: GitGateway, blob: Blob) -> tuple[bytes, bytes] | None:
    root = gateway.root
    if blob.content is not None:
        return blob.content[:HEAD_BYTES], blob.content[-TAIL_BYTES:]
    on_disk = _from_work_tree(root, blob)
    if on_disk is not None:
        return on_disk
    if blob.size > _GIT_READ_LIMIT:
        return None
    data = gateway.read_blobs([blob.oid]).get(blob.oid)
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
