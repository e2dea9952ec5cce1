"""Secrets in history the way gitleaks reads them: the ADDED lines of `git log -p`, not every blob.

A secret enters history in the commit whose diff adds its line, so the history scan streams

    git log -p -U0 -M --full-history --no-merges -G<markers> <revs>
    git log -p -U0 -M --full-history --merges --cc <revs>

(the gateway starts both, side by side, see `PatchScan`) and looks only at added lines. Inflating
every historical blob (what a `cat-file` or `git grep` over the object database does) costs
gigabytes on a long history; the patch stream is what git computes for `log -p` anyway.

How the stream is read, cheaply: git itself keeps only the file diffs whose lines match `-G`, a
superset of the literal markers every confident secret contains (`secret_markers.CONFIDENT_MARKERS`),
tested in C while it diffs. The stream arrives in large blocks; the markers are searched over a
whole block, and only the file sections ("diff --git ..." up to the next one) holding one are parsed. Their added
lines (decoded later as UTF-8 with replacement; `\\ No newline at end of file` is not a line) go
through the same prefilter as before (`confident_prefilter`: notebook images stripped). A section
that passes names a candidate blob: the new blob id (`--full-index`) at the new path. Each candidate
is then read once (the gateway's `cat-file --batch`, streamed by `ContentReader`) and scanned whole,
so the scanner sees the context it sees at HEAD (a `wandb.login(` on the line above the key, the
staging-Hub URL that makes a test token harmless); the blob's introducing commit is found later
(`history_attribution.py`). Memory stays flat: one block and the sections being parsed.

Choices, each tested in `tests/test_history_patches.py`:

- Merges. `log -p` shows NO diff for a merge commit by default, so a secret typed into a merge
  resolution (an "evil merge") would be missed. `--cc` (dense combined diff) shows, for each file
  that differs from every parent, the hunks where it does; a line prefixed with `+` in every parent
  column is new in the merge itself. Lines taken from one side were added by that side's commits,
  which the walk reads anyway. `--diff-merges=first-parent` (or `-m`) would repeat a whole branch's
  changes at every merge (+40% on yolov5's 3,700 commits with `-G`); `--cc` costs only the files a
  merge changed against every parent (0.07 s there).
- Renames. Kept (`-M`, whatever `diff.renames` says): a pure rename adds no line, so a secret that
  was in the file before the rename is attributed to the commit that introduced it, under its old
  path. `--no-renames` would report the rename commit instead.
- Binary files. `-p` prints "Binary files ... differ" with no lines, and `-G` skips them; git
  decides by a NUL in the first 8,000 bytes (as the blob scan did) or by `.gitattributes`. The
  blobs at paths the work tree's attributes mark `-diff` or `binary` are read whole and tested for
  NUL themselves (`diff_unset`), so an attribute does not hide a text file. `--text` is not used:
  it would diff every image.
- Damaged or partial clones. `log -p` stops at the first blob it cannot read (and a partial clone
  would fetch it). Then the caller falls back to reading the blobs it has (`history_full_scan.py`).
"""

from __future__ import annotations

import os
import threading
from typing import IO

from mlops_lint.context.history_model import MAX_SECRET_BLOB, PastSecret, Prefilter, SecretScanner
from mlops_lint.context.history_reader import ContentReader
from mlops_lint.context.history_sections import binary_suffix, blocks, commit_before, marked_sections, parse_section
from mlops_lint.git_gateway import PIPE, GitGateway, Process

# `-G`: git prints only the file diffs whose added or removed lines match, tested in C as it diffs.
# The same search in Python's `re` over the whole stream costs more than git's diff itself; and
# glibc's regex is several times faster on this short superset of `CONFIDENT_MARKERS` (shared
# stems, character classes) than on their plain alternation. A superset: what passes is filtered
# by the real prefilter; `tests/test_history_patches.py` checks every marker matches it.
PICKAXE = (
    r"-G(hf|gh[pousr]|pat|org|pplx|ant)[_-]|A(3T|KIA|SIA|BIA|CCA|BSK)|[Ss]ecret|SECRET|PRIVATE KEY|-----begin"
    r'|API_KEY|api_key|KAGGLE_KEY|wandb\.|"username|username\\"|[Cc]ohere|COHERE|T3BlbkFJ'
)
LOG = (
    "log", "-p", "-U0", "-M", "--full-history", "--full-index", "--format=%x01%H",
    "--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/", "--no-relative",
    "--root", "--no-show-signature",
)  # fmt: skip  # explicit, whatever the user's config says (`log.showRoot=false` would hide the first commit)


_UNKNOWN = 1 << 62  # the place of a commit the listing did not name: read as the oldest


class LogFailedError(Exception):
    """`git log -p` did not read all of history (a missing object): the caller scans blobs instead."""


def partial_clone(gateway: GitGateway) -> bool:
    """A promisor remote or `extensions.partialClone` in the configuration: objects are missing by design."""
    if gateway.config("extensions", "partialclone") is not None:
        return True
    return any(gateway.config(section, "promisor") is not None for section in gateway.config_sections("remote "))


