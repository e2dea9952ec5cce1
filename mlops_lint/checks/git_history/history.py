"""What git holds that it should not: model and data files at HEAD (MLG001, MLG002), large blobs
and secrets anywhere in history (MLG003, MLG005). The reading is done once per run by
`context/git_objects.py` (HEAD) and `context/git_history.py` (everything reachable)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath

import pathspec

from mlops_lint.checks.data.workspace import dvc_out_paths, size_text
from mlops_lint.context.artifacts import ARTIFACT_SUFFIXES, DATA_SUFFIXES, MODEL_SUFFIXES
from mlops_lint.context.blob_magic import corpus_like, model_kind, text_suffix
from mlops_lint.context.git_history import (
    HistoryIndex,
    Interest,
    PastBlob,
    PastSecret,
    fingerprints,
    history_index,
    introduction,
    introductions,
    save_introductions,
)
from mlops_lint.context.git_objects import Blob, blob_ends, head_blobs, read_blobs
from mlops_lint.context.lfs import is_valid_pointer, lfs_attributes, looks_like_pointer
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule, RuleSettings

GITHUB_WARNS = 50 << 20
GITHUB_REJECTS = 100 << 20


def _suffixes(base: frozenset[str], extra: object) -> frozenset[str]:
    more = {str(s).lower() if str(s).startswith(".") else f".{str(s).lower()}" for s in extra or ()}  # type: ignore[attr-defined]
    return base | frozenset(more)


class _CommittedArtifact(RepoRule):
    """A model or data file whose raw blob is committed at HEAD (not a pointer, not DVC's, not a fixture)."""

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
        suffixes = _suffixes(self.suffixes, self.options.get("extra-suffixes"))
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


def history_interest(enabled: Mapping[str, RuleSettings]) -> Interest:
    """What the history scan must collect for the enabled history rules (see `RunOptions.interest`)."""
    large = enabled.get(LargeBlobInHistory.code)
    never = 1 << 62
    return Interest(
        min_bytes=int(large.options["min-bytes"]) if large else never,
        artifact_min_bytes=int(large.options["artifact-min-bytes"]) if large else never,
        artifact_suffixes=_suffixes(ARTIFACT_SUFFIXES, large.options.get("extra-suffixes")) if large else frozenset(),
        secrets=SecretInHistory.code in enabled,
        model_min_bytes=int(large.options["model-min-bytes"]) if large else never,
        model_suffixes=MODEL_SUFFIXES if large else frozenset(),
    )


def _where(index: HistoryIndex, path: str, oid: str) -> str:
    if index.scope.kind == "staged":
        return "is staged for commit"
    intro = introduction(index, path, oid)
    if intro is None:
        return "is in git history"
    subject = intro.subject if len(intro.subject) <= 60 else intro.subject[:59] + "…"
    return f'was committed in {intro.commit[:7]} ("{subject}")'


class LargeBlobInHistory(RepoRule):
    code = "MLG003"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        index = history_index(repo)
        at_head = {blob.oid for blob in head_blobs(repo).values()}
        by_path: dict[str, list[PastBlob]] = {}
        for blob in index.blobs:
            if blob.oid not in at_head and blob.path:
                by_path.setdefault(blob.path, []).append(blob)
        if not by_path:
            return
        largest = {path: max(blobs, key=lambda b: (b.size, b.oid)) for path, blobs in by_path.items()}
        introductions(repo.root, index, [(path, blob.oid) for path, blob in largest.items()])
        save_introductions(repo, index)
        lfs = lfs_attributes(repo)
        for path, blob in sorted(largest.items()):
            versions = len(by_path[path])
            size = size_text(blob.size) + (f", {versions} large versions" if versions > 1 else "")
            if blob.size >= GITHUB_REJECTS:
                size += "; GitHub rejects files over 100 MiB"
            elif blob.size >= GITHUB_WARNS:
                size += "; GitHub warns above 50 MiB"
            intro = introduction(index, path, blob.oid)
            yield self.diagnostic(
                Location(path=path, commit=intro.commit if intro else None),
                path=path,
                size=size,
                where=_where(index, path, blob.oid),
                state=self._state(index, repo, path),
                command=self._command(index, blob, lfs.rule_for(path) is not None, path in head_blobs(repo)),
            )

    @staticmethod
    def _state(index: HistoryIndex, repo: RepoContext, path: str) -> str:
        if index.scope.kind == "staged":
            return "once committed, every clone downloads it for ever"
        if path in head_blobs(repo):
            return "that version is no longer at HEAD but every clone still downloads it"
        return "it is no longer at HEAD but every clone still downloads it"

    @staticmethod
    def _command(index: HistoryIndex, blob: PastBlob, lfs: bool, at_head: bool) -> str:
        if index.scope.kind == "staged":
            return f"unstage it (git restore --staged {blob.path}) and version it with DVC or LFS"
        if lfs:
            return f'rewrite history with git lfs migrate import --everything --include="{blob.path}"'
        if at_head:  # keep the current version: strip only the old blob
            return (
                f"rewrite history with echo {blob.oid} > blobs.txt && git filter-repo --strip-blobs-with-ids blobs.txt"
            )
        return f"rewrite history with git filter-repo --invert-paths --path {blob.path}"


class SecretInHistory(RepoRule):
    code = "MLG005"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        index = history_index(repo)
        head = head_blobs(repo)
        at_head = {blob.oid for blob in head.values()}
        groups: dict[tuple[str, str], list[PastSecret]] = {}
        for secret in index.secrets:
            if secret.oid not in at_head:
                groups.setdefault((secret.fingerprint, secret.path), []).append(secret)
        if not groups:
            return
        still_at_head = self._fingerprints_at_head(repo, {path for _fp, path in groups}, head)
        introductions(repo.root, index, [(s.path, s.oid) for found in groups.values() for s in found])
        save_introductions(repo, index)
        reported: set[str] = set()
        for (fingerprint, path), found in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
            if fingerprint in still_at_head or fingerprint in reported:
                continue  # the same value at HEAD is MLG004's; the same value elsewhere in history: once
            reported.add(fingerprint)
            first = min(found, key=lambda s: self._age(index, s))
            intro = introduction(index, first.path, first.oid)
            yield self.diagnostic(
                Location(path=path, span=Span.point(first.line, first.column), commit=intro.commit if intro else None),
                kind=first.kind,
                where=_where(index, first.path, first.oid),
                state=self._state(index),
            )

    @staticmethod
    def _state(index: HistoryIndex) -> str:
        if index.scope.kind == "staged":
            return "once committed it stays in every clone's history: unstage it and read the key from the environment"
        return (
            "it is gone from HEAD but stays in every clone's history: revoke it now "
            "(deleting the file does not remove it)"
        )

    @staticmethod
    def _age(index: HistoryIndex, secret: PastSecret) -> tuple[int, str]:
        intro = introduction(index, secret.path, secret.oid)
        return (intro.time if intro else 1 << 62, secret.oid)

    @staticmethod
    def _fingerprints_at_head(repo: RepoContext, paths: set[str], head: Mapping[str, Blob]) -> set[str]:
        oids = {head[path].oid: path for path in paths if path in head}
        contents = read_blobs(repo.root, list(oids))
        found: set[str] = set()
        for oid, data in contents.items():
            found |= fingerprints(data, oids[oid])
        return found


RULES = [ModelFileCommitted, DataFileCommitted, LargeBlobInHistory, SecretInHistory]
