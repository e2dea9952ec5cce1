"""What git history holds that it should not: large blobs (MLG003) and secrets (MLG005) anywhere in
history. The reading is done once per run by `context/git_history.py` (everything reachable),
through `RepoContext.git`, and collects what the enabled rules declare through `history_interest`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlops_lint.context.artifacts import ARTIFACT_SUFFIXES, MODEL_SUFFIXES, extended_suffixes, size_text
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
from mlops_lint.context.git_objects import Blob, head_blobs, read_blobs
from mlops_lint.context.lfs import lfs_attributes
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule

GITHUB_WARNS = 50 << 20
GITHUB_REJECTS = 100 << 20
NEVER = 1 << 62  # a size no blob reaches: nothing collected by size


def _where(index: HistoryIndex, path: str, oid: str) -> str:
    if index.scope.kind == "staged":
        return "is staged for commit"
    intro = introduction(index, path, oid)
    if intro is None:
        return "is in git history"
    subject = intro.subject if len(intro.subject) <= 60 else intro.subject[:59] + "…"
    return f'was committed in {intro.commit[:7]} ("{subject}")'


class LargeBlobInHistory(RepoRule):
    reads_outside_files = True
    code = "MLG003"

    @classmethod
    def history_interest(cls, options: Mapping[str, Any]) -> Interest:
        """Blobs over the size thresholds, artifacts and models by suffix (the rule's options)."""
        return Interest(
            min_bytes=int(options["min-bytes"]),
            artifact_min_bytes=int(options["artifact-min-bytes"]),
            artifact_suffixes=extended_suffixes(ARTIFACT_SUFFIXES, options.get("extra-suffixes")),
            secrets=False,
            model_min_bytes=int(options["model-min-bytes"]),
            model_suffixes=MODEL_SUFFIXES,
        )

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
        introductions(repo.git.gateway, index, [(path, blob.oid) for path, blob in largest.items()])
        save_introductions(repo.root, repo.run_options, index)
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
    reads_outside_files = True
    code = "MLG005"

    @classmethod
    def history_interest(cls, options: Mapping[str, Any]) -> Interest:
        """Secrets only: no blob is collected for its size."""
        return Interest(min_bytes=NEVER, artifact_min_bytes=NEVER, artifact_suffixes=frozenset(), secrets=True)

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
        introductions(repo.git.gateway, index, [(s.path, s.oid) for found in groups.values() for s in found])
        save_introductions(repo.root, repo.run_options, index)
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
        contents = read_blobs(repo, list(oids))
        found: set[str] = set()
        for oid, data in contents.items():
            found |= fingerprints(data, oids[oid])
        return found


RULES = [LargeBlobInHistory, SecretInHistory]
