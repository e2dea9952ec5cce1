"""The one DVC md5 of the project: what `dvc status` computes for a workspace file.

DVC 3 (an entry with `hash: md5`) hashes the raw bytes. A legacy DVC 2.x entry (no `hash`) is
checked by DVC 3 with `md5-dos2unix`, as dvc-data's `Dos2UnixHashStreamFile` does it: the file is
read in 1 MiB chunks, each chunk is text when `istextblock` says so of its first 512 bytes (no NUL,
at most 30% bytes outside printable ASCII and `\\n\\r\\t\\f\\b`; an empty block is text), and a
text chunk is hashed after CRLF -> LF *within the chunk* (a CR ending one chunk and the LF
starting the next stay as they are, as in DVC). Following DVC exactly matters more than being
clever: a rule that disagreed with `dvc status` would be a false positive.

`crlf` is not a DVC mode: it is the text of a file as a Windows checkout with `core.autocrlf`
holds it (git's binary test: a NUL in the first 8000 bytes; the whole file converted LF -> CRLF),
hashed raw, so that a lock written on Windows is not called stale. Memory stays bounded: every
mode streams.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Literal

Eol = Literal["raw", "lf", "crlf"]
EOLS: tuple[Eol, ...] = ("raw", "lf", "crlf")
CHUNK = 1 << 20  # dvc-data's `fobj_md5` chunk size; the dos2unix test is applied per chunk
TEXT_BLOCK = 512  # dvc-data's istextfile.DEFAULT_CHUNK_SIZE
GIT_BINARY_PROBE = 8000  # git's `buffer_is_binary` looks for a NUL in the first 8000 bytes
_TEXT_CHARS = bytes(range(32, 127)) + b"\n\r\t\f\b"


def is_text_block(block: bytes) -> bool:
    """dvc-data's `istextblock`: no NUL, and at most 30% non-text bytes (empty is text)."""
    if not block:
        return True
    if b"\0" in block:
        return False
    return len(block.translate(None, _TEXT_CHARS)) / len(block) <= 0.30


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    chunk = handle.read(CHUNK)
    while chunk:
        yield chunk
        chunk = handle.read(CHUNK)


def _dos2unix(chunks: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        yield chunk.replace(b"\r\n", b"\n") if is_text_block(chunk[:TEXT_BLOCK]) else chunk


def _to_crlf(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """LF -> CRLF over the whole stream (a CRLF split over two chunks is one line end)."""
    first = next(chunks, b"")
    if b"\0" in first[:GIT_BINARY_PROBE]:
        yield first
        yield from chunks
        return
    pending = b""
    for chunk in (first, *chunks) if first else ():
        chunk = pending + chunk
        pending = b"\r" if chunk.endswith(b"\r") else b""
        yield chunk[: len(chunk) - len(pending)].replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    yield pending


def stream_md5(handle: BinaryIO, eol: Eol = "raw") -> str:
    """The md5 of the stream as DVC (or, for `crlf`, a Windows checkout then DVC) computes it."""
    chunks = _chunks(handle)
    if eol == "lf":
        chunks = _dos2unix(chunks)
    elif eol == "crlf":
        chunks = _to_crlf(chunks)
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def file_md5(path: Path, eol: Eol = "raw") -> str:
    """`stream_md5` of a file (raises OSError as `open` does)."""
    with path.open("rb") as handle:
        return stream_md5(handle, eol)
