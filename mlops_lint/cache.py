"""The on-disk cache: `.mlops_lint_cache/` at the repository root, as ruff keeps `.ruff_cache/`.

The folder ignores itself (a `.gitignore` holding `*`, and a `CACHEDIR.TAG` so backup tools skip
it), so nobody has to add it to their own `.gitignore`. Entries are JSON documents written
atomically (a temporary file renamed over the old one), so two runs at once, as pre-commit
starts them, each see a whole entry or none, never half of one. Every entry records the tool
version and a key; a mismatch is a miss. A cache that cannot be read or written is not an error:
the run simply does the work.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from mlops_lint import __version__

CACHE_DIR = ".mlops_lint_cache"
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by mlops-lint.\n"


class Cache:
    """Named JSON entries under `<root>/.mlops_lint_cache/`; `enabled=False` makes every read a miss."""

    def __init__(self, root: Path, enabled: bool = True) -> None:
        self.folder = root / CACHE_DIR
        self.enabled = enabled

    def read(self, name: str, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        try:
            entry = json.loads((self.folder / f"{name}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("version") != __version__ or entry.get("key") != key:
            return None
        data = entry.get("data")
        return data if isinstance(data, dict) else None

    def write(self, name: str, key: str, data: dict[str, Any]) -> None:
        if not self.enabled:
            return
        try:
            self._prepare()
            handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.folder)
            try:
                # `json.dumps`, not `json.dump`: only the one-shot call uses the C encoder (about 8x
                # faster on the result cache of a 600-file repository)
                document = json.dumps({"version": __version__, "key": key, "data": data}, separators=(",", ":"))
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(document)
                os.replace(temp, self.folder / f"{name}.json")
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a read-only checkout: run without a cache

    def folder_for(self, name: str) -> Path | None:
        """A sub-folder for a tool's own cache (ruff's), or None when caching is off or impossible."""
        if not self.enabled:
            return None
        try:
            self._prepare()
            (self.folder / name).mkdir(exist_ok=True)
        except OSError:
            return None
        return self.folder / name

    def prune(self, prefix: str, keep: int) -> None:
        """Keep only the `keep` most recently written entries whose name starts with `prefix`."""
        try:
            entries = sorted(self.folder.glob(f"{prefix}*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
            for stale in entries[keep:]:
                stale.unlink(missing_ok=True)
        except OSError:
            return

    def _prepare(self) -> None:
        if (self.folder / ".gitignore").exists():
            return
        self.folder.mkdir(exist_ok=True)
        (self.folder / ".gitignore").write_text("# Automatically created by mlops-lint.\n*\n", encoding="utf-8")
        (self.folder / "CACHEDIR.TAG").write_text(_TAG, encoding="utf-8")
