"""Everything git's history holds, read in one pass: notable blobs and secrets in past versions.

How it stays fast (the history benchmark measures it against the bare git floor):

- One `git rev-list --objects --stdin` stream is piped straight into one
  `git cat-file --batch-check` process: every reachable blob with its size and a path, with no
  per-commit Python walk and no tree diffing of our own.
- While that stream runs, the blobs worth reading (text under a size cap, and not already read in
  an earlier run) are fed to one `git cat-file --batch` process whose output a second thread
  reads, prefilters by keyword and scans for secrets. Content reading overlaps enumeration.
- The result is cached in `.mlops_lint_cache/` with the ref tips it covered. A second run with the
  same tips reads nothing from git; after new commits only `rev-list <new tips> --not <old tips>`
  is enumerated; after a history rewrite everything is enumerated again, but blob contents
  already scanned (by blob id) are not read again.
- The commit that introduced a reported blob is found for all of them in one `git log --raw`
  restricted to their paths, never one `git log` per path.

Scopes: the whole history (`--all`), a range (`A..B`, e.g. a pull request, or what `pre-push`
sends), the staged blobs (pre-commit), or none. A shallow clone cannot answer questions about
history: the scan then yields one notice (how to fetch full history) and no findings. A partial
clone (`--filter=blob:none`) or a damaged one lacks objects: they are never fetched, the scan reads
what is there, and one notice says how many objects it could not read.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from mlops_lint.cache import Cache
from mlops_lint.context.git_objects import read_blobs
from mlops_lint.context.history_models import may_hide_a_model, sniff_models
from mlops_lint.fixes import line_starts
from mlops_lint.git_command import GIT

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

SCANNER_VERSION = "2"  # 2: gitleaks-aligned token formats, models found by their bytes
MAX_SECRET_BLOB = 1 << 20  # larger blobs are not text worth scanning for keys
BINARY_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".bmp",
        ".tif",
        ".tiff",
        ".webp",
        ".ico",
        ".pdf",
        ".mp3",
        ".mp4",
        ".wav",
        ".avi",
        ".mov",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".so",
        ".dll",
        ".dylib",
        ".exe",
        ".whl",
        ".pyc",
        ".class",
        ".jar",
        ".parquet",
        ".feather",
        ".arrow",
        ".orc",
        ".avro",
        ".npy",
        ".npz",
        ".h5",
        ".hdf5",
        ".pt",
        ".pth",
        ".ckpt",
        ".onnx",
        ".pb",
        ".tflite",
        ".safetensors",
        ".gguf",
        ".pkl",
        ".pickle",
        ".joblib",
        ".zip",
        ".tar",
        ".gz",
        ".tgz",
        ".7z",
        ".bz2",
        ".xz",
    ]
)


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


def _git(root: Path, args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run([*GIT, *args], cwd=root, input=stdin, capture_output=True, check=False)
    except OSError:
        return None


def _out(root: Path, args: list[str]) -> str | None:
    result = _git(root, args)
    if result is None or result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", errors="replace")


# Every object reachable from revisions read on stdin; objects a partial or damaged clone lacks are
# never fetched: they are listed as `?<oid>` and counted, and the run says so in one notice.
REV_LIST = [*GIT, "rev-list", "--objects", "--missing=print", "--stdin"]

SHALLOW_NOTICE = (
    "git history not checked: this is a shallow clone, so the history rules (MLG003, MLG005) cannot see "
    "past commits. Fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout) "
    "or pass `--no-history`."
)
PARTIAL_NOTICE = (
    "git history partly checked: this is a partial clone that never downloaded {count} of history, "
    "so the history rules (MLG003, MLG005) cannot read what is missing. Clone without `--filter` (in actions/checkout, "
    "leave `filter` unset) to check all of history, or pass `--no-history`."
)
MISSING_NOTICE = (
    "git history partly checked: this clone lacks {count} of history (a damaged or "
    "incomplete object database), so the history rules (MLG003, MLG005) cannot read what is missing. Run `git fsck` "
    "or clone again to check all of history, or pass `--no-history`."
)
NO_GIT_NOTICE = "git history not checked: not a git repository (the history rules MLG003, MLG005 need git)."


def ref_tips(root: Path) -> list[str] | None:
    """Commit ids of every ref and of HEAD: what `--all` starts from (sorted, deduplicated)."""
    refs = _out(root, ["for-each-ref", "--format=%(objectname) %(objecttype)"])
    head = _out(root, ["rev-parse", "--verify", "-q", "HEAD"])
    if refs is None:
        return None
    tips = {line.split()[0] for line in refs.splitlines() if line.endswith(" commit")}
    if head and head.strip():
        tips.add(head.strip())
    return sorted(tips)


class _ContentReader:
    """One `git cat-file --batch` process: oids go in as enumeration finds them; a thread reads
    the contents back, skips binaries, prefilters by keyword and scans what is left."""

    def __init__(self, root: Path, scanner: SecretScanner | None, prefilter: Prefilter) -> None:
        self.process = subprocess.Popen(
            [*GIT, "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.scanner = scanner
        self.prefilter = prefilter
        self.writer: threading.Thread | None = None
        self.paths: list[str] = []
        self.hits: list[PastSecret] = []
        self.scanned: list[str] = []
        self.passed: list[str] = []  # without a scanner: the blobs the prefilter let through
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def request(self, oid: str, path: str) -> None:
        assert self.process.stdin is not None
        self.paths.append(path)  # cat-file answers in request order
        self.process.stdin.write(oid.encode("ascii") + b"\n")

    def request_all(self, oids: list[str]) -> None:
        """Queue many blobs at once from a writer thread (cat-file's output is read meanwhile)."""
        self.paths.extend([""] * len(oids))
        payload = "".join(oid + "\n" for oid in oids).encode("ascii")

        def write() -> None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(payload)
                self.process.stdin.close()
            except BrokenPipeError:
                pass

        self.writer = threading.Thread(target=write, daemon=True)
        self.writer.start()

    def finish(self) -> None:
        assert self.process.stdin is not None
        if self.writer is not None:
            self.writer.join()
        else:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        self.thread.join()
        self.process.wait()

    def _read(self) -> None:
        out: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        buffer = bytearray()
        position = 0
        index = 0

        def more() -> bool:  # append the next piece of output, dropping what was consumed
            nonlocal position
            chunk = out.read1(1 << 20)  # type: ignore[attr-defined]
            if not chunk:
                return False
            if position:
                del buffer[:position]
                position = 0
            buffer.extend(chunk)
            return True

        try:
            while True:
                newline = buffer.find(b"\n", position)
                if newline < 0:
                    if not more():
                        break
                    continue
                parts = bytes(buffer[position:newline]).split()
                if len(parts) != 3:  # "<oid> missing"
                    position = newline + 1
                    index += 1
                    continue
                end = newline + 1 + int(parts[2])
                while len(buffer) < end + 1:
                    offset = position
                    if not more():
                        raise EOFError("git cat-file --batch stopped early")
                    newline, end = newline - (offset - position), end - (offset - position)
                path = self.paths[index]
                index += 1
                oid = parts[0].decode("ascii")
                self.scanned.append(oid)
                start = newline + 1
                if buffer.find(b"\0", start, min(end, start + 8000)) < 0:
                    data = bytes(buffer[start:end])
                    if self.prefilter(data):
                        if self.scanner is None:
                            self.passed.append(oid)
                        else:
                            self._scan(oid, path, data)
                position = end + 1
        except BaseException as exc:  # surfaced by scan(); the thread must not die silently
            self.failed = exc
        finally:
            out.close()

    def _scan(self, oid: str, path: str, data: bytes) -> None:
        assert self.scanner is not None
        self.hits.extend(scan_blob(self.scanner, oid, path, data))


def scan_blob(scanner: SecretScanner, oid: str, path: str, data: bytes) -> list[PastSecret]:
    text = data.decode("utf-8", errors="replace")
    found = []
    for line, column, end, kind in scanner(text, path):
        value = _line_text(text, line)[column - 1 : end - 1]
        found.append(PastSecret(oid, path, line, column, kind, value_hash(value)))
    return found


def _line_text(text: str, line: int) -> str:
    """Line `line` (1-based) as the scanner counts lines (`fixes.line_starts`), without its line end."""
    starts = line_starts(text)
    if not 0 < line <= len(starts):
        return ""
    end = starts[line] if line < len(starts) else len(text)
    return text[starts[line - 1] : end].rstrip("\r\n")


def _enumerate(root: Path, revs: Iterable[str], progress: _Progress) -> Iterator[tuple[str, int, str]]:
    """(oid, size, path) of every blob reachable from `revs` (rev-list syntax, `^x` excludes)."""
    rev_list = subprocess.Popen(
        REV_LIST, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    check = subprocess.Popen(
        [*GIT, "cat-file", "--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)"],
        cwd=root, stdin=rev_list.stdout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert rev_list.stdin is not None and rev_list.stdout is not None and check.stdout is not None
    rev_list.stdout.close()  # cat-file holds the read end now
    rev_list.stdin.write("".join(rev + "\n" for rev in revs).encode())
    rev_list.stdin.close()
    try:
        for line in check.stdout:
            if not line.startswith(b"blob "):
                progress.missing += line.startswith(b"?")  # `?<oid> missing`: rev-list's missing object
                continue
            parts = line.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3 or not parts[2].isdigit():
                continue
            path = parts[3].decode("utf-8", errors="surrogateescape") if len(parts) == 4 else ""
            yield parts[1].decode("ascii"), int(parts[2]), path
    finally:
        check.stdout.close()
        check.wait()
        if rev_list.wait() != 0:
            raise HistoryUnavailableError("git rev-list failed (unknown revision or incomplete history)")


class HistoryUnavailableError(Exception):
    """git could not list the requested history; the message becomes the run's notice."""


class _Progress:
    """`blobs scanned / total` on stderr, only on a terminal and only for scans that take a while;
    and the count of objects the scan could not see, for the run's notice."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False
        self.missing = 0  # objects the walk met but the clone does not have (a partial or damaged clone)

    def update(self, enumerated: int, read: int) -> None:
        if not self.enabled or enumerated % 5000 or time.monotonic() - self.start < 0.5:
            return
        sys.stderr.write(f"\rmlops-lint: git history: {enumerated} blobs listed, {read} read\033[K")
        sys.stderr.flush()
        self.shown = True

    def stage(self, text: str) -> None:
        """A step of a scan whose count is not known as it runs (the full scan works in bulk)."""
        if self.enabled:
            sys.stderr.write(f"\rmlops-lint: git history: {text}\033[K")
            sys.stderr.flush()
            self.shown = True

    def done(self, enumerated: int, read: int) -> None:
        if self.shown:
            sys.stderr.write(f"\rmlops-lint: git history: {enumerated} blobs in history, {read} searched\033[K\n")
            sys.stderr.flush()


def _wants_content(path: str, size: int) -> bool:
    return 0 < size <= MAX_SECRET_BLOB and PurePosixPath(path).suffix.lower() not in BINARY_SUFFIXES


def _scan(
    root: Path,
    revs: list[str],
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    skip_content: set[str],
    progress: _Progress,
    seen: set[str] | None = None,
) -> tuple[list[PastBlob], list[PastSecret], list[str], int]:
    notable: list[PastBlob] = []
    sniff: list[tuple[str, int, str]] = []
    reader = _ContentReader(root, scanner, prefilter) if interest.secrets else None
    enumerated = 0
    try:
        for oid, size, path in _enumerate(root, revs, progress):
            enumerated += 1
            if seen is not None:
                seen.add(oid)
            if interest.notable(path, size):
                notable.append(PastBlob(oid, size, path))
            elif interest.worth_sniffing(path, size):
                sniff.append((oid, size, path))
            if reader is not None and oid not in skip_content and _wants_content(path, size):
                skip_content.add(oid)
                reader.request(oid, path)
            progress.update(enumerated, len(reader.scanned) if reader else 0)
    finally:
        if reader is not None:
            reader.finish()
    if reader is not None and reader.failed is not None:
        raise reader.failed
    models = sniff_models(root, sniff)
    notable += [PastBlob(oid, size, path) for oid, size, path in sniff if oid in models]
    progress.done(enumerated, len(reader.scanned) if reader else 0)
    return notable, reader.hits if reader else [], reader.scanned if reader else [], enumerated


def _blob_sizes(root: Path) -> dict[str, int]:
    """Every blob in the object database with its size, in pack order (cheap: no history walk)."""
    result = _git(
        root,
        ["cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectname) %(objectsize)"],
    )
    sizes: dict[str, int] = {}
    for line in (result.stdout if result and result.returncode == 0 else b"").splitlines():
        if line.startswith(b"blob "):
            _kind, oid, size = line.split()
            sizes[oid.decode("ascii")] = int(size)
    return sizes


def _reachable_paths(root: Path, revs: list[str], progress: _Progress) -> dict[str, str]:
    """blob or tree id -> the path `git rev-list --objects` first met it at (commits have no path)."""
    process = subprocess.Popen(
        REV_LIST, cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("".join(rev + "\n" for rev in revs).encode())
    process.stdin.close()
    paths: dict[str, str] = {}
    for line in process.stdout:
        if len(line) > 42:
            paths[line[:40].decode("ascii")] = line[41:-1].decode("utf-8", errors="surrogateescape")
        elif line.startswith(b"?"):
            progress.missing += 1
    process.stdout.close()
    if process.wait() != 0:
        raise HistoryUnavailableError("git rev-list failed (unknown revision or incomplete history)")
    return paths


def grep_blobs(root: Path, oids: list[str], markers: tuple[str, ...]) -> set[str] | None:
    """The blobs among `oids` holding any of the literal `markers`, found by git itself.

    The blobs are listed in one synthetic tree written to a temporary object directory (the
    repository's objects are reachable through `GIT_ALTERNATE_OBJECT_DIRECTORIES`, and nothing is
    written into the repository), and one `git grep -F` searches that tree: git inflates each blob
    once and matches all markers in C, far faster than a Python regex over the same bytes. Binary
    blobs are skipped (`-I`). None when git cannot do it; the caller then reads the blobs itself."""
    objects = _out(root, ["rev-parse", "--git-path", "objects"])
    if objects is None or not oids:
        return None if objects is None else set()
    objects_dir = (root / objects.strip()).resolve()
    # entries named by position, so the tree (sorted by name) lists the blobs in the order given:
    # pack order, in which git inflates delta chains several times faster than in id order
    listing = "".join(f"100644 blob {oid}\t{n:09d}\n" for n, oid in enumerate(oids)).encode("ascii")
    with tempfile.TemporaryDirectory(prefix="mlops-lint-tree-") as temporary:
        env = {**os.environ, "GIT_OBJECT_DIRECTORY": temporary, "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects_dir)}
        try:
            tree = subprocess.run([*GIT, "mktree", "--missing"], cwd=root, input=listing, env=env,
                                  capture_output=True, check=False)  # fmt: skip
            if tree.returncode != 0:
                return None
            name = tree.stdout.decode("ascii").strip()
            patterns = [arg for marker in markers for arg in ("-e", marker)]
            grep = subprocess.run(
                [*GIT, "-c", "grep.threads=0", "grep", "-l", "-z", "-I", "-F", "--no-textconv", *patterns, name],
                cwd=root, env=env, capture_output=True, check=False,
            )  # fmt: skip
        except OSError:
            return None
    if grep.returncode not in (0, 1):
        return None
    return {oids[int(entry.rsplit(b":", 1)[-1])] for entry in grep.stdout.split(b"\0") if entry}


class _Grep(threading.Thread):
    def __init__(self, root: Path, oids: list[str]) -> None:
        super().__init__(daemon=True)
        self.root, self.oids = root, oids
        self.found: set[str] | None = None

    def run(self) -> None:
        self.found = grep_blobs(self.root, self.oids, CONFIDENT_MARKERS)


def _scan_everything(
    root: Path,
    tips: list[str],
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    skip: set[str],
    seen: set[str],
    progress: _Progress,
) -> tuple[list[PastBlob], list[PastSecret], list[str], int]:
    """A full scan, parallel where it can be: `git grep` looks for secret markers in every small
    blob of the object database while `rev-list --objects` walks history; then only the few blobs
    that are reachable and matched are read and scanned, with their paths."""
    sizes = _blob_sizes(root)
    candidates = [oid for oid, size in sizes.items() if 0 < size <= MAX_SECRET_BLOB and oid not in skip]
    if len(sizes) > 20_000:  # worth a word on a terminal
        progress.stage(f"walking history and searching {len(candidates)} of {len(sizes)} blobs for secrets")
    grep = _Grep(root, candidates) if interest.secrets else None
    if grep is not None:
        grep.start()
    try:
        paths = _reachable_paths(root, tips, progress)
    finally:
        if grep is not None:
            grep.join()
    notable: list[PastBlob] = []
    sniff: list[tuple[str, int, str]] = []
    enumerated = 0
    for oid, size in sizes.items():
        path = paths.get(oid)
        if path is None:
            continue  # unreachable (a dropped commit's leftovers): not in any clone
        enumerated += 1
        seen.add(oid)
        if interest.notable(path, size):
            notable.append(PastBlob(oid, size, path))
        elif interest.worth_sniffing(path, size):
            sniff.append((oid, size, path))
    models = sniff_models(root, sniff)
    notable += [PastBlob(oid, size, path) for oid, size, path in sniff if oid in models]
    secrets: list[PastSecret] = []
    scanned: list[str] = []
    if grep is not None:
        scanned = [oid for oid in candidates if oid in paths]
        matched = grep.found
        if matched is None:  # git could not grep: read and prefilter in Python
            reader = _ContentReader(root, None, prefilter)
            reader.request_all(scanned)
            reader.finish()
            if reader.failed is not None:
                raise reader.failed
            matched = set(reader.passed)
        wanted = [oid for oid in scanned if oid in matched and _wants_content(paths[oid], sizes[oid])]
        for oid, data in read_blobs(root, wanted).items():
            # git's match may lie in a notebook's base64 images ("A3T", "ABSK"): the prefilter skips those
            if b"\0" not in data[:8000] and (grep.found is None or prefilter(data)):
                secrets.extend(scan_blob(scanner, oid, paths[oid], data))
    progress.done(enumerated, len(scanned))
    return notable, secrets, scanned, enumerated


def _merge_blobs(old: Iterable[PastBlob], new: Iterable[PastBlob]) -> list[PastBlob]:
    seen: dict[str, PastBlob] = {}
    for blob in (*old, *new):
        seen.setdefault(blob.oid, blob)
    return sorted(seen.values(), key=lambda b: (b.path, b.oid))


def _merge_secrets(old: Iterable[PastSecret], new: Iterable[PastSecret]) -> list[PastSecret]:
    return sorted(set(old) | set(new), key=lambda s: (s.path, s.line, s.column, s.oid))


def scan_history(
    root: Path,
    scope: HistoryScope,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    progress: bool = False,
) -> HistoryIndex:
    """The history index for `scope`; never raises for a repository git cannot read (a notice instead)."""
    index = HistoryIndex(scope=scope)
    if scope.kind == "none":
        return index
    if _out(root, ["rev-parse", "--git-dir"]) is None:
        index.notice = NO_GIT_NOTICE
        return index
    shallow = (_out(root, ["rev-parse", "--is-shallow-repository"]) or "").strip() == "true"
    index.prefix = (_out(root, ["rev-parse", "--show-prefix"]) or "").strip()
    return _within(_scan_scope(root, scope, interest, scanner, prefilter, cache, progress, index, shallow))


def _within(index: HistoryIndex) -> HistoryIndex:
    """Keep what lies under the linted root, with root-relative paths (a project inside a bigger repository)."""
    if index.prefix:
        cut = len(index.prefix)
        index.blobs = [replace(b, path=b.path[cut:]) for b in index.blobs if b.path.startswith(index.prefix)]
        index.secrets = [replace(s, path=s.path[cut:]) for s in index.secrets if s.path.startswith(index.prefix)]
    return index


def _scan_scope(
    root: Path,
    scope: HistoryScope,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    progress: bool,
    index: HistoryIndex,
    shallow: bool,
) -> HistoryIndex:
    if scope.kind == "staged":
        return _scan_staged(root, interest, scanner, prefilter, index)
    if shallow and scope.kind == "all":
        index.notice = SHALLOW_NOTICE
        return index
    state = _Progress(progress)
    try:
        if scope.kind == "range":
            revs = _range_revs(root, scope.range or "")
            blobs, secrets, _scanned, index.enumerated = _scan(root, revs, interest, scanner, prefilter, set(), state)
            index.blobs, index.secrets = _merge_blobs([], blobs), _merge_secrets([], secrets)
            index.read = len(_scanned)
            index.missing = state.missing
        else:
            _scan_all(root, interest, scanner, prefilter, cache, index, state)
        if index.missing:
            partial = _out(root, ["config", "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$"])
            count = f"{index.missing} object" + ("s" if index.missing != 1 else "")
            index.notice = (PARTIAL_NOTICE if partial else MISSING_NOTICE).format(count=count)
        return index
    except HistoryUnavailableError as exc:
        index.notice = f"git history not checked: {exc}" + (" (this is a shallow clone)" if shallow else "")
        return index


def _range_revs(root: Path, spec: str) -> list[str]:
    words = spec.split()
    revs: list[str] = []
    for word in words:
        if ".." in word and not word.startswith("-"):
            start, _, end = word.partition("...") if "..." in word else word.partition("..")
            revs += [end or "HEAD", f"^{start}"] if start else [end or "HEAD"]
        else:
            revs.append(word)
    if not revs:
        raise HistoryUnavailableError(f"empty history range {spec!r}")
    for rev in revs:
        if rev.startswith("-"):
            continue
        if _out(root, ["rev-parse", "--verify", "-q", rev.lstrip("^") + "^{commit}"]) is None:
            raise HistoryUnavailableError(f"unknown revision {rev.lstrip('^')!r} in --history-range {spec!r}")
    return revs


def _scan_all(
    root: Path,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    index: HistoryIndex,
    progress: _Progress,
) -> HistoryIndex:
    tips = ref_tips(root)
    if tips is None:
        raise HistoryUnavailableError("git could not list the refs")
    if not tips:
        return index  # an empty repository
    key = interest.key()
    index._tips = tips
    cached = cache.read("history", key)
    old_tips: list[str] = list(cached.get("tips", [])) if cached else []
    old_blobs = [PastBlob(*row) for row in cached.get("blobs", [])] if cached else []
    old_secrets = [PastSecret(*row) for row in cached.get("secrets", [])] if cached else []
    scanned_text: str = cached.get("scanned", "") if cached else ""
    skip = {scanned_text[i : i + 40] for i in range(0, len(scanned_text), 40)}
    if cached and cached.get("missing"):
        old_tips = []  # objects were missing: perhaps fetched since, so the whole history is walked again
    elif cached and old_tips == tips:
        index.blobs, index.secrets, index.from_cache = old_blobs, old_secrets, True
        index._introductions.update(_introductions_from(cached))
        return index
    if cached and old_tips and _still_reachable(root, old_tips, tips):
        revs = tips + [f"^{tip}" for tip in old_tips]
        blobs, secrets, scanned, index.enumerated = _scan(root, revs, interest, scanner, prefilter, skip, progress)
    else:  # first run, or history was rewritten: everything (contents read by an earlier run are not read again)
        seen: set[str] = set()
        blobs, secrets, scanned, index.enumerated = _scan_everything(
            root, tips, interest, scanner, prefilter, skip, seen, progress
        )
        old_blobs = []
        old_secrets = [secret for secret in old_secrets if secret.oid in seen]  # still reachable
        # the commits that introduced a blob may be gone with the rewrite: a warm run must not cite them
        cached = None
    index.read = len(scanned)
    index.missing = progress.missing
    index.blobs = _merge_blobs(old_blobs, blobs)
    index.secrets = _merge_secrets(old_secrets, secrets)
    index._introductions.update(_introductions_from(cached))
    _store(cache, key, tips, index, scanned_text + "".join(scanned))
    return index


def _still_reachable(root: Path, old: list[str], new: list[str]) -> bool:
    """True when every commit the cache covered is still in history (no rewrite, no deleted branch)."""
    result = _git(root, ["rev-list", "--count", "--stdin"], stdin="".join(
        [f"{tip}\n" for tip in old] + [f"^{tip}\n" for tip in new]
    ).encode())  # fmt: skip
    return result is not None and result.returncode == 0 and result.stdout.strip() == b"0"


def _introductions_from(cached: Mapping[str, object] | None) -> dict[tuple[str, str], Introduction | None]:
    rows = cached.get("introduced", []) if cached else []
    found: dict[tuple[str, str], Introduction | None] = {}
    for row in rows if isinstance(rows, list) else []:
        path, oid, commit, subject, when = row
        found[(path, oid)] = Introduction(commit, subject, when) if commit else None
    return found


def _store(cache: Cache, key: str, tips: list[str], index: HistoryIndex, scanned: str) -> None:
    cache.write(
        "history",
        key,
        {
            "tips": tips,
            "blobs": [[b.oid, b.size, b.path] for b in index.blobs],
            "secrets": [[s.oid, s.path, s.line, s.column, s.kind, s.fingerprint] for s in index.secrets],
            "scanned": scanned,
            "introduced": _introduction_rows(index),
            "missing": index.missing,
        },
    )


def _introduction_rows(index: HistoryIndex) -> list[list[object]]:
    return [
        [path, oid, intro.commit if intro else "", intro.subject if intro else "", intro.time if intro else 0]
        for (path, oid), intro in sorted(index._introductions.items())
    ]


def _scan_staged(
    root: Path, interest: Interest, scanner: SecretScanner, prefilter: Prefilter, index: HistoryIndex
) -> HistoryIndex:
    """The blobs a commit would add now: `git diff --cached --raw` (added or modified entries)."""
    result = _git(root, ["diff", "--cached", "--raw", "--no-abbrev", "--no-renames", "-z"])
    if result is None or result.returncode != 0:
        return index
    fields = result.stdout.split(b"\0")
    staged: list[tuple[str, str]] = []
    for i in range(0, len(fields) - 1, 2):
        meta, path = fields[i].split(), fields[i + 1].decode("utf-8", errors="surrogateescape")
        if len(meta) == 5 and meta[4] in (b"A", b"M", b"T") and meta[1] != b"160000":
            staged.append((meta[3].decode("ascii"), path))
    if not staged:
        return index
    sizes = _git(root, ["cat-file", "--batch-check"], stdin="".join(f"{oid}\n" for oid, _ in staged).encode())
    size_of = {}
    for line in (sizes.stdout if sizes else b"").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            size_of[parts[0].decode()] = int(parts[2])
    reader = _ContentReader(root, scanner, prefilter) if interest.secrets else None
    for oid, path in staged:
        size = size_of.get(oid, 0)
        index.enumerated += 1
        if interest.notable(path, size) or (
            interest.worth_sniffing(path, size) and sniff_models(root, [(oid, size, path)])
        ):
            index.blobs.append(PastBlob(oid, size, path))
        if reader is not None and _wants_content(path, size):
            reader.request(oid, path)
    if reader is not None:
        reader.finish()
        index.secrets = _merge_secrets([], reader.hits)
        index.read = len(reader.scanned)
    return index


def introductions(root: Path, index: HistoryIndex, wanted: Iterable[tuple[str, str]]) -> None:
    """Find, for each (path, blob id), the oldest commit that wrote that blob at that path.

    One `git log --raw` over the scope, restricted to the wanted paths, answers all of them. The
    answers are kept on the index (and written to the cache with it)."""
    missing = sorted({pair for pair in wanted if pair not in index._introductions})
    if not missing or index.scope.kind in ("none", "staged"):
        return
    revs = ["--all"] if index.scope.kind == "all" else _range_revs(root, index.scope.range or "")
    oids_by_path: dict[str, set[str]] = {}
    for path, oid in missing:
        oids_by_path.setdefault(path, set()).add(oid)
    paths = sorted(oids_by_path)
    found: dict[tuple[str, str], Introduction] = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        result = _git(
            root,
            ["-c", "core.quotePath=false", "log", *revs, "--raw", "--no-abbrev", "--no-renames",
             "--format=%x01%H %ct %s", "--", *(f":(top,literal){index.prefix}{p}" for p in chunk)],
        )  # fmt: skip
        if result is None or result.returncode != 0:
            continue
        commit: Introduction | None = None
        for line in result.stdout.decode("utf-8", errors="replace").splitlines():
            if line.startswith("\x01"):
                sha, when, subject = [*line[1:].split(" ", 2), "", ""][:3]
                commit = Introduction(sha, subject, int(when) if when.isdigit() else 0)
            elif line.startswith(":") and commit is not None and "\t" in line:
                meta, path = line.split("\t", 1)
                path = path[len(index.prefix) :]
                parts = meta.split()
                if len(parts) >= 4 and parts[3] in oids_by_path.get(path, ()):
                    found[(path, parts[3])] = commit  # log runs newest first: the last one seen is the oldest
    for pair in missing:
        index._introductions[pair] = found.get(pair)
    index._unsaved = True


def introduction(index: HistoryIndex, path: str, oid: str) -> Introduction | None:
    return index._introductions.get((path, oid))


# Literal markers of every secret `confident_secrets` can report: a blob with none of them is not scanned.
CONFIDENT_MARKERS = (
    "hf_", "api_org_", "A3T", "AKIA", "ASIA", "ABIA", "ACCA",
    "aws_secret", "AWS_SECRET", "awsSecret", "AwsSecret", "AWSSecret", "aws_Secret", "Aws_Secret",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "T3BlbkFJ",
    "sk-ant-", "PRIVATE KEY", "-----begin", "WANDB_API_KEY", "wandb.login", "wandb.relogin",
    "api.wandb.ai", '"username"', 'username\\"', "KAGGLE_KEY", "pplx-", "ABSK", "cohere", "Cohere", "COHERE",
    "CO_API_KEY", "co_api_key",
)  # fmt: skip
_CONFIDENT_MARKERS = re.compile("|".join(re.escape(marker) for marker in CONFIDENT_MARKERS).encode("ascii"))
# Base64 payloads of notebook outputs: megabytes of random letters that hold no key but would make the
# regex above slow and match "AKIA" by chance. Found by their literal prefix, so skipping them is cheap.
_NOTEBOOK_IMAGES = re.compile(rb'"image/[a-z+.-]+": *(?:"[^"]*"|\[[^\]]*\])')


def confident_prefilter(data: bytes) -> bool:
    """Cheap test for `confident_secrets`: one literal-alternation search (never a false negative)."""
    if b'"image/' in data:
        data = _NOTEBOOK_IMAGES.sub(b'""', data)
    return _CONFIDENT_MARKERS.search(data) is not None


def confident_secrets(text: str, path: str) -> list[tuple[int, int, int, str]]:
    """The secret scanner of MLG004, high-confidence hits only: history is no place for guesses."""
    from mlops_lint.context.secrets import scan_text

    return [
        (hit.line, hit.column, hit.end_column, hit.kind) for hit in scan_text(text, path) if hit.confidence == "high"
    ]


def value_hash(value: str) -> str:
    """What identifies a secret's value in findings and the cache, without keeping the value."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def fingerprints(data: bytes, path: str) -> set[str]:
    """Fingerprints of the confident secrets in one blob (to tell a secret still at HEAD)."""
    text = data.decode("utf-8", errors="replace")
    return {
        value_hash(_line_text(text, line)[col - 1 : end - 1]) for line, col, end, _ in confident_secrets(text, path)
    }


_INDEXES: weakref.WeakKeyDictionary[RepoContext, HistoryIndex] = weakref.WeakKeyDictionary()


def history_index(repo: RepoContext) -> HistoryIndex:
    """The run's one history scan (built by the first history rule that asks; cached per run).

    What counts as notable comes from the run (`RunOptions.interest`, built from the enabled history
    rules' options), so MLG003 and MLG005 share one pass whichever of them asks first."""
    index = _INDEXES.get(repo)
    if index is None:
        options = repo.run_options
        index = scan_history(
            repo.root,
            options.history,
            options.interest,
            confident_secrets,
            confident_prefilter,
            Cache(repo.root, options.cache),
            progress=options.progress,
        )
        if index.notice:
            repo.notices.append(index.notice)
        _INDEXES[repo] = index
    return index


def save_introductions(repo: RepoContext, index: HistoryIndex) -> None:
    """Write the commits found by `introductions` back to the cache entry, if it covers these tips.
    Only when something new was found: a warm run, or the second history rule, writes nothing."""
    if index.scope.kind != "all" or not index._unsaved:
        return
    index._unsaved = False
    interest = repo.run_options.interest
    cache = Cache(repo.root, repo.run_options.cache)
    cached = cache.read("history", interest.key())
    if cached is None or cached.get("tips") != index._tips:
        return  # another run stored a scan of other history meanwhile (a commit, a rewrite): not ours to amend
    cached["introduced"] = _introduction_rows(index)
    cache.write("history", interest.key(), cached)
