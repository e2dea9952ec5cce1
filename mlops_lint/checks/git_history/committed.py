"""What git holds at HEAD that it should not: model files (MLG001) and data files (MLG002) committed as
raw blobs. The reading is done once per run by `context/git_objects.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import pathspec

from mlops_lint.context.artifacts import DATA_SUFFIXES, MODEL_SUFFIXES, extended_suffixes, size_text
from mlops_lint.context.blob_magic import corpus_like, model_kind, text_suffix
from mlops_lint.context.dvc_pointers import dvc_out_paths
from mlops_lint.context.git_objects import Blob, blob_ends, head_blobs
from mlops_lint.context.lfs import is_valid_pointer, lfs_attributes, looks_like_pointer
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.rule import RepoRule


class _CommittedArtifact(RepoRule):
    """A model or data file whose raw blob is committed at HEAD (not a pointer, not DVC's, not a fixture)."""

    reads_outside_files = True
    suffixes: frozenset[str] = frozenset()
    label = ""

    def _threshold(self, path: str) -> int:
        return int(self.options["min-bytes"])

    def _kind(self, repo: RepoContext, blob: Blob, suffixes: frozenset[str]) -> tuple[str, str] | None:
        """(what the file is, the LFS pattern to suggest), or None when it is not this rule's."""
        suffix = PurePosixPath(blob.path).suffix.lower()
        if suffix in suffixes and self._big(blob.path, blob):
            return self.label, f"*{suffix}"
        return None

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        blobs = head_blobs(repo)
        if not blobs:
            return
        suffixes = extended_suffixes(self.suffixes, self.options.get("extra-suffixes"))
        attributes = lfs_attributes(repo)
        fixtures = pathspec.GitIgnoreSpec.from_lines(self.options["fixture-patterns"])
        max_fixture = int(self.options["max-fixture-bytes"])
        dvc_outs = dvc_out_paths(repo)
        targets = set(repo.targets)
        for path, blob in sorted(blobs.items()):
            if path not in targets or blob.size == 0:
                continue
            if blob.content is not None and (is_valid_pointer(blob.content) or looks_like_pointer(blob.content)):
                continue  # LFS pointers (broken ones are MLD010's)
            found = self._kind(repo, blob, suffixes)
            if found is None:
                continue
            if attributes.rule_for(path) is not None or path in dvc_outs:
                continue  # raw blob under an LFS pattern: MLD010; tracked by git and DVC: MLD003
            if blob.size < max_fixture and fixtures.match_file(path):
                continue
            kind, pattern = found
            yield self.diagnostic(Location(path=path), kind=kind, size=size_text(blob.size), path=path, pattern=pattern)

    def _big(self, path: str, blob: Blob) -> bool:
        return blob.size >= self._threshold(path) and blob.size > 0


def sniffed_model(repo: RepoContext, blob: Blob) -> str | None:
    """What the bytes of a HEAD blob say it is (a pickle, a torch archive, GGUF), if a model."""
    ends = blob_ends(repo, blob)
    return None if ends is None else model_kind(*ends)


class ModelFileCommitted(_CommittedArtifact):
    code = "MLG001"
    suffixes = MODEL_SUFFIXES
    label = "Model"

    def _threshold(self, path: str) -> int:
        pure = PurePosixPath(path)
        if pure.suffix.lower() == ".ckpt" or "checkpoints" in pure.parts[:-1]:
            return 1
        return int(self.options["min-bytes"])

    def _kind(self, repo: RepoContext, blob: Blob, suffixes: frozenset[str]) -> tuple[str, str] | None:
        found = super()._kind(repo, blob, suffixes)
        if found is not None or PurePosixPath(blob.path).suffix.lower() in suffixes:
            return found
        if blob.size < int(self.options["min-bytes"]):
            return None
        kind = sniffed_model(repo, blob)  # `pytorch_model.bin`, `model`, `clf.sav`: a model by its bytes
        return None if kind is None else (kind, blob.path)


class DataFileCommitted(_CommittedArtifact):
    code = "MLG002"
    suffixes = DATA_SUFFIXES
    label = "Data"

    def _kind(self, repo: RepoContext, blob: Blob, suffixes: frozenset[str]) -> tuple[str, str] | None:
        if blob.size < int(self.options["min-bytes"]):
            return None
        found = super()._kind(repo, blob, suffixes)
        if found is not None:
            return None if sniffed_model(repo, blob) else found  # a pickled model saved as `.sav`: MLG001's
        if not text_suffix(blob.path):
            return None
        ends = blob_ends(repo, blob)
        return ("Text data", blob.path) if ends is not None and corpus_like(blob.path, ends[0]) else None


RULES = [ModelFileCommitted, DataFileCommitted]
