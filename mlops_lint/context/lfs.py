"""git-lfs without git-lfs: which paths `.gitattributes` routes through `filter=lfs`, and whether
a blob is a valid LFS pointer (git-lfs `docs/spec.md`).

Attributes follow gitattributes semantics: every `.gitattributes` file applies to its own folder
and below, a deeper file overrides a shallower one and a later line an earlier one; a pattern
without a slash matches the base name at any depth, one with a slash is anchored to the file's
folder; a pattern never applies to the files inside a folder it names (unlike .gitignore), and
`dir/` patterns match nothing. Patterns are compiled with pathspec.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pathspec

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

VERSION_LINE = b"version https://git-lfs.github.com/spec/v1"
MAX_POINTER = 1024
_KEY = re.compile(rb"^[a-z0-9.-]+$")
_OID = re.compile(rb"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class LfsRule:
    source: str  # the .gitattributes file
    line: int
    pattern: str
    lfs: bool  # True: filter=lfs; False: the filter is unset or another filter
    regex: re.Pattern[str]
    folder: str  # "" for the root, else "a/b/"


@dataclass(frozen=True, slots=True)
class LfsAttributes:
    rules: tuple[LfsRule, ...]  # shallow files first, in line order

    def rule_for(self, path: str) -> LfsRule | None:
        """The last rule that sets or clears `filter` for `path`, if it is `filter=lfs`."""
        decided: LfsRule | None = None
        for rule in self.rules:
            if not path.startswith(rule.folder):
                continue
            match = rule.regex.match(path[len(rule.folder) :])
            if match is not None and match.group("ps_d") is None:
                decided = rule
        return decided if decided is not None and decided.lfs else None


def _filter_setting(attributes: Iterable[str]) -> bool | None:
    setting: bool | None = None
    for attribute in attributes:
        if attribute.startswith("filter="):
            setting = attribute == "filter=lfs"
        elif attribute in ("-filter", "!filter", "filter"):
            setting = False
    return setting


def parse_gitattributes(path: str, text: str) -> list[LfsRule]:
    folder = posixpath.dirname(path)
    prefix = folder + "/" if folder else ""
    rules: list[LfsRule] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("[attr]"):
            continue
        pattern, *attributes = line.split()
        if pattern.startswith('"') and pattern.endswith('"') and len(pattern) > 1:
            pattern = pattern[1:-1]
        setting = _filter_setting(attributes)
        if setting is None or pattern.endswith("/") or pattern.startswith("!"):
            continue  # no filter attribute; folder patterns match no file in gitattributes
        compiled = pathspec.GitIgnoreSpec.from_lines([pattern]).patterns
        if not compiled or compiled[0].regex is None:
            continue
        rules.append(LfsRule(path, number, pattern, setting, compiled[0].regex, prefix))
    return rules


def read_lfs_attributes(paths: Iterable[str], text_of: Callable[[str], str | None]) -> LfsAttributes:
    """Every `.gitattributes` among `paths`, shallowest first, read through `text_of`."""
    sources = sorted((p for p in paths if posixpath.basename(p) == ".gitattributes"), key=lambda p: (p.count("/"), p))
    rules: list[LfsRule] = []
    for source in sources:
        text = text_of(source)
        if text is not None:
            rules.extend(parse_gitattributes(source, text))
    return LfsAttributes(tuple(rules))


def lfs_attributes(repo: RepoContext) -> LfsAttributes:
    """The repository's LFS attributes, read once per run (`RepoContext.lfs_attributes`)."""
    return repo.lfs_attributes


@dataclass(frozen=True, slots=True)
class PointerProblem:
    line: int
    problem: str


def looks_like_pointer(data: bytes | None) -> bool:
    """A blob that means to be an LFS pointer: small and starting with the version line."""
    return data is not None and len(data) <= MAX_POINTER and data.startswith(VERSION_LINE)


def pointer_problem(data: bytes) -> PointerProblem | None:
    """The first way `data` breaks the pointer spec, or None for a valid pointer."""
    if len(data) > MAX_POINTER:
        return PointerProblem(1, f"pointer is {len(data)} bytes, more than {MAX_POINTER}")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return PointerProblem(1, "pointer is not UTF-8")
    lines = data.split(b"\n")
    if lines[-1] != b"":
        return PointerProblem(len(lines), "the last line has no final newline (LF)")
    lines.pop()
    seen: dict[bytes, bytes] = {}
    previous: bytes | None = None
    for number, line in enumerate(lines, start=1):
        if line.endswith(b"\r"):
            return PointerProblem(number, "CRLF line ending (pointers use LF only)")
        key, space, value = line.partition(b" ")
        if not space or not _KEY.match(key) or not value or value.startswith(b" "):
            return PointerProblem(number, "line is not 'key value' with one space (trailing garbage?)")
        if number == 1:
            if line != VERSION_LINE:
                return PointerProblem(1, "the first line must be 'version https://git-lfs.github.com/spec/v1'")
        elif key == b"version" or (previous is not None and key <= previous):
            return PointerProblem(number, f"keys after 'version' must be sorted and unique ('{key.decode()}')")
        if number > 1:
            previous = key
        seen[key] = value
        if key == b"oid" and not _OID.match(value):
            return PointerProblem(number, "oid must be 'sha256:' followed by 64 lowercase hex digits")
        if key == b"size" and not value.isdigit():
            return PointerProblem(number, "size must be a non-negative integer")
    for required in (b"oid", b"size"):
        if required not in seen:
            return PointerProblem(max(len(lines), 1), f"the '{required.decode()}' line is missing")
    return None


def is_valid_pointer(data: bytes | None) -> bool:
    return looks_like_pointer(data) and pointer_problem(data or b"") is None
