"""Everything git's history holds, read in one pass: notable blobs and secrets in past versions.

How it stays fast (the history benchmark measures it against the `git log -p` floor): secrets are
looked for in the lines each commit adds, streamed from `git log -p` (`history_patches.py`), the way
gitleaks reads history, never by inflating every past blob; meanwhile one `rev-list --objects`
stream feeds one `cat-file --batch-check` for the large and model blobs (`history_scan.py`,
`history_full_scan.py`); the result is cached with the ref tips it covered and extended
incrementally (`history_cache.py`); the commit that introduced each reported blob is found by one
`git log --raw` for all of them (`history_attribution.py`). Every git process goes through the
gateway (`git_gateway.py`).

Scopes: the whole history (`--all`), a range (`A..B`, e.g. a pull request, or what `pre-push`
sends), the staged blobs (pre-commit), or none. A shallow clone cannot answer questions about
history: the scan then yields one notice (how to fetch full history) and no findings. A partial
clone (`--filter=blob:none`) or a damaged one lacks objects: they are never fetched, the scan reads
what is there, and one notice says how many objects it could not read.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlops_lint.cache import Cache
from mlops_lint.context.history_attribution import introductions
from mlops_lint.context.history_cache import save_introductions, scan_all
from mlops_lint.context.history_model import (
    MISSING_NOTICE,
    NO_GIT_NOTICE,
    PARTIAL_NOTICE,
    SHALLOW_NOTICE,
    HistoryIndex,
    HistoryScope,
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
from mlops_lint.context.history_patches import partial_clone
from mlops_lint.context.history_reader import Progress
from mlops_lint.context.history_scan import range_revs, scan_revs, scan_staged
from mlops_lint.context.secret_markers import confident_prefilter, confident_secrets, fingerprints
from mlops_lint.git_gateway import GitGateway

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

__all__ = [
    "MISSING_NOTICE", "NO_GIT_NOTICE", "PARTIAL_NOTICE", "SHALLOW_NOTICE", "HistoryIndex", "HistoryScope",
    "Interest", "Introduction", "PastBlob", "PastSecret", "confident_prefilter", "confident_secrets",
    "fingerprints", "history_index", "introduction", "introductions", "save_introductions", "scan_history",
]  # fmt: skip


def history_index(repo: RepoContext) -> HistoryIndex:
    """The run's one history scan: `repo.git.history` (built by the first history rule that asks)."""
    return repo.git.history


def introduction(index: HistoryIndex, path: str, oid: str) -> Introduction | None:
    return index._introductions.get((path, oid))


def scan_history(
    root: Path,
    scope: HistoryScope,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    progress: bool = False,
    gateway: GitGateway | None = None,
) -> HistoryIndex:
    """The history index for `scope`; never raises for a repository git cannot read (a notice instead).
    Without a `gateway`, one is opened for the scan and closed after it."""
    if gateway is None:
        own = GitGateway(root)
        try:
            return scan_history(root, scope, interest, scanner, prefilter, cache, progress, own)
        finally:
            own.close()
    index = HistoryIndex(scope=scope)
    if scope.kind == "none":
        return index
    if gateway.repo is None:
        index.notice = NO_GIT_NOTICE
        return index
    index.prefix = gateway.prefix
    return _within(_scan_scope(gateway, scope, interest, scanner, prefilter, cache, progress, index))


def _within(index: HistoryIndex) -> HistoryIndex:
    """Keep what lies under the linted root, with root-relative paths (a project inside a bigger repository)."""
    if index.prefix:
        cut = len(index.prefix)
        index.blobs = [replace(b, path=b.path[cut:]) for b in index.blobs if b.path.startswith(index.prefix)]
        index.secrets = [replace(s, path=s.path[cut:]) for s in index.secrets if s.path.startswith(index.prefix)]
    return index


def _scan_scope(
    gateway: GitGateway,
    scope: HistoryScope,
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    cache: Cache,
    progress: bool,
    index: HistoryIndex,
) -> HistoryIndex:
    if scope.kind == "staged":
        return scan_staged(gateway, interest, scanner, prefilter, index)
    shallow = gateway.shallow
    if shallow and scope.kind == "all":
        index.notice = SHALLOW_NOTICE
        return index
    state = Progress(progress)
    try:
        if scope.kind == "range":
            revs = range_revs(gateway, scope.range or "")
            blobs, secrets, scanned, index.enumerated = scan_revs(
                gateway, revs, interest, scanner, prefilter, set(), state
            )
            index.blobs, index.secrets = merge_blobs([], blobs), merge_secrets([], secrets)
            index.read = len(scanned)
            index.missing = state.missing
        else:
            scan_all(gateway, interest, scanner, prefilter, cache, index, state)
        if index.missing:
            count = f"{index.missing} object" + ("s" if index.missing != 1 else "")
            index.notice = (PARTIAL_NOTICE if partial_clone(gateway) else MISSING_NOTICE).format(count=count)
        return index
    except HistoryUnavailableError as exc:
        index.notice = f"git history not checked: {exc}" + (" (this is a shallow clone)" if shallow else "")
        return index
