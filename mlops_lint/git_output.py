"""Reading what git writes: the `cat-file --batch` format, and a stderr nobody needs.

Kept apart from the gateway (which starts the processes) so that the parsing is plain functions
over bytes and streams, testable without git.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO


def parse_batch(names: Sequence[str], data: bytes) -> dict[str, bytes]:
    """Contents by name from `git cat-file --batch` output, which answers in request order:
    `<oid> <type> <size>` and the content, or `<name> missing` / `<name> ambiguous` with none."""
    contents: dict[str, bytes] = {}
    position = 0
    for name in names:
        header_end = data.find(b"\n", position)
        if header_end < 0:
            break
        header = data[position:header_end].split()
        position = header_end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue
        size = int(header[2])
        contents[name] = data[position : position + size]
        position += size + 1  # the content is followed by a newline
    return contents


def drain(stream: IO[bytes] | None) -> None:
    """Read a pipe to its end and close it (a stream's stderr: git must never block writing to it)."""
    if stream is None:
        return
    try:
        while stream.read(1 << 16):
            pass
    except (OSError, ValueError):
        pass
    finally:
        stream.close()
