"""Which commit brought a reported blob into history: one `git log --raw` for all of them.

Never one `git log` per path: the log over the scope is restricted to the wanted paths (in chunks
of 500), and the last commit seen for a (path, blob) pair is the oldest, since log runs newest first.
`--cc` lists, for a merge, the files that differ from every parent (combined `::` lines): a blob
first written by a merge (a secret typed into a conflict resolution) is attributed to the merge.
"""

from __future__ import annotations

from collections.abc import Iterable

from mlops_lint.context.history_model import HistoryIndex, Introduction
from mlops_lint.context.history_scan import range_revs
from mlops_lint.git_gateway import GitGateway

_CHUNK = 500  # paths per `git log` (command lines have limits)


def introductions(gateway: GitGateway, index: HistoryIndex, wanted: Iterable[tuple[str, str]]) -> None:
    """Find, for each (path, blob id), the oldest commit that wrote that blob at that path.

    One `git log --raw` over the scope, restricted to the wanted paths, answers all of them. The
    answers are kept on the index (and written to the cache with it). The first call also answers
    for every blob and secret the index holds, which the other history rule will ask about: one walk
    of history instead of one per rule (0.16 s each on 10,000 commits)."""
    asked = {pair for pair in wanted if pair not in index._introductions}
    if not asked or index.scope.kind in ("none", "staged"):
        return
    reported = [(b.path, b.oid) for b in index.blobs] + [(s.path, s.oid) for s in index.secrets]
    everything = asked | {pair for pair in reported if pair not in index._introductions}
    missing = sorted(everything if len(everything) <= _CHUNK else asked)  # never a second walk for them
    revs = ["--all"] if index.scope.kind == "all" else range_revs(gateway, index.scope.range or "")
    oids_by_path: dict[str, set[str]] = {}
    for path, oid in missing:
        oids_by_path.setdefault(path, set()).add(oid)
    paths = sorted(oids_by_path)
    found: dict[tuple[str, str], Introduction] = {}
    for start in range(0, len(paths), _CHUNK):
        chunk = paths[start : start + _CHUNK]
        result = gateway.run(
            "log", *revs, "--raw", "--cc", "--root", "--no-abbrev", "--no-renames", "--format=%x01%H %ct %s",
            "--", *(f":(top,literal){index.prefix}{p}" for p in chunk), options=("-c", "core.quotePath=false"),
        )  # fmt: skip
        if result is None or result.returncode != 0:
            continue
        commit: Introduction | None = None
        for line in result.stdout.decode("utf-8", errors="replace").splitlines():
            if line.startswith("\x01"):
                sha, when, subject = [*line[1:].split(" ", 2), "", ""][:3]
                commit = Introduction(sha, subject, int(when) if when.isdigit() else 0)
            elif line.startswith(":") and commit is not None and "\t" in line:
                meta, path = line.split("\t", 1)
                path = path[len(index.prefix) :]
                parts = meta.split()
                parents = len(parts[0]) - len(parts[0].lstrip(":"))  # a merge's combined line: `::` and one column each
                new = parts[2 * parents + 1] if len(parts) > 2 * parents + 1 else ""
                if new in oids_by_path.get(path, ()):
                    found[(path, new)] = commit  # log runs newest first: the last one seen is the oldest
    for pair in missing:
        index._introductions[pair] = found.get(pair)
    index._unsaved = True


def seen_added(gateway: GitGateway, index: HistoryIndex, added_in: dict[tuple[str, str], str]) -> None:
    """The secrets' introductions from the full scan's `log -p`, which saw each (path, blob) added:
    the oldest commit whose patch wrote that blob at that path is the one `introductions` would
    find, without its walk of history. One `git log --no-walk` reads those commits' times and
    subjects; a secret `log -p` did not see added (a `-diff` file, read whole) is left to
    `introductions`."""
    cut = len(index.prefix)  # the rules ask with paths below the project (`introductions` stores those)
    wanted = {
        (s.path[cut:], s.oid): added_in[(s.path, s.oid)]
        for s in index.secrets
        if (s.path, s.oid) in added_in and s.path.startswith(index.prefix)
    }
    wanted = {pair: commit for pair, commit in wanted.items() if pair not in index._introductions}
    if not wanted:
        return
    commits = sorted(set(wanted.values()))
    stdin = "".join(f"{commit}\n" for commit in commits).encode("ascii")
    result = gateway.run("log", "--no-walk=unsorted", "--stdin", "--format=%x01%H %ct %s", stdin=stdin)
    if result is None or result.returncode != 0:
        return  # `introductions` walks history for them
    found: dict[str, Introduction] = {}
    for line in result.stdout.decode("utf-8", errors="replace").splitlines():
        if line.startswith("\x01"):
            sha, when, subject = [*line[1:].split(" ", 2), "", ""][:3]
            found[sha] = Introduction(sha, subject, int(when) if when.isdigit() else 0)
    for pair, commit in wanted.items():
        if commit in found:
            index._introductions[pair] = found[commit]


def introduction(index: HistoryIndex, path: str, oid: str) -> Introduction | None:
    return index._introductions.get((path, oid))


# Literal markers of every secret `confident_secrets` can report: a blob with none of them is not scanned.
