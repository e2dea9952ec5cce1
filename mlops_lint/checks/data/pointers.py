"""Data family: DVC pointers (`.dvc` files) and the outputs DVC manages.

MLD001 checks a pointer against the schema DVC itself runs (`dvc/schema.py`, `dvc/output.py`, as
shipped JSON Schema) and the paths and hashes DVC fails on; what DVC loads and uses is not reported;
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

from mlops_lint.context.dvc import (
    DvcPointer,
    PointerEntry,
    pointer_folder,
    read_pointer,
    stage_outputs,
)
from mlops_lint.context.dvc_schema import dvc_schema_problems
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.gitignore import GITIGNORE, git_index, gitignore_entry, gitignores, on_disk
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import CreateFile, Fix, TextEdit, line_starts, newline_of
from mlops_lint.rule import PathRule

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")


def _pointer(file: FileContext, repo: RepoContext) -> DvcPointer | YamlProblem | None:
    doc = repo.yaml(file.path)
    if isinstance(doc, YamlDoc):
        return read_pointer(doc, file.path)
    return doc


# --- MLD001 -----------------------------------------------------------------------------------

# a NUL or a newline in a path is no file name DVC writes; in a .gitignore line, a newline would
# smuggle in a pattern of its own (`data\n!secrets`)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _path_problem(entry: PointerEntry, folder_ok: bool) -> str | None:
    """What DVC fails on in a path its schema lets through (DVC 3.67 stops with an unexpected
    error on an empty path, `.`, a path leaving the repository or an absolute one outside it)."""
    declared = entry.get("path")
    if not isinstance(declared, str):
        return None  # missing or not a string: the schema's finding
    if not declared or posixpath.normpath(declared) == ".":
        return f"{entry.section}[{entry.index}].path {declared!r} names no file (DVC stops on it)"
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
    if not isinstance(entry.value, dict):
        return  # the schema's finding
    problem = _path_problem(entry, folder_ok)
    if problem:
        yield (*entry.key, "path"), problem
    hash_name = entry.value.get("hash")
    in_repo = entry.section == "outs" and not _URL.match(str(entry.value.get("path", "")))
    if in_repo and isinstance(hash_name, str) and hash_name != "md5":
        yield (
            (*entry.key, "hash"),
            f"hash {hash_name!r} is not 'md5': DVC finds no hash for the output and cannot check it out",
        )


def pointer_problems(pointer: DvcPointer) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key of the offending value, what is wrong) for what DVC refuses or cannot use in a pointer:
    its schema first (`dvc/schema.py` SINGLE_STAGE_SCHEMA), then paths and hashes it fails on."""
    for problem in dvc_schema_problems(pointer.doc, "pointer"):
        yield problem.key, problem.message
    if not isinstance(pointer.doc.value, dict):
        return
    folder_ok = pointer_folder(pointer.doc, pointer.path) is not None
    if not folder_ok and isinstance(pointer.doc.value.get("wdir"), str):
        yield ("wdir",), f"wdir {pointer.doc.value['wdir']!r} is not a folder inside the repository"
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
    reads_outside_files = True
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
    reads_outside_files = True
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
