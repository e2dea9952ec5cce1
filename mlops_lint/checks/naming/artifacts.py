"""Names of model and data artifacts that say nothing about which version they are (MLN003)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.context.artifacts import ARTIFACT_SUFFIXES, MODEL_SUFFIXES, split_name
from mlops_lint.context.dvc import pointer_outs, stage_outs
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import PathRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


# --- artifacts ---------------------------------------------------------------------------------

CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_TOKEN = re.compile(r"[^A-Za-z0-9]+")
_COPY_MARK = re.compile(r"\s*\(\d+\)")


def name_tokens(stem: str) -> list[str]:
    """`finalModel_v2-new` -> [final, model, v2, new] (trailing digits kept: `final2` -> `final2`)."""
    return [t.lower() for t in _TOKEN.split(CAMEL_BOUNDARY.sub("_", stem)) if t]


class AmbiguousArtifactName(PathRule):
    code = "MLN003"

    @cached_property
    def _anywhere(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.options["words"])

    @cached_property
    def _at_end(self) -> frozenset[str]:
        return frozenset(w.lower() for w in self.options["suffix-words"])

    def ambiguity(self, name: str) -> str | None:
        stem, _suffix = split_name(name)
        if _COPY_MARK.search(stem):
            return "a copy number"
        tokens = name_tokens(stem)
        for index, token in enumerate(tokens):
            bare = token.rstrip("0123456789") or token
            if bare in self._anywhere or (index == len(tokens) - 1 and index > 0 and bare in self._at_end):
                return f"the word '{bare}'"
        return None

    def _report(self, name: str, anchor: str, span: Span | None) -> Iterator[Diagnostic]:
        reason = self.ambiguity(name)
        if reason is None:
            return
        stem, suffix = split_name(name)
        vague = self._anywhere | self._at_end
        kept = [t for t in name_tokens(_COPY_MARK.sub(" ", stem)) if (t.rstrip("0123456789") or t) not in vague]
        base = "-".join(kept) or ("model" if suffix.lower().endswith(tuple(MODEL_SUFFIXES)) else "data")
        yield self.diagnostic(
            Location(path=anchor, span=span),
            name=name,
            reason=reason,
            suggestion=f"{base}-v2{suffix} or {base}-2024-05-14{suffix}",
        )

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        suffixes = ARTIFACT_SUFFIXES | {s.lower() for s in self.options["extra-extensions"]}
        if PurePosixPath(file.path).suffix.lower() in suffixes:
            yield from self._report(file.name, file.path, None)
            return
        if file.kind is FileKind.DVC or file.name in ("dvc.yaml", "dvc.yml"):
            doc = repo.yaml(file.path)
            if not isinstance(doc, YamlDoc):
                return
            outs = pointer_outs(doc, file.path) if file.kind is FileKind.DVC else stage_outs(doc, file.path)
            for out in outs:
                yield from self._report(PurePosixPath(out.path).name, file.path, Span.point(out.line, out.column))


# --- Python modules ----------------------------------------------------------------------------


RULES = [AmbiguousArtifactName]
