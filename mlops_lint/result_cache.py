"""Per-file results kept between runs, so a run where nothing changed parses nothing.

What is cached is what costs: the Python rules' findings for a Python file or a notebook (one
libcst parse and traversal each), the cross-file facts of a Python module (an `ast` parse) and
the secret scan of every text file (the keyword search alone was a fifth of a warm run).
Entries are keyed by the file's path and a hash of its text; the whole cache is keyed by the tool
version and the enabled Python rules with their options (and a plugin rule's plugin version), so
changing a rule's option, upgrading mlops-lint or a plugin, or editing the file is a miss. Path
and repository rules are not cached: they are cheap and may read other files (a `.gitignore`, the
git index), which a per-file key cannot see.

The entries live in one JSON document under `.mlops_lint_cache/` (see `mlops_lint.cache`), read
once per run when first needed and written back atomically only when something changed; entries
for files that no longer exist are dropped then, so the cache stays the size of the repository.
Two runs at once each write a whole document; the later one wins, and the other's new entries are
simply computed again next time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from mlops_lint.cache import Cache
from mlops_lint.plugins import plugin_versions

MAX_VARIANTS = 4  # configurations kept side by side (e.g. pre-commit's selection and CI's)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def rules_key(python_rules: Iterable[tuple[str, object]], engine_codes: Iterable[str]) -> str:
    """The enabled Python rules and options, the engine codes, and the version of each plugin that
    provides one of those rules (a plugin's upgrade changes its logic without changing our version):
    what a cached result depends on."""
    rules = sorted((code, options) for code, options in python_rules)
    described = json.dumps([rules, sorted(engine_codes), plugin_versions(code for code, _options in rules)],
                           sort_keys=True, default=repr)  # fmt: skip
    return hashlib.sha256(described.encode()).hexdigest()[:16]


# the parts of the cache and the document each lives in: the facts are nine tenths of the bytes
# (14 MB of JSON on diffusers), and a run that reruns a few rules needs the findings alone
_DOCUMENTS = {"findings": "files", "secrets": "files", "facts": "facts"}


class ResultCache:
    """Cached Python findings and module facts by (path, text digest), for one rules key."""

    def __init__(self, cache: Cache, key: str) -> None:
        self.cache = cache
        self.name = f"files-{key}"
        self.key = key
        self._stored: dict[str, dict[str, dict[str, list[Any]]]] = {}  # document -> part -> entries
        self._changed: set[str] = set()  # documents to write back

    @property
    def changed(self) -> bool:
        return bool(self._changed)

    def _part(self, name: str) -> dict[str, list[Any]]:
        """One part, its document read on first use: a run answered by the run memo, or a
        one-file check, never reads one (on a 2,850-file repository they are half a second of JSON)."""
        document = _DOCUMENTS[name]
        if document not in self._stored:
            stored = self.cache.read(f"{document}-{self.key}", self.key) or {}
            parts = [part for part, doc in _DOCUMENTS.items() if doc == document]
            self._stored[document] = {part: stored[part] for part in parts if isinstance(stored.get(part), dict)}
        return self._stored[document].setdefault(name, {})

    def _put(self, name: str, path: str, entry: list[Any]) -> None:
        self._part(name)[path] = entry
        self._changed.add(_DOCUMENTS[name])

    @property
    def findings(self) -> dict[str, list[Any]]:
        return self._part("findings")

    @property
    def facts(self) -> dict[str, list[Any]]:
        return self._part("facts")

    @property
    def secrets(self) -> dict[str, list[Any]]:
        return self._part("secrets")

    def has_findings(self, path: str, digest: str) -> bool:
        entry = self.findings.get(path)
        return entry is not None and entry[0] == digest

    def get_findings(self, path: str, digest: str) -> list[Any] | None:
        return self.findings[path][1] if self.has_findings(path, digest) else None

    def put_findings(self, path: str, digest: str, rows: list[Any]) -> None:
        self._put("findings", path, [digest, rows])

    def get_facts(self, path: str, digest: str) -> tuple[bool, Any]:
        entry = self.facts.get(path)
        if entry is not None and entry[0] == digest and isinstance(entry[1], str):
            try:
                return True, json.loads(entry[1])
            except ValueError:
                return False, None  # not ours: computed again
        return False, None

    def put_facts(self, path: str, digest: str, data: Any) -> None:
        # each module's facts are kept as a JSON text inside the document: reading the document
        # then scans 2,000 strings instead of building every module's lists (diffusers: 0.39 ->
        # 0.03 s), a run decodes only the modules its rules ask about, and writing it back copies
        # the texts of unchanged modules instead of encoding them again (0.24 -> 0.05 s)
        self._put("facts", path, [digest, json.dumps(data, separators=(",", ":"))])

    def get_secrets(self, path: str, digest: str) -> list[Any] | None:
        entry = self.secrets.get(path)
        return entry[1] if entry is not None and entry[0] == digest else None

    def put_secrets(self, path: str, digest: str, rows: list[Any]) -> None:
        self._put("secrets", path, [digest, rows])

    def save(self, existing: Iterable[str]) -> None:
        """Write back the documents that changed, keeping only entries of files that still exist."""
        keep = set(existing)
        for document in sorted(self._changed):
            parts = self._stored[document]
            kept = {part: {path: entry for path, entry in entries.items() if path in keep}
                    for part, entries in parts.items()}  # fmt: skip
            self.cache.write(f"{document}-{self.key}", self.key, kept)
            self.cache.prune(f"{document}-", MAX_VARIANTS)
        self._changed.clear()