class PatchScan:
    """`git log -p` over `revs`: the commits with `-G` (git keeps the few file diffs holding a
    marker), then the merges with `--cc` (small: only what a merge itself changed; pickaxe on a
    merge would diff it against each parent in full, a fifth of the whole cost on a repository of
    merged PRs). The candidate blobs are read and scanned once both walks are done. Running several
    `log -p --no-walk` processes on shares of the commits was tried: on two busy cores it was slower;
    the merges walk (1.7 s of keras's 12,600 commits) does run beside the other.
    """

    def __init__(self, gateway: GitGateway, scanner: SecretScanner, prefilter: Prefilter, skip: set[str]) -> None:
        self.gateway, self.prefilter, self.skip = gateway, prefilter, skip
        self.reader = ContentReader(gateway, scanner, prefilter)
        self.reader.max_size = MAX_SECRET_BLOB  # the blob scan never read larger ones either
        self.sections = 0  # sections parsed (marker found)
        self.failed = False
        self.processes: list[Process[bytes]] = []
        self.found: list[tuple[int, str, str, str]] = []  # (commit's place in the listing, path, blob, commit)
        self.added_in: dict[tuple[str, str], str] = {}  # (path, blob) -> the oldest commit seen adding it
        self.order: dict[str, int] = {}

    def abort(self) -> None:
        """The listing met a missing object: `log -p` will stop at it, so stop it now (the caller falls back)."""
        self.failed = True
        for process in list(self.processes):
            if process.poll() is None:
                process.kill()

    def run(self, revs: list[str]) -> None:
        try:
            listing = self.gateway.run("rev-list", "--stdin", stdin="".join(rev + "\n" for rev in revs).encode())
            if listing is None or listing.returncode != 0:
                self.failed = True
                return
            self.order = {commit: place for place, commit in enumerate(listing.stdout.decode("ascii").split())}
            merges = threading.Thread(target=self._walk, args=(revs, ("--merges", "--cc")), daemon=True)
            merges.start()  # side by side: a second core, when there is one, takes the merges
            self._walk(revs, (PICKAXE, "--no-merges"))
            merges.join()
            if not self.failed:
                # one read per blob, at the path of its OLDEST addition (the listing runs newest first):
                # the commit that brought the value in is the one a finding cites
                for place, path, oid, commit in sorted(self.found, key=lambda found: (-found[0], found[1], found[2])):
                    if place != _UNKNOWN:
                        self.added_in.setdefault((path, oid), commit)  # the oldest comes first
                    if oid not in self.skip:
                        self.skip.add(oid)
                        self.reader.request(oid, path)
        finally:
            self.reader.finish()

    def _walk(self, revs: list[str], extra: tuple[str, ...]) -> None:
        env = {**os.environ, "GIT_NO_LAZY_FETCH": "1"}  # never fetch (git >= 2.44 honours it)
        process = None if self.failed else self.gateway.start(*LOG, *extra, "--stdin", stdin=PIPE, env=env)
        if process is None:
            self.failed = True
            return
        self.processes.append(process)
        if self.failed:  # aborted while it started
            process.kill()
        assert process.stdin is not None and process.stdout is not None
        writer = threading.Thread(target=_write, args=(process.stdin, revs), daemon=True)
        writer.start()
        commit = ""
        try:
            for block in blocks(process.stdout):
                for offset, section in marked_sections(block):
                    self._section(section, commit_before(block, offset) or commit)
                commit = commit_before(block, len(block)) or commit
        finally:
            process.stdout.close()
            writer.join()
            if process.wait() != 0:
                self.failed = True

    def _section(self, section: bytes, commit: str) -> None:
        self.sections += 1
        parsed = parse_section(section)
        if parsed is None:
            return
        path, oid, added = parsed
        if oid in self.skip or binary_suffix(path):
            return
        if added is None or self.prefilter(added):
            self.found.append((self.order.get(commit, _UNKNOWN), path, oid, commit))


def diff_unset(gateway: GitGateway, texts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (blob, path) pairs whose path `.gitattributes` marks `-diff` (or `binary`): `log -p` prints
    no lines for them, so they are read whole, as the blob scan did. Attributes are those of the
    work tree (`git check-attr`), not of each past commit."""
    names = sorted({path for _oid, path in texts})
    if not names:
        return []
    stdin = "".join(f"{name}\0" for name in names).encode("utf-8", errors="surrogateescape")
    result = gateway.run("check-attr", "-z", "--stdin", "diff", stdin=stdin)
    if result is None or result.returncode != 0:
        return []
    fields = result.stdout.split(b"\0")
    unset = {
        fields[i].decode("utf-8", errors="surrogateescape")
        for i in range(0, len(fields) - 2, 3)
        if fields[i + 2] == b"unset"
    }
    return [(oid, path) for oid, path in texts if path in unset]


def read_texts(
    gateway: GitGateway, scanner: SecretScanner, prefilter: Prefilter, texts: list[tuple[str, str]], skip: set[str]
) -> tuple[list[PastSecret], list[str]]:
    """Read whole and scan the given blobs (NUL-sniffed, prefiltered), each once."""
    reader = ContentReader(gateway, scanner, prefilter)
    try:
        for oid, path in texts:
            if oid not in skip:
                skip.add(oid)
                reader.request(oid, path)
    finally:
        reader.finish()
    if reader.failed is not None:
        raise reader.failed
    return reader.hits, reader.scanned


def _write(stdin: IO[bytes], revs: list[str]) -> None:
    try:
        stdin.write("".join(rev + "\n" for rev in revs).encode())
        stdin.close()
    except BrokenPipeError:
        pass
