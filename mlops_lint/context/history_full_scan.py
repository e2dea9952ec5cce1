"""The full history scan (every ref), parallel where it can be, and in bulk.

Secrets come from the added lines of `git log -p` (`history_patches.py`) while `rev-list --objects`
walks history for the large and model blobs; blob sizes come from one `cat-file
--batch-all-objects` listing in pack order: no per-commit walk of our own. A clone that lacks
objects cannot be read by `log -p`: there `git grep -F` looks for the secret markers in every small
blob it has, and the few that are reachable and matched are read and scanned, with their paths.
"""

from __future__ import annotations

import os
import tempfile
import threading

from mlops_lint.context.history_model import (
    MAX_SECRET_BLOB,
    Interest,
    PastBlob,
    PastSecret,
    Prefilter,
    SecretScanner,
    wants_content,
)
from mlops_lint.context.history_models import sniff_models
from mlops_lint.context.history_patches import PatchScan, diff_unset, partial_clone, read_texts
from mlops_lint.context.history_reader import ContentReader, Progress, scan_blob
from mlops_lint.context.history_scan import enumerate_blobs
from mlops_lint.context.secret_markers import CONFIDENT_MARKERS
from mlops_lint.git_gateway import GitGateway


def _blob_sizes(gateway: GitGateway) -> dict[str, int]:
    """Every blob in the object database with its size, in pack order (cheap: no history walk)."""
    result = gateway.run(
        "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectname) %(objectsize)"
    )
    sizes: dict[str, int] = {}
    for line in (result.stdout if result and result.returncode == 0 else b"").splitlines():
        if line.startswith(b"blob "):
            _kind, oid, size = line.split()
            sizes[oid.decode("ascii")] = int(size)
    return sizes


def grep_blobs(gateway: GitGateway, oids: list[str], markers: tuple[str, ...]) -> set[str] | None:
    """The blobs among `oids` holding any of the literal `markers`, found by git itself.

    The blobs are listed in one synthetic tree written to a temporary object directory (the
    repository's objects are reachable through `GIT_ALTERNATE_OBJECT_DIRECTORIES`, and nothing is
    written into the repository), and one `git grep -F` searches that tree: git inflates each blob
    once and matches all markers in C, far faster than a Python regex over the same bytes. Binary
    blobs are skipped (`-I`). None when git cannot do it; the caller then reads the blobs itself."""
    objects = gateway.out("rev-parse", "--git-path", "objects")
    if objects is None or not oids:
        return None if objects is None else set()
    objects_dir = (gateway.root / objects.strip()).resolve()
    # entries named by position, so the tree (sorted by name) lists the blobs in the order given:
    # pack order, in which git inflates delta chains several times faster than in id order
    listing = "".join(f"100644 blob {oid}\t{n:09d}\n" for n, oid in enumerate(oids)).encode("ascii")
    with tempfile.TemporaryDirectory(prefix="mlops-lint-tree-") as temporary:
        env = {**os.environ, "GIT_OBJECT_DIRECTORY": temporary, "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(objects_dir)}
        tree = gateway.run("mktree", "--missing", stdin=listing, env=env)
        if tree is None or tree.returncode != 0:
            return None
        name = tree.stdout.decode("ascii").strip()
        patterns = [arg for marker in markers for arg in ("-e", marker)]
        grep = gateway.run("grep", "-l", "-z", "-I", "-F", "--no-textconv", *patterns, name,
                           options=("-c", "grep.threads=0"), env=env)  # fmt: skip
    if grep is None or grep.returncode not in (0, 1):
        return None
    return {oids[int(entry.rsplit(b":", 1)[-1])] for entry in grep.stdout.split(b"\0") if entry}


def scan_everything(
    gateway: GitGateway,
    tips: list[str],
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    skip: set[str],
    seen: set[str],
    progress: Progress,
) -> tuple[list[PastBlob], list[PastSecret], list[str], int, dict[tuple[str, str], str]]:
    """A full scan, parallel where it can be: `git log -p` streams the added lines of all history
    (`history_patches.py`) while `rev-list --objects | cat-file --batch-check` lists every reachable
    blob with its size and path. When the clone lacks objects (`log -p` stops at the first),
    secrets come from the blobs it has instead. Last: the commit `log -p` saw add each (path,
    blob), which answers the secrets' attribution without another walk of history."""
    patches = PatchScan(gateway, scanner, prefilter, set(skip)) if interest.secrets else None
    thread = threading.Thread(target=patches.run, args=(tips,), daemon=True) if patches else None
    if thread is not None and not partial_clone(gateway):
        thread.start()
    try:
        listed = list(enumerate_blobs(gateway, tips, progress))
    finally:
        if thread is not None and thread.is_alive():
            if progress.missing and patches is not None:
                patches.abort()
            thread.join()
    notable: list[PastBlob] = []
    sniff: list[tuple[str, int, str]] = []
    paths: dict[str, str] = {}
    for oid, size, path in listed:
        paths[oid] = path
        if interest.notable(path, size):
            notable.append(PastBlob(oid, size, path))
        elif interest.worth_sniffing(path, size):
            sniff.append((oid, size, path))
    seen.update(paths)
    models = sniff_models(gateway, sniff)
    notable += [PastBlob(oid, size, path) for oid, size, path in sniff if oid in models]
    secrets: list[PastSecret] = []
    scanned: list[str] = []
    if patches is not None and thread is not None:
        if thread.ident is not None and not patches.failed and not progress.missing and patches.reader.failed is None:
            marked = {oid for oid, _path in diff_unset(gateway, list(paths.items()))}
            texts = [(oid, path) for oid, size, path in listed if oid in marked and wants_content(path, size)]
            more, extra = read_texts(gateway, scanner, prefilter, texts, patches.skip)
            secrets, scanned = patches.reader.hits + more, patches.reader.scanned + extra
        else:
            secrets, scanned = _scan_blobs(gateway, scanner, prefilter, _blob_sizes(gateway), paths, skip)
    progress.done(len(paths), len(scanned))
    added_in = patches.added_in if patches is not None and secrets and not progress.missing else {}
    return notable, secrets, scanned, len(paths), added_in


def _scan_blobs(
    gateway: GitGateway,
    scanner: SecretScanner,
    prefilter: Prefilter,
    sizes: dict[str, int],
    paths: dict[str, str],
    skip: set[str],
) -> tuple[list[PastSecret], list[str]]:
    """The fallback for a clone that lacks objects: `git grep` the markers in every small blob it
    has, then read and scan the reachable ones that matched."""
    candidates = [oid for oid, size in sizes.items() if 0 < size <= MAX_SECRET_BLOB and oid not in skip]
    found = grep_blobs(gateway, candidates, CONFIDENT_MARKERS)
    scanned = [oid for oid in candidates if oid in paths]
    matched = found
    if matched is None:  # git could not grep: read and prefilter in Python
        reader = ContentReader(gateway, None, prefilter)
        reader.request_all(scanned)
        reader.finish()
        if reader.failed is not None:
            raise reader.failed
        matched = set(reader.passed)
    wanted = [oid for oid in scanned if oid in matched and wants_content(paths[oid], sizes[oid])]
    secrets: list[PastSecret] = []
    for oid, data in gateway.read_blobs(wanted).items():
        # git's match may lie in a notebook's base64 images ("A3T", "ABSK"): the prefilter skips those
        if b"\0" not in data[:8000] and (found is None or prefilter(data)):
            secrets.extend(scan_blob(scanner, oid, paths[oid], data))
    return secrets, scanned
