"""Data family: DVC pointers (`.dvc` files) and the outputs DVC manages.

MLD001 checks a pointer against the schema DVC itself accepts (`dvc/schema.py`, `dvc/output.py`);
MLD011 notes the legacy 2.x form; MLD002 and MLD003 check that every cached output of a pointer
or a `dvc.yaml` stage is ignored by git and not tracked by it. Nothing here runs DVC or git: the
contexts read the files (`context.dvc`) and the git state (`context.gitignore`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from mlops_lint.context.dvc import (
    POINTER_KEYS,
    DvcPointer,
    PointerEntry,
    pointer_folder,
    read_pointer,
    stage_outputs,
)
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.gitignore import GITIGNORE, git_index, gitignore_entry, gitignores, on_disk
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import CreateFile, Fix, TextEdit, line_starts, newline_of
from mlops_lint.rule import PathRule

_MD5 = re.compile(r"[0-9a-f]{32}(\.dir)?")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def _pointer(file: FileContext, repo: RepoContext) -> DvcPointer | YamlProblem | None:
    doc = repo.yaml(file.path)
    if isinstance(doc, YamlDoc):
        return read_pointer(doc, file.path)
    return doc


# --- MLD001 -----------------------------------------------------------------------------------


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# a NUL or a newline in a path is no file name DVC writes; in a .gitignore line, a newline would
# smuggle in a pattern of its own (`data\n!secrets`)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _path_problem(entry: PointerEntry, folder_ok: bool) -> str | None:
    declared = entry.get("path")
    if "path" not in entry.value:
        return f"{entry.section}[{entry.index}] has no 'path'"
    if not isinstance(declared, str) or not declared:
        return f"{entry.section}[{entry.index}].path must be a non-empty string"
    if _CONTROL.search(declared):
        return f"{entry.section}[{entry.index}].path {declared!r} contains control characters"
    if entry.section == "deps" or _URL.match(declared):
        return None  # an import-url source, or a DVC 2 external output: not a repository path
    if PurePosixPath(declared).is_absolute() or PureWindowsPath(declared).is_absolute():
        return f"path '{declared}' is absolute; it must be relative to the .dvc file's folder"
    if entry.path is None and folder_ok:
        return f"path '{declared}' leaves the repository"
    return None


def _entry_problems(entry: PointerEntry, folder_ok: bool) -> Iterator[tuple[tuple[str | int, ...], str]]:
    where = entry.key
    if not isinstance(entry.value, dict):
        yield where, f"{entry.section}[{entry.index}] is not a mapping"
        return
    problem = _path_problem(entry, folder_ok)
    if problem:
        yield (*where, "path"), problem
    md5 = entry.value.get("md5")
    if "md5" in entry.value and not (isinstance(md5, str) and _MD5.fullmatch(md5)):
        yield (*where, "md5"), f"md5 {md5!r} is not 32 lowercase hex digits (plus '.dir' for a directory)"
    elif isinstance(md5, str) and entry.section == "outs":
        is_dir = md5.endswith(".dir")
        if is_dir and "nfiles" not in entry.value and not entry.legacy:
            yield (*where, "md5"), "directory md5 (.dir) without 'nfiles'"
        if "nfiles" in entry.value and not is_dir:
            yield (*where, "nfiles"), "'nfiles' given but md5 lacks the '.dir' suffix of a directory"
    for key in ("size", "nfiles"):
        if key in entry.value and not _is_count(entry.value[key]):
            yield (*where, key), f"{key} {entry.value[key]!r} is not a non-negative integer"
    if "hash" in entry.value and entry.value["hash"] != "md5":
        yield (*where, "hash"), f"hash {entry.value['hash']!r} is not 'md5', the only algorithm DVC 3 writes"


def pointer_problems(pointer: DvcPointer) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key of the offending value, what is wrong) for every schema violation of a pointer."""
    value = pointer.doc.value
    if not isinstance(value, dict):
        yield (), "the file is not a YAML mapping with an 'outs' list"
        return
    for key in value:
        if key not in POINTER_KEYS:
            yield (str(key),), f"unknown top-level key '{key}'"
    outs = value.get("outs")
    if "outs" not in value:
        yield (), "no 'outs' list"
    elif not isinstance(outs, list) or not outs:
        yield ("outs",), "'outs' must be a non-empty list"
    deps = value.get("deps")
    if "deps" in value and not isinstance(deps, list):
        yield ("deps",), "'deps' must be a list"
    folder_ok = pointer_folder(pointer.doc, pointer.path) is not None
    if not folder_ok:
        yield ("wdir",), f"wdir {value.get('wdir')!r} is not a folder inside the repository"
    for entry in (*pointer.outs, *pointer.deps):
        yield from _entry_problems(entry, folder_ok)


