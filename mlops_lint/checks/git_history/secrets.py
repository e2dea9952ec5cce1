"""Secrets in the files at HEAD (MLG004). The scanner is `context.secrets`; the same values in past
commits are MLG005's (`history.py`)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from mlops_lint.context.artifacts import MODEL_SUFFIXES
from mlops_lint.context.files import FileContext
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.secrets import HIGH
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import split_lines
from mlops_lint.rule import PathRule

# never text worth scanning: read neither their bytes nor their text
_BINARY_SUFFIXES = (
    MODEL_SUFFIXES
    | frozenset(
        {".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".mp4", ".zip", ".gz", ".tar", ".7z", ".whl", ".so", ".pyc"}
    )
    | frozenset({".parquet", ".feather", ".arrow", ".npy", ".npz", ".tfrecord", ".sqlite", ".db", ".woff", ".ttf"})
)


class SecretInTree(PathRule):
    code = "MLG004"

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if posixpath.splitext(file.path)[1].lower() in _BINARY_SUFFIXES:
            return
        report_possible = bool(self.options["report-possible"])
        hits = repo.secret_hits(file.path)
        lines = split_lines(file.text or "") if hits else []
        seen: set[str] = set()
        for hit in hits:
            if hit.confidence == HIGH:
                what = f"{hit.kind} hard-coded"
            elif report_possible:
                what = f"Possible secret hard-coded ({hit.kind})"
            else:
                continue
            value = lines[hit.line - 1][hit.column - 1 : hit.end_column - 1] if hit.line <= len(lines) else ""
            if value in seen:
                continue  # the same value again (outputs of a notebook, a JSON file repeating it): one finding
            seen.add(value)
            span = Span(start_line=hit.line, start_col=hit.column, end_line=hit.line, end_col=hit.end_column)
            yield self.diagnostic(Location(path=file.path, span=span), what=what)


RULES = [SecretInTree]
