"""Which files a piece of work read: what a memo of its result depends on (`rule_memo.py`).

Every read of a file's content goes through `RepoContext` (its text, its `ast`, its module facts,
the views built from `.gitignore`, `.gitattributes` and the packaging files), and each of those
accessors notes the path here, also when it answers from its own per-run cache. While a frame is
open (`recording()`), every noted path joins it and every frame around it, so a memo unit inside a
rule adds its reads to the rule's too. Noting more than was needed is harmless (a memo misses a
little more often); noting less would serve stale findings, which is why the notes sit in the
accessors rather than in the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager


class ReadLog:
    """Open frames of paths read; nothing is kept while no frame is open."""

    def __init__(self) -> None:
        self._frames: list[set[str]] = []

    def note(self, path: str) -> None:
        for frame in self._frames:
            frame.add(path)

    def note_all(self, paths: Iterable[str]) -> None:
        if self._frames:
            found = list(paths)
            for frame in self._frames:
                frame.update(found)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """A frame that collects the paths read until the block ends."""
        frame: set[str] = set()
        self._frames.append(frame)
        try:
            yield frame
        finally:
            self._frames.pop()
