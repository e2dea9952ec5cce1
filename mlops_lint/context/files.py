"""One file of the repository: its kind, and its bytes and text read at most once.

Text is decoded as UTF-8 (a BOM is remembered so that fixes can write it back); line endings are
kept as they are. A file that is binary, not UTF-8, too large, or a symlink leaving the
repository has no text, and `text_problem` says why, so the engine can report it once.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mlops_lint.diagnostics import StrEnum
from mlops_lint.result_cache import text_digest

UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
DEFAULT_MAX_BYTES = 32 * 1024 * 1024


class FileKind(StrEnum):
    PYTHON = "python"
    NOTEBOOK = "notebook"
    YAML = "yaml"
    JSON = "json"
    TOML = "toml"
    DVC = "dvc"
    TEXT = "text"
    OTHER = "other"


_SUFFIX_KINDS = {
    ".py": FileKind.PYTHON,
    ".pyi": FileKind.PYTHON,
    ".ipynb": FileKind.NOTEBOOK,
    ".yaml": FileKind.YAML,
    ".yml": FileKind.YAML,
    ".json": FileKind.JSON,
    ".toml": FileKind.TOML,
    ".dvc": FileKind.DVC,
    ".txt": FileKind.TEXT,
    ".md": FileKind.TEXT,
    ".cfg": FileKind.TEXT,
    ".ini": FileKind.TEXT,
}
_TEXT_NAMES = {".gitignore", ".gitattributes", ".dvcignore", "MLproject", "Makefile", "Dockerfile"}


def classify(path: str) -> FileKind:
    """The kind of a repo-relative path, by suffix and a few well-known names."""
    pure = PurePosixPath(path)
    kind = _SUFFIX_KINDS.get(pure.suffix.lower())
    if kind is not None:
        return kind
    if pure.name in _TEXT_NAMES or (pure.name == "config" and pure.parent.name == ".dvc"):
        return FileKind.TEXT
    return FileKind.OTHER


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text and how it was stored, so that a fix can write it back the same way."""

    text: str
    bom: bool
    encoding: str = "utf-8"


@dataclass
class FileContext:
    """A repo-relative path with lazily read content; `overlay` replaces the disk content (fix loop)."""

    path: str
    root: Path
    kind: FileKind
    overlay: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    _raw: bytes | None = field(default=None, repr=False)
    _decoded: Decoded | None = field(default=None, repr=False)
    _problem: str | None = field(default=None, repr=False)
    _read: bool = field(default=False, repr=False)
    _digest: str | None = field(default=None, repr=False)

    @property
    def abspath(self) -> Path:
        return self.root / self.path

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def parts(self) -> tuple[str, ...]:
        return PurePosixPath(self.path).parts

    def _load(self) -> None:
        if self._read:
            return
        self._read = True
        if self.overlay is not None:
            self._decoded = Decoded(self.overlay, bom=False)
            return
        problem, raw = read_inside(self.root, self.path, self.max_bytes)
        self._raw, self._problem = raw, problem
        if raw is None:
            return
        bom = raw.startswith(UTF8_BOM)
        body = raw[len(UTF8_BOM) :] if bom else raw
        if b"\x00" in body:
            self._problem = "binary file (contains NUL bytes)"
            return
        try:
            self._decoded = Decoded(body.decode("utf-8"), bom=bom)
        except UnicodeDecodeError as exc:
            declared = declared_encoding(body) if self.kind is FileKind.PYTHON else None
            if declared is not None:
                try:
                    self._decoded = Decoded(body.decode(declared), bom=False, encoding=declared)
                    return
                except (UnicodeDecodeError, LookupError):
                    pass
            line = len(_LINE_BREAK.findall(body, 0, exc.start)) + 1
            self._problem = f"not valid UTF-8 (byte 0x{body[exc.start]:02x} on line {line})"

    @property
    def raw(self) -> bytes | None:
        self._load()
        if self._raw is None and self._decoded is not None:
            return self._decoded.text.encode("utf-8")
        return self._raw

    @property
    def text(self) -> str | None:
        self._load()
        return self._decoded.text if self._decoded else None

    @property
    def decoded(self) -> Decoded | None:
        self._load()
        return self._decoded

    @property
    def digest(self) -> str | None:
        """A hash of the text, computed once: the key of everything cached about this file."""
        if self._digest is None and self.text is not None:
            self._digest = text_digest(self.text)
        return self._digest

    @property
    def text_problem(self) -> str | None:
        self._load()
        return self._problem

    @property
    def size(self) -> int:
        raw = self.raw
        if raw is not None:
            return len(raw)
        try:
            return self.abspath.lstat().st_size
        except OSError:
            return 0


def declared_encoding(body: bytes) -> str | None:
    """The PEP 263 `# -*- coding: ... -*-` of a Python source, if it declares one other than UTF-8."""
    try:
        # tokenize reads lines split on \n only: a bare-CR file would hide its coding line
        normalised = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        encoding, _lines = tokenize.detect_encoding(io.BytesIO(normalised).readline)
    except SyntaxError:
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def is_inside(root: Path, path: Path) -> bool:
    """True if `path`, with every symlink resolved, stays inside `root`."""
    try:
        path.resolve(strict=True).relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        return False
    return True


def read_inside(root: Path, relpath: str, max_bytes: int) -> tuple[str | None, bytes | None]:
    """Read a file of the repository, refusing symlinks that leave it and files over `max_bytes`.

    Returns (problem, None) or (None, content). The file is opened without blocking and checked to
    be a regular file on the open descriptor, so a file swapped for a FIFO after it was listed
    cannot stall the run; one that grew past the cap after its size was read is refused too.
    """
    path = root / relpath
    try:
        if path.is_symlink():
            problem = _symlink_problem(root, path)
            if problem is not None:
                return problem, None
        if not path.is_file():
            return "not a regular file", None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                return "not a regular file", None
            if status.st_size > max_bytes:
                return f"larger than the {max_bytes} bytes read per file", None
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            return f"larger than the {max_bytes} bytes read per file", None
        return None, data
    except OSError as exc:
        return f"cannot be read ({os.strerror(exc.errno) if exc.errno else exc})", None


def _symlink_problem(root: Path, path: Path) -> str | None:
    """Why a symlink is not followed: it loops, leads nowhere, or leaves the repository."""
    try:
        path.resolve(strict=True)
    except RuntimeError:
        return "symlink loop (not followed)"
    except FileNotFoundError:
        return "dangling symlink (its target does not exist)"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop (not followed)"
        return f"cannot be read ({os.strerror(exc.errno) if exc.errno else exc})"
    return None if is_inside(root, path) else "symlink pointing outside the repository (not followed)"
