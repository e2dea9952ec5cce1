"""The history scan of a range or of the staged blobs: one enumeration stream, contents read alongside.

One `git rev-list --objects --stdin` stream is piped straight into one `git cat-file --batch-check`
process (both started by the gateway): every reachable blob with its size and a path, with no
per-commit Python walk and no tree diffing of our own. While that stream runs, `git log -p` over
the same revisions gives the added lines secrets are looked for in (`history_patches.py`). The
full scan of every ref works in bulk (`history_full_scan.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from mlops_lint.context.history_model import (
    HistoryIndex,
    HistoryUnavailableError,
    Interest,
    PastBlob,
    PastSecret,
    Prefilter,
    SecretScanner,
    merge_secrets,
    wants_content,
)
from mlops_lint.context.history_models import sniff_models
from mlops_lint.context.history_patches import PatchScan, diff_unset, partial_clone, read_texts
from mlops_lint.context.history_reader import ContentReader, Progress
from mlops_lint.git_gateway import PIPE, GitGateway

# Every object reachable from revisions read on stdin; objects a partial or damaged clone lacks are
# never fetched: they are listed as `?<oid>` and counted, and the run says so in one notice.
REV_LIST = ("rev-list", "--objects", "--missing=print", "--stdin")


def ref_tips(gateway: GitGateway) -> list[str] | None:
    """Commit ids of every ref and of HEAD: what `--all` starts from (sorted, deduplicated)."""
    refs = gateway.out("for-each-ref", "--format=%(objectname) %(objecttype)")
    head = gateway.head_commit()
    if refs is None:
        return None
    tips = {line.split()[0] for line in refs.splitlines() if line.endswith(" commit")}
    if head and head.strip():
        tips.add(head.strip())
    return sorted(tips)


def enumerate_blobs(gateway: GitGateway, revs: Iterable[str], progress: Progress) -> Iterator[tuple[str, int, str]]:
    """(oid, size, path) of every blob reachable from `revs` (rev-list syntax, `^x` excludes)."""
    rev_list = gateway.start(*REV_LIST, stdin=PIPE)
    if rev_list is None:
        raise HistoryUnavailableError("git could not be started")
    check = gateway.start(
        "cat-file", "--batch-check=%(objecttype) %(objectname) %(objectsize) %(rest)", stdin=rev_list.stdout
    )
    assert check is not None and rev_list.stdin is not None and rev_list.stdout is not None and check.stdout is not None
    rev_list.stdout.close()  # cat-file holds the read end now
    rev_list.stdin.write("".join(rev + "\n" for rev in revs).encode())
    rev_list.stdin.close()
    try:
        for line in check.stdout:
            if not line.startswith(b"blob "):
                progress.missing += line.startswith(b"?")  # `?<oid> missing`: rev-list's missing object
                continue
            parts = line.rstrip(b"\n").split(b" ", 3)
            if len(parts) < 3 or not parts[2].isdigit():
                continue
            path = parts[3].decode("utf-8", errors="surrogateescape") if len(parts) == 4 else ""
            yield parts[1].decode("ascii"), int(parts[2]), path
    finally:
        check.stdout.close()
        check.wait()
        if rev_list.wait() != 0:
            raise HistoryUnavailableError("git rev-list failed (unknown revision or incomplete history)")


def scan_revs(
    gateway: GitGateway,
    revs: list[str],
    interest: Interest,
    scanner: SecretScanner,
    prefilter: Prefilter,
    skip_content: set[str],
    progress: Progress,
    seen: set[str] | None = None,
) -> tuple[list[PastBlob], list[PastSecret], list[str], int]:
    """Blobs listed by one enumeration stream; secrets from the added lines of `git log -p` over the
    same revisions, read meanwhile (`history_patches.py`), or, when the clone lacks objects, from
    every listed text blob."""
    notable: list[PastBlob] = []
    sniff: list[tuple[str, int, str]] = []
    texts: list[tuple[str, str]] = []
    patches = PatchScan(gateway, scanner, prefilter, set(skip_content)) if interest.secrets else None
    thread = threading.Thread(target=patches.run, args=(revs,), daemon=True) if patches else None
    if thread is not None and not partial_clone(gateway):
        thread.start()
    enumerated = 0
    try:
        for oid, size, path in enumerate_blobs(gateway, revs, progress):
            enumerated += 1
            if seen is not None:
                seen.add(oid)
            if interest.notable(path, size):
                notable.append(PastBlob(oid, size, path))
            elif interest.worth_sniffing(path, size):
                sniff.append((oid, size, path))
            if oid not in skip_content and wants_content(path, size):
                texts.append((oid, path))
            progress.update(enumerated, 0)
    finally:
        if thread is not None and thread.is_alive():
            if progress.missing and patches is not None:
                patches.abort()
            thread.join()
    hits: list[PastSecret] = []
    scanned: list[str] = []
    if patches is not None and thread is not None:
        if thread.ident is not None and not patches.failed and not progress.missing and patches.reader.failed is None:
            more, extra = read_texts(gateway, scanner, prefilter, diff_unset(gateway, texts), patches.skip)
            hits, scanned = patches.reader.hits + more, patches.reader.scanned + extra
        else:  # the clone lacks objects `log -p` needs: read every text blob it has
            hits, scanned = read_texts(gateway, scanner, prefilter, texts, skip_content)
    models = sniff_models(gateway, sniff)
    notable += [PastBlob(oid, size, path) for oid, size, path in sniff if oid in models]
    progress.done(enumerated, len(scanned))
    return notable, hits, scanned, enumerated


def range_revs(gateway: GitGateway, spec: str) -> list[str]:
    words = spec.split()
    revs: list[str] = []
    for word in words:
        if ".." in word and not word.startswith("-"):
            start, _, end = word.partition("...") if "..." in word else word.partition("..")
            revs += [end or "HEAD", f"^{start}"] if start else [end or "HEAD"]
        else:
            revs.append(word)
    if not revs:
        raise HistoryUnavailableError(f"empty history range {spec!r}")
    for rev in revs:
        if rev.startswith("-"):
            continue
        if gateway.out("rev-parse", "--verify", "-q", rev.lstrip("^") + "^{commit}") is None:
            raise HistoryUnavailableError(f"unknown revision {rev.lstrip('^')!r} in --history-range {spec!r}")
    return revs


def scan_staged(
    gateway: GitGateway, interest: Interest, scanner: SecretScanner, prefilter: Prefilter, index: HistoryIndex
) -> HistoryIndex:
    """The blobs a commit would add now: `git diff --cached --raw` (added or modified entries)."""
    result = gateway.run("diff", "--cached", "--raw", "--no-abbrev", "--no-renames", "-z")
    if result is None or result.returncode != 0:
        return index
    fields = result.stdout.split(b"\0")
    staged: list[tuple[str, str]] = []
    for i in range(0, len(fields) - 1, 2):
        meta, path = fields[i].split(), fields[i + 1].decode("utf-8", errors="surrogateescape")
        if len(meta) == 5 and meta[4] in (b"A", b"M", b"T") and meta[1] != b"160000":
            staged.append((meta[3].decode("ascii"), path))
    if not staged:
        return index
    sizes = gateway.run("cat-file", "--batch-check", stdin="".join(f"{oid}\n" for oid, _ in staged).encode())
    size_of = {}
    for line in (sizes.stdout if sizes else b"").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2].isdigit():
            size_of[parts[0].decode()] = int(parts[2])
    reader = ContentReader(gateway, scanner, prefilter) if interest.secrets else None
    for oid, path in staged:
        size = size_of.get(oid, 0)
        index.enumerated += 1
        if interest.notable(path, size) or (
            interest.worth_sniffing(path, size) and sniff_models(gateway, [(oid, size, path)])
        ):
            index.blobs.append(PastBlob(oid, size, path))
        if reader is not None and wants_content(path, size):
            reader.request(oid, path)
    if reader is not None:
        reader.finish()
        index.secrets = merge_secrets([], reader.hits)
        index.read = len(reader.scanned)
    return index
