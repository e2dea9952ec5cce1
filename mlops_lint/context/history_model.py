"""The history scan's vocabulary: scopes, what the rules want to hear about, what was found, notices.

Shared by the scan (`history_scan.py`, `history_full_scan.py`), its cache (`history_cache.py`) and
the commit attribution (`history_attribution.py`); `git_history.py` puts them together.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint.context.history_models import may_hide_a_model

SCANNER_VERSION = "2"  # 2: gitleaks-aligned token formats, models found by their bytes
MAX_SECRET_BLOB = 1 << 20  # larger blobs are not text worth scanning for keys
BINARY_SUFFIXES = frozenset((
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".ico", ".pdf", ".mp3", ".mp4", ".wav",
    ".avi", ".mov", ".woff", ".woff2", ".ttf", ".otf", ".so", ".dll", ".dylib", ".exe", ".whl", ".pyc", ".class",
    ".jar", ".parquet", ".feather", ".arrow", ".orc", ".avro", ".npy", ".npz", ".h5", ".hdf5", ".pt", ".pth",
    ".ckpt", ".onnx", ".pb", ".tflite", ".safetensors", ".gguf", ".pkl", ".pickle", ".joblib", ".zip", ".tar",
    ".gz", ".tgz", ".7z", ".bz2", ".xz",
))  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryScope:
    """Which part of history the history rules read."""

    kind: str = "all"  # "all" | "range" | "staged" | "none"
    range: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> HistoryScope:
        """`all`, `none`, `staged`, or a revision range `A..B`."""
        if value is None or value == "all":
            return cls()
        if value in ("none", "staged"):
            return cls(value)
        return cls("range", value)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> HistoryScope | None:
        """pre-commit's pre-push stage says what is being pushed: scan exactly that range."""
        start, end = environ.get("PRE_COMMIT_FROM_REF"), environ.get("PRE_COMMIT_TO_REF")
        if start and end and set(start) != {"0"}:
            return cls("range", f"{start}..{end}")
        if end:  # a new branch: everything not already on a remote
            return cls("range", f"{end} --not --remotes")
        return None

    def describe(self) -> str:
        return {"all": "all refs", "staged": "the staged files", "none": "nothing"}.get(self.kind, self.range or "")


@dataclass(frozen=True, slots=True)
class Interest:
    """Which blobs the rules want to hear about; part of the cache key."""

    min_bytes: int
    artifact_min_bytes: int
    artifact_suffixes: frozenset[str]
    secrets: bool
    model_min_bytes: int = 1 << 62  # model files (by suffix, or by their bytes) from this size
    model_suffixes: frozenset[str] = frozenset()

    def notable(self, path: str, size: int) -> bool:
        if size >= self.min_bytes:
            return True
        if size < self.model_min_bytes and size < self.artifact_min_bytes:
            return False  # most blobs: no path parsing
        suffix = PurePosixPath(path).suffix.lower()
        if size >= self.model_min_bytes and suffix in self.model_suffixes:
            return True
        return size >= self.artifact_min_bytes and suffix in self.artifact_suffixes

    def worth_sniffing(self, path: str, size: int) -> bool:
        """A blob that is not notable by name or size but whose name may hide a model (read its bytes)."""
        return self.model_min_bytes <= size < self.min_bytes and may_hide_a_model(path) and not self.notable(path, size)

    def key(self) -> str:
        parts = [SCANNER_VERSION, str(self.min_bytes), str(self.artifact_min_bytes), str(self.secrets)]
        parts += [str(self.model_min_bytes), *sorted(self.model_suffixes), "|"]
        return hashlib.sha256(" ".join(parts + sorted(self.artifact_suffixes)).encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class PastBlob:
    oid: str
    size: int
    path: str


@dataclass(frozen=True, slots=True)
class PastSecret:
    oid: str
    path: str
    line: int
    column: int
    kind: str
    fingerprint: str  # a hash of the secret's value: findings are deduplicated by it; the value is never stored


@dataclass(frozen=True, slots=True)
class Introduction:
    commit: str
    subject: str
    time: int  # committer time, to tell the oldest of several


@dataclass
class HistoryIndex:
    """What the scan found, plus what it cost (the benchmark and the note print these)."""

    blobs: list[PastBlob] = field(default_factory=list)
    secrets: list[PastSecret] = field(default_factory=list)
    notice: str | None = None
    enumerated: int = 0
    read: int = 0
    from_cache: bool = False
    missing: int = 0  # objects of the scope this clone does not have (partial or damaged): said in the notice
    scope: HistoryScope = field(default_factory=HistoryScope)
    prefix: str = ""  # the linted root inside the git work tree ("" at the top, else "sub/dir/")
    _introductions: dict[tuple[str, str], Introduction | None] = field(default_factory=dict)
    _unsaved: bool = False  # introductions found since the cache entry was last written
    _tips: list[str] = field(default_factory=list)  # the ref tips the full scan covered (its cache entry's)


SecretScanner = Callable[[str, str], list[tuple[int, int, int, str]]]  # (text, path) -> (line, col, end, kind)
Prefilter = Callable[[bytes], bool]

SHALLOW_NOTICE = (
    "git history not checked: this is a shallow clone, so the rules that read history "
    "(large blobs and secrets in past commits) cannot see past commits. Fetch the full history "
    "(`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) or pass `--no-history`."
)
PARTIAL_NOTICE = (
    "git history partly checked: this is a partial clone that never downloaded {count} of history, "
    "so the rules that read history (large blobs and secrets) cannot read what is missing. "
    "Clone without `--filter` (in actions/checkout, leave `filter` unset) to check all of history, "
    "or pass `--no-history`."
)
MISSING_NOTICE = (
    "git history partly checked: this clone lacks {count} of history (a damaged or incomplete object "
    "database), so the rules that read history (large blobs and secrets) cannot read what is missing. "
    "Run `git fsck` or clone again to check all of history, or pass `--no-history`."
)
NO_GIT_NOTICE = (
    "git history not checked: not a git repository "
    "(the rules that read history, large blobs and secrets in past commits, need git)."
)


class HistoryUnavailableError(Exception):
    """git could not list the requested history; the message becomes the run's notice."""


def wants_content(path: str, size: int) -> bool:
    return 0 < size <= MAX_SECRET_BLOB and PurePosixPath(path).suffix.lower() not in BINARY_SUFFIXES


def merge_blobs(old: Iterable[PastBlob], new: Iterable[PastBlob]) -> list[PastBlob]:
    seen: dict[str, PastBlob] = {}
    for blob in (*old, *new):
        seen.setdefault(blob.oid, blob)
    return sorted(seen.values(), key=lambda b: (b.path, b.oid))


def merge_secrets(old: Iterable[PastSecret], new: Iterable[PastSecret]) -> list[PastSecret]:
    return sorted(set(old) | set(new), key=lambda s: (s.path, s.line, s.column, s.oid))
