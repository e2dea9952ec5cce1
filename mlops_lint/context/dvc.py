"""DVC files read without DVC: the outputs that `.dvc` pointers and `dvc.yaml` stages declare.

Paths in a `.dvc` file are relative to the file's folder; in `dvc.yaml` to the stage's `wdir`
(default: the folder of dvc.yaml). Both are returned repo-relative, with the line of the entry.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context.yaml_doc import YamlDoc


@dataclass(frozen=True, slots=True)
class DvcOut:
    path: str  # repo-relative, normalised
    declared: str  # the path as written in the file
    line: int
    column: int = 1
    stage: str | None = None


def _join(folder: str, relative: str) -> str | None:
    if PurePosixPath(relative).is_absolute() or "://" in relative:
        return None
    joined = posixpath.normpath(posixpath.join(folder, relative))
    return None if joined.startswith("../") or joined == ".." else joined


def pointer_folder(doc: YamlDoc, pointer_path: str) -> str | None:
    """The folder a pointer's paths are relative to: its own, or its top-level `wdir` (DVC 1/2
    wrote `wdir: ../..` with repository-relative paths); None if that leaves the repository."""
    folder = posixpath.dirname(pointer_path)
    wdir = doc.value.get("wdir") if isinstance(doc.value, dict) else None
    wdir = "." if wdir is None else wdir  # DVC reads `wdir: null` as no wdir
    if not isinstance(wdir, str):
        return None
    joined = _join(folder, wdir)
    return None if joined is None else ("" if joined == "." else joined)


def pointer_outs(doc: YamlDoc, pointer_path: str) -> Iterator[DvcOut]:
    """The `outs` of a `.dvc` pointer file."""
    folder = pointer_folder(doc, pointer_path)
    outs = doc.value.get("outs") if isinstance(doc.value, dict) else None
    if not isinstance(outs, list) or folder is None:
        return
    for index, out in enumerate(outs):
        if isinstance(out, dict) and isinstance(out.get("path"), str):
            joined = _join(folder, out["path"])
            if joined is not None:
                line, column = doc.position_of(("outs", index, "path"))
                yield DvcOut(joined, out["path"], line, column)


def _entry_path(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and len(entry) == 1:
        (key,) = entry
        return key if isinstance(key, str) else None
    return None


def stage_outs(doc: YamlDoc, dvc_yaml_path: str, sections: tuple[str, ...] = ("outs",)) -> Iterator[DvcOut]:
    """The outputs of every stage of a `dvc.yaml` in `sections` (templated `${...}` paths are skipped)."""
    for output in stage_outputs(doc, dvc_yaml_path):
        if output.section in sections:
            yield DvcOut(output.path, output.declared, output.line, output.column, output.stage)


# --- the whole pointer file, every value with its position --------------------------------------


@dataclass(frozen=True, slots=True)
class PointerEntry:
    """One `outs` or `deps` item of a `.dvc` file, as written, with where it is."""

    section: str  # "outs" | "deps"
    index: int
    value: Any  # the raw item (normally a mapping)
    path: str | None  # repo-relative and normalised; None if absent, absolute, a URL or escaping the repo
    line: int
    column: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.section, self.index)

    def get(self, name: str) -> Any:
        return self.value.get(name) if isinstance(self.value, dict) else None

    @property
    def cache(self) -> bool:
        return self.get("cache") is not False

    @property
    def is_dir(self) -> bool:
        md5 = self.get("md5")
        return (isinstance(md5, str) and md5.endswith(".dir")) or (
            isinstance(self.value, dict) and "nfiles" in self.value
        )

    @property
    def legacy(self) -> bool:
        """A DVC 2.x out: it has a hash but no `hash: md5` marker (DVC reads it as md5-dos2unix)."""
        return isinstance(self.value, dict) and "md5" in self.value and "hash" not in self.value


@dataclass(frozen=True, slots=True)
class DvcPointer:
    path: str  # the `.dvc` file
    doc: YamlDoc
    outs: tuple[PointerEntry, ...]
    deps: tuple[PointerEntry, ...]

    def position(self, *key: str | int) -> tuple[int, int]:
        return self.doc.position_of(key)

    @property
    def is_import(self) -> bool:
        return bool(self.deps)


def _entries(doc: YamlDoc, section: str, folder: str | None) -> tuple[PointerEntry, ...]:
    items = doc.value.get(section) if isinstance(doc.value, dict) else None
    if not isinstance(items, list):
        return ()
    entries = []
    for index, item in enumerate(items):
        declared = item.get("path") if isinstance(item, dict) else None
        path = _join(folder, declared) if isinstance(declared, str) and declared and folder is not None else None
        line, column = doc.position_of((section, index, "path") if declared is not None else (section, index))
        entries.append(PointerEntry(section, index, item, path, line, column))
    return tuple(entries)


def read_pointer(doc: YamlDoc, pointer_path: str) -> DvcPointer:
    """A `.dvc` file's outs and deps (`dvc import` / `import-url` pointers carry deps)."""
    folder = pointer_folder(doc, pointer_path)
    return DvcPointer(pointer_path, doc, _entries(doc, "outs", folder), _entries(doc, "deps", folder))


# --- the outputs of dvc.yaml stages, with their cache flag -------------------------------------------


@dataclass(frozen=True, slots=True)
class StageOutput:
    path: str  # repo-relative, normalised
    declared: str
    section: str  # outs | metrics | plots
    cache: bool  # as DVC defaults it: true unless `cache: false`
    cache_explicit: bool  # `cache:` written in the file
    line: int
    column: int
    stage: str


def _entry_flags(entry: Any) -> dict[str, Any]:
    if isinstance(entry, dict) and len(entry) == 1:
        (flags,) = entry.values()
        return flags if isinstance(flags, dict) else {}
    return {}


def stage_outputs(doc: YamlDoc, dvc_yaml_path: str) -> Iterator[StageOutput]:
    """Every `outs`/`metrics`/`plots` entry of every plain stage (templated paths and wdirs skipped)."""
    folder = posixpath.dirname(dvc_yaml_path)
    stages = doc.value.get("stages") if isinstance(doc.value, dict) else None
    if not isinstance(stages, dict):
        return
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        wdir = stage.get("wdir", ".")
        base = _join(folder, wdir) if isinstance(wdir, str) and "${" not in wdir else None
        if base is None:
            continue
        for section in ("outs", "metrics", "plots"):
            entries = stage.get(section)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                declared = _entry_path(entry)
                if declared is None or "${" in declared:
                    continue
                joined = _join(base, declared)
                if joined is None:
                    continue
                flags = _entry_flags(entry)
                line, column = doc.position_of(("stages", str(name), section, index))
                cache = flags.get("cache", True) is not False
                yield StageOutput(joined, declared, section, cache, "cache" in flags, line, column, str(name))
