"""Reading `git log -p` output: blocks cut at file sections, the sections worth parsing, their fields.

Used by `history_patches.py`; see there for the command and the choices (merges, renames, binaries).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO

from mlops_lint.context.history_model import BINARY_SUFFIXES
from mlops_lint.context.secret_markers import CONFIDENT_MARKERS

# the markers, and binary sections (they print no lines: the blob is read to tell text from binary)
_MARKERS = re.compile(
    "|".join(re.escape(marker) for marker in CONFIDENT_MARKERS).encode("ascii") + rb"|\nBinary files "
)
_BLOCK = 1 << 22
_SECTION = b"\ndiff --"


def blocks(out: IO[bytes]) -> Iterator[bytes]:
    """The stream cut at file-section starts, so that no section spans two blocks."""
    pending = bytearray()
    while True:
        chunk = out.read1(_BLOCK)  # type: ignore[attr-defined]
        if not chunk:
            break
        searched = max(0, len(pending) - len(_SECTION))  # only the new bytes are searched for a cut
        pending += chunk
        cut = pending.rfind(_SECTION, searched)
        if cut > 0:
            yield bytes(pending[: cut + 1])
            del pending[: cut + 1]
    if pending:
        yield bytes(pending)


def marked_sections(block: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, section) of the file sections of `block` holding a marker anywhere (header and
    removed lines included), and of the binary ones."""
    position = 0
    while True:
        match = _MARKERS.search(block, position)
        if match is None:
            return
        start = block.rfind(_SECTION, 0, match.start()) + 1  # 0 when the block starts with the section
        end = block.find(_SECTION, match.end())
        end = len(block) if end < 0 else end + 1
        yield start, block[start:end]
        position = end


def commit_before(block: bytes, offset: int) -> str | None:
    """The commit whose diff holds `offset` (`--format=%x01%H` lines), if its line is in `block`."""
    mark = block.rfind(b"\n\x01", 0, offset)
    start = mark + 2 if mark >= 0 else (1 if block.startswith(b"\x01") else -1)
    return block[start : start + 40].decode("ascii", errors="replace") if start >= 0 else None


def parse_section(section: bytes) -> tuple[str, str, bytes | None] | None:
    """(new path, new blob id, added lines) of one file section; added lines are None for a binary
    file. None when the file has no new content (deleted, a pure rename, a mode change)."""
    oid = path = None
    lines = section.split(b"\n")
    added: list[bytes] = []
    parents = 0
    binary = False
    for number, line in enumerate(lines):
        if line.startswith(b"@@"):
            parents = len(line) - len(line.lstrip(b"@")) - 1
            added = [text[parents:] for text in lines[number:] if text[:parents] == b"+" * parents]
            break
        if line.startswith(b"index "):
            oid = line.split(b" ")[1].rpartition(b"..")[2]
        elif line.startswith(b"+++ "):
            path = _unquote(line[4:], b"b/")
        elif line.startswith(b"Binary files "):
            binary = True
            path = _binary_path(line)
    if oid is None or path is None or set(oid) == {ord("0")} or len(oid) != 40:
        return None
    return path, oid.decode("ascii"), None if binary else b"\n".join(added)


def _binary_path(line: bytes) -> str | None:
    """The new path of "Binary files a/x and b/y differ" (None for a deletion: "and /dev/null")."""
    tail = line[len(b"Binary files ") : -len(b" differ")]
    new = tail.rpartition(b" and ")[2]
    return None if new == b"/dev/null" else _unquote(new, b"b/")


def _unquote(raw: bytes, prefix: bytes) -> str | None:
    """A diff header path: `b/name`, or C-quoted `"b/na\\tme"` (git quotes unusual bytes)."""
    raw = raw.rstrip(b"\t")  # git appends a tab to `+++` paths that contain spaces
    if raw.startswith(b'"') and raw.endswith(b'"') and len(raw) > 1:
        raw = raw[1:-1].decode("unicode_escape").encode("latin-1")  # octal escapes are bytes
    if not raw.startswith(prefix):
        return None
    return raw[len(prefix) :].decode("utf-8", errors="surrogateescape")


def binary_suffix(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in BINARY_SUFFIXES
