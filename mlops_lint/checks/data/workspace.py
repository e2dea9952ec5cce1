"""Workspace data against its pointers (opt-in, `--check-data`): data that no longer matches its
`.dvc` pointer (MLD004) or its declared columns (MLD014). Reading happens in the contexts
(dvc_pointers, data_workspace)."""

from __future__ import annotations

import csv
import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from mlops_lint.context import data_workspace as ws
from mlops_lint.context.artifacts import size_text
from mlops_lint.context.dvc_md5 import file_md5
from mlops_lint.context.dvc_pointers import dvc_pointers
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule, Rule


def _outs(doc: YamlDoc) -> Iterator[tuple[int, dict[str, Any]]]:
    outs = doc.value.get("outs")
    if isinstance(outs, list):
        for index, out in enumerate(outs):
            if isinstance(out, dict) and isinstance(out.get("path"), str):
                yield index, out


def _out_path(pointer: str, declared: str) -> str | None:
    if declared.startswith("/") or "://" in declared:
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(pointer), declared))
    return None if joined == ".." or joined.startswith("../") else joined


class DvcDataOutOfDate(RepoRule):
    reads_outside_files = True
    code = "MLD004"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        limit = int(self.options["max-hash-bytes"])
        for pointer, doc in dvc_pointers(repo):
            if pointer not in repo.targets:
                continue
            for index, out in _outs(doc):
                rel = _out_path(pointer, out["path"])
                md5, size = out.get("md5"), out.get("size")
                if rel is None or not isinstance(md5, str):
                    continue
                found = ws.inside(repo.root, rel)
                if found is None:
                    continue  # not pulled: silent
                what = self._difference(found, md5, size, out, limit)
                if what is not None:
                    line, column = doc.position_of(("outs", index, "path"))
                    # an imported pointer (`dvc import`) is refreshed with `dvc update`, not re-added
                    imported = isinstance(doc.value.get("deps"), list) and bool(doc.value["deps"])
                    command = f"dvc update {pointer}" if imported else f"dvc add {rel}"
                    location = Location(path=pointer, span=Span.point(line, column))
                    yield self.diagnostic(location, path=rel, what=what, command=command)

    @staticmethod
    def _difference(found: Any, md5: str, size: Any, out: Mapping[str, Any], limit: int) -> str | None:
        if md5.endswith(".dir"):
            if not found.is_dir():
                return "a file where the pointer records a folder"
            totals = ws.folder_totals(found)
            nfiles = out.get("nfiles")
            if isinstance(nfiles, int) and nfiles != totals.nfiles:
                return f"{totals.nfiles} files, pointer says {nfiles}"
            if isinstance(size, int) and size != totals.size:
                return f"{size_text(totals.size)} in total, pointer says {size} bytes"
            return None
        if not found.is_file():
            return "a folder where the pointer records a file" if found.is_dir() else None
        actual = found.stat().st_size
        if isinstance(size, int) and size != actual:
            return f"size {actual} bytes, pointer says {size}"
        if actual > limit:
            return None
        legacy = "hash" not in out
        if file_md5(found, "lf" if legacy else "raw") != md5:
            return "md5 differs" + (" (legacy md5-dos2unix)" if legacy else "")
        return None


def _declared_columns(value: Any) -> list[str] | None:
    if isinstance(value, dict):
        columns = value.get("columns")
        if isinstance(columns, dict):
            return [str(name) for name in columns]
        if isinstance(columns, list) and all(isinstance(c, (str, int, float)) for c in columns):
            return [str(c) for c in columns]
    return None


def column_difference(declared: list[str], actual: list[str]) -> str | None:
    """missing / extra / renamed columns, or None when the names agree (order ignored)."""
    missing = [c for c in declared if c not in actual]
    extra = [c for c in actual if c not in declared]
    if not missing and not extra:
        return None
    parts: list[str] = []
    if len(declared) == len(actual):
        renamed = [(d, a) for d, a in zip(declared, actual, strict=True) if d in missing and a in extra]
        if renamed:
            parts.append("renamed " + ", ".join(f"'{d}' -> '{a}'" for d, a in renamed))
            missing = [c for c in missing if c not in {d for d, _ in renamed}]
            extra = [c for c in extra if c not in {a for _, a in renamed}]
    if missing:
        parts.append("missing " + ", ".join(f"'{c}'" for c in missing))
    if extra:
        parts.append("extra " + ", ".join(f"'{c}'" for c in extra))
    return "; ".join(parts)


class DataSchemaMismatch(RepoRule):
    reads_outside_files = True
    code = "MLD014"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for pointer, doc in dvc_pointers(repo):
            if pointer not in repo.targets:
                continue
            top = _declared_columns(doc.value.get("meta"))
            for index, out in _outs(doc):
                own = _declared_columns(out.get("meta"))
                declared = own if own is not None else top
                rel = _out_path(pointer, out["path"])
                if declared is None or rel is None:
                    continue
                key = ("outs", index, "meta", "columns") if own is not None else ("meta", "columns")
                line, column = doc.position_of(key)
                yield from self._compare(repo, rel, declared, Location(path=pointer, span=Span.point(line, column)))
        for data, schema in sorted(dict(self.options["schemas"]).items()):
            schema_doc = repo.yaml(schema) if repo.has(schema) else None
            if isinstance(schema_doc, YamlDoc):
                declared = _declared_columns(schema_doc.value)
                if declared is not None:
                    line, column = schema_doc.position_of(("columns",))
                    yield from self._compare(repo, data, declared, Location(path=schema, span=Span.point(line, column)))

    def _compare(self, repo: RepoContext, rel: str, declared: list[str], where: Location) -> Iterator[Diagnostic]:
        found = ws.inside(repo.root, rel)
        if found is None or not found.is_file():
            return
        suffix = found.suffix.lower()
        if suffix in (".csv", ".tsv"):
            header = ws.first_line(found)
            if header is None or not header.strip():
                return
            actual = next(csv.reader([header], delimiter="\t" if suffix == ".tsv" else ","), [])
        elif suffix == ".parquet":
            columns = ws.parquet_columns(found)
            if columns is None:
                return
            actual = columns
        else:
            return
        difference = column_difference(declared, [c.strip() for c in actual])
        if difference is not None:
            yield self.diagnostic(where, path=rel, difference=difference)


RULES: list[type[Rule]] = [DvcDataOutOfDate, DataSchemaMismatch]