class DvcPointerMalformed(PathRule):
    code = "MLD001"
    kinds = frozenset({FileKind.DVC})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        pointer = _pointer(file, repo)
        if isinstance(pointer, YamlProblem):
            span = Span.point(pointer.line, pointer.column)
            yield self.diagnostic(Location(path=file.path, span=span), problem=pointer.message)
            return
        if pointer is None:
            if file.text_problem is not None:  # binary, not UTF-8, a symlink out of the repository
                yield self.diagnostic(Location(path=file.path), problem=f"cannot be read: {file.text_problem}")
            return
        for key, problem in pointer_problems(pointer):
            line, column = pointer.position(*key)
            yield self.diagnostic(Location(path=file.path, span=Span.point(line, column)), problem=problem)


# --- MLD011 -----------------------------------------------------------------------------------


class LegacyDvcPointer(PathRule):
    code = "MLD011"
    kinds = frozenset({FileKind.DVC})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        pointer = _pointer(file, repo)
        if not isinstance(pointer, DvcPointer):
            return
        legacy = next((out for out in pointer.outs if out.legacy), None)
        if legacy is not None:
            line, column = pointer.position(*legacy.key)
            yield self.diagnostic(Location(path=file.path, span=Span.point(line, column)))


# --- the cached outputs of pointers and stages --------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedOutput:
    path: str  # repo-relative
    is_dir: bool | None  # None: not known from the file
    line: int
    column: int


def cached_outputs(file: FileContext, repo: RepoContext) -> Iterator[CachedOutput]:
    """Outputs DVC keeps in its cache (and so out of git): `.dvc` outs and `dvc.yaml` stage outputs.

    `cache: false` outputs are meant to be committed; `metrics`/`plots` count only with an
    explicit `cache: true`; templated (`${...}`) stages and paths are skipped.
    """
    if file.kind is FileKind.DVC:
        pointer = _pointer(file, repo)
        if isinstance(pointer, DvcPointer):
            for out in pointer.outs:
                if out.path is not None and out.path != "." and out.cache and "${" not in out.path:
                    yield CachedOutput(out.path, True if out.is_dir else None, out.line, out.column)
    elif file.name == "dvc.yaml":
        doc = repo.yaml(file.path)
        if isinstance(doc, YamlDoc):
            for output in stage_outputs(doc, file.path):
                wanted = output.cache and (output.section == "outs" or output.cache_explicit)
                if wanted and output.path != ".":
                    yield CachedOutput(output.path, None, output.line, output.column)


def _is_dir(repo: RepoContext, output: CachedOutput) -> bool:
    if output.is_dir is not None:
        return output.is_dir
    return on_disk(repo, output.path) == "dir"


def _append_fix(repo: RepoContext, gitignore: str, entry: str, title: str) -> Fix | None:
    if not repo.has(gitignore):
        if on_disk(repo, gitignore) is not None:
            return None  # there, but not among the files we read (itself ignored or excluded)
        return Fix(title=title, edits=(CreateFile(path=gitignore, content=entry + "\n"),))
    decoded = repo.file(gitignore).decoded
    if decoded is None:
        return None
    text = decoded.text
    newline = newline_of(text)
    prefix = "" if not text or text.endswith(("\n", "\r")) else newline
    starts = line_starts(text)
    line = len(starts)
    end = Span.point(line, len(text) - starts[-1] + 1)
    return Fix(title=title, edits=(TextEdit(path=gitignore, span=end, content=prefix + entry + newline),))


class DvcOutputNotGitignored(PathRule):
    code = "MLD002"
    kinds = frozenset({FileKind.DVC, FileKind.YAML})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if file.kind is FileKind.YAML and file.name != "dvc.yaml":
            return
        ignores = None
        for output in cached_outputs(file, repo):
            ignores = ignores or gitignores(repo)
            if ignores.ignored(output.path, _is_dir(repo, output)):
                continue
            folder, name = posixpath.split(output.path)
            gitignore = posixpath.join(folder, GITIGNORE)
            entry = gitignore_entry(name)
            fix = _append_fix(repo, gitignore, entry, self.fix_title(entry=entry, gitignore=gitignore))
            if _CONTROL.search(output.path):
                fix = None  # no .gitignore line can hold it (MLD001 reports the path)
            location = Location(path=file.path, span=Span.point(output.line, output.column))
            yield self.diagnostic(location, fix, path=output.path)


class DvcOutputTrackedByGit(PathRule):
    code = "MLD003"
    kinds = frozenset({FileKind.DVC, FileKind.YAML})

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if not repo.in_git or (file.kind is FileKind.YAML and file.name != "dvc.yaml"):
            return
        for output in cached_outputs(file, repo):
            tracked = git_index(repo).tracked_under(output.path)
            if tracked:
                location = Location(path=file.path, span=Span.point(output.line, output.column))
                yield self.diagnostic(location, path=output.path, count=len(tracked))


RULES = [DvcPointerMalformed, LegacyDvcPointer, DvcOutputNotGitignored, DvcOutputTrackedByGit]
