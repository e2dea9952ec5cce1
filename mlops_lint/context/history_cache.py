"""The full history scan, kept in `.mlops_lint_cache/` with the ref tips it covered.

A second run with the same tips reads nothing from git; after new commits only `rev-list <new
tips> --not <old tips>` is enumerated; after a history rewrite everything is enumerated again, but
blob contents already scanned (by blob id) are not read again. The commits found to have
introduced reported blobs (`history_attribution.py`) are written back to the same entry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.cache import Cache
from mlops_lint.context.history_attribution import seen_added
from mlops_lint.context.history_full_scan import scan_everything
from mlops_lint.context.history_model import (
    HistoryIndex,
    HistoryUnavailableError,
    Interest,
    Introduction,
    PastBlob,
    PastSecret,
    Prefilter,
    SecretScanner,
    merge_blobs,
    merge_secrets,
)
from mlops_lint.context.history_reader import Progress
from mlops_lint.context.history_scan import ref_tips, scan_revs
from mlops_lint.git_gateway import GitGateway

if TYPE_CHECKING:
    from mlops_lint.context.run_options import RunOptions


def scan_all(
    gateway: GitGateway,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    index: HistoryIndex,
    progress: Progress,
) -> HistoryIndex:
    tips = ref_tips(gateway)
    if tips is None:
        raise HistoryUnavailableError("git could not list the refs")
    if not tips:
        return index  # an empty repository
    key = interest.key()
    index._tips = tips
    cached = cache.read("history", key)
    old_tips: list[str] = list(cached.get("tips", [])) if cached else []
    old_blobs = [PastBlob(*row) for row in cached.get("blobs", [])] if cached else []
    old_secrets = [PastSecret(*row) for row in cached.get("secrets", [])] if cached else []
    objects = objects_signature(gateway)
    if cached and cached.get("missing") and (old_tips != tips or cached.get("objects") != objects):
        old_tips = []  # objects were missing and git has new ones: perhaps those, so history is walked again
    elif cached and old_tips == tips:
        index.blobs, index.secrets, index.from_cache = old_blobs, old_secrets, True
        index.missing = int(cached.get("missing") or 0)  # a partial clone's notice, from the cache too
        index._introductions.update(_introductions_from(cached))
        return index
    skip = _scanned_before(cache, key, old_tips) if cached else set()
    added_in: dict[tuple[str, str], str] = {}
    if cached and old_tips and _still_reachable(gateway, old_tips, tips):
        revs = tips + [f"^{tip}" for tip in old_tips]
        blobs, secrets, scanned, index.enumerated = scan_revs(
            gateway, revs, interest, scanner, prefilter, skip, progress
        )
    else:  # first run, or history was rewritten: everything (contents read by an earlier run are not read again)
        seen: set[str] = set()
        blobs, secrets, scanned, index.enumerated, added_in = scan_everything(
            gateway, tips, interest, scanner, prefilter, skip, seen, progress
        )
        old_blobs = []
        old_secrets = [secret for secret in old_secrets if secret.oid in seen]  # still reachable
        # the commits that introduced a blob may be gone with the rewrite: a warm run must not cite them
        cached = None
    index.read = len(scanned)
    index.missing = progress.missing
    index.blobs = merge_blobs(old_blobs, blobs)
    index.secrets = merge_secrets(old_secrets, secrets)
    index._introductions.update(_introductions_from(cached))
    seen_added(gateway, index, added_in)
    _store(cache, key, tips, index, "".join(sorted(skip)) + "".join(scanned), objects)
    return index


def objects_signature(gateway: GitGateway) -> list[object]:
    """What changes when git gains objects: the pack files, the loose-object folders (a new object
    changes its folder's mtime) and the alternates. A clone missing objects (a partial clone, by
    design; a damaged one) is walked again only when this changes, not on every run: a blob-less
    clone of diffusers took 11 s per run to learn again that it lacks the same blobs."""
    repo = gateway.repo
    if repo is None:
        return []
    objects = Path(repo.common_dir) / "objects"
    found: list[object] = []
    for folder in (objects / "pack", objects / "info", objects):
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            found.append([folder.name, None])
            continue
        for entry in entries:
            if folder == objects and not (len(entry.name) == 2 and entry.is_dir(follow_symlinks=False)):
                continue  # only the loose-object folders 00..ff; `pack` and `info` are read above
            try:
                status = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found.append([folder.name, entry.name, status.st_size, status.st_mtime_ns])
    return found


def _scanned_before(cache: Cache, key: str, tips: list[str]) -> set[str]:
    """The ids of the blobs the stored scan read (their secrets are in its entry), kept in an entry
    of their own: 2 MB on diffusers, which a run whose history did not change never reads. Only
    the list written with the same tips belongs to that scan."""
    entry = cache.read("history-scanned", key)
    text = entry.get("scanned") if entry and entry.get("tips") == tips else None
    return {text[i : i + 40] for i in range(0, len(text), 40)} if isinstance(text, str) else set()


def _still_reachable(gateway: GitGateway, old: list[str], new: list[str]) -> bool:
    """True when every commit the cache covered is still in history (no rewrite, no deleted branch)."""
    result = gateway.run("rev-list", "--count", "--stdin", stdin="".join(
        [f"{tip}\n" for tip in old] + [f"^{tip}\n" for tip in new]
    ).encode())  # fmt: skip
    return result is not None and result.returncode == 0 and result.stdout.strip() == b"0"


def _introductions_from(cached: Mapping[str, object] | None) -> dict[tuple[str, str], Introduction | None]:
    rows = cached.get("introduced", []) if cached else []
    found: dict[tuple[str, str], Introduction | None] = {}
    for row in rows if isinstance(rows, list) else []:
        path, oid, commit, subject, when = row
        found[(path, oid)] = Introduction(commit, subject, when) if commit else None
    return found


def _store(cache: Cache, key: str, tips: list[str], index: HistoryIndex, scanned: str, objects: list[object]) -> None:
    cache.write("history-scanned", key, {"tips": tips, "scanned": scanned})
    cache.write(
        "history",
        key,
        {
            "tips": tips,
            "blobs": [[b.oid, b.size, b.path] for b in index.blobs],
            "secrets": [[s.oid, s.path, s.line, s.column, s.kind, s.fingerprint] for s in index.secrets],
            "introduced": introduction_rows(index),
            "missing": index.missing,
            "objects": objects,
        },
    )


def introduction_rows(index: HistoryIndex) -> list[list[object]]:
    return [
        [path, oid, intro.commit if intro else "", intro.subject if intro else "", intro.time if intro else 0]
        for (path, oid), intro in sorted(index._introductions.items())
    ]


def save_introductions(root: Path, run_options: RunOptions, index: HistoryIndex) -> None:
    """Write the commits found by `introductions` back to the cache entry, if it covers these tips.
    Only when something new was found: a warm run, or the second history rule, writes nothing."""
    if index.scope.kind != "all" or not index._unsaved:
        return
    index._unsaved = False
    interest = run_options.interest
    cache = Cache(root, run_options.cache)
    cached = cache.read("history", interest.key())
    if cached is None or cached.get("tips") != index._tips:
        return  # another run stored a scan of other history meanwhile (a commit, a rewrite): not ours to amend
    cached["introduced"] = introduction_rows(index)
    cache.write("history", interest.key(), cached)
