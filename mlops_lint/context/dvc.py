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


def pointer_outs(doc: YamlDoc, pointer_path: str) -> Iterator[DvcOut]:
    """The `outs` of a `.dvc` pointer file."""
    folder = posixpath.dirname(pointer_path)
    outs = doc.value.get("outs") if isinstance(doc.value, dict) else None
    if not isinstance(outs, list):
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
    """The outputs of every stage of a `dvc.yaml` (templated `${...}` paths are skipped)."""
    folder = posixpath.dirname(dvc_yaml_path)
    stages = doc.value.get("stages") if isinstance(doc.value, dict) else None
    if not isinstance(stages, dict):
        return
    for name, stage in stages.items():
        if not isinstance(stage, dict):
            continue
        wdir = stage.get("wdir", ".")
        base = _join(folder, wdir) if isinstance(wdir, str) else None
        if base is None:
            continue
        for section in sections:
            entries = stage.get(section)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                declared = _entry_path(entry)
                if declared is None or "${" in declared:
                    continue
                joined = _join(base, declared)
                if joined is not None:
                    line, column = doc.position_of(("stages", str(name), section, index))
                    yield DvcOut(joined, declared, line, column, str(name))
