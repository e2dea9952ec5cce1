"""Each repository rule's findings from the last run, with the files it read, so that a run after
an edit reruns only the rules (and the units of a rule) whose reads changed.

The whole-run memo (`run_memo.py`) answers a run in which nothing changed. One edited file misses
it, and every repository rule ran again: on diffusers, MLR002's reach over 254 entry points and
the module facts of 2,089 files it reads were most of that run. Here each rule's findings are kept
with the digests of the files it read (`context/reads.py` notes every read a rule makes through
`RepoContext`), and reused while all of those files are unchanged.

A rule that walks many independent things can memoize each of them (`RepoContext.memo_unit`):
MLR002 keeps one unit per entry point, whose reads are the modules its reach met, so editing one
training script reruns that script's reach alone.

What is not recorded is in the memo's key instead, and any change there starts over: the tool
version, the configuration and every enabled rule's settings and catalogue text (with plugin
versions), the targets, the list of files (names, not contents), and the git state rules read
(HEAD, the index, refs). Rules that read outside the listed files (`reads_outside_files`) are
never memoized: their inputs are not files we hash. A unit's name must carry every input it takes
from outside its own reads (MLR002's names carry whether the entry is a pipeline stage).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.active_rules import FileResult
from mlops_lint.cache import Cache
from mlops_lint.context.reads import ReadLog
from mlops_lint.serialize import dump, dump_error, load, load_error
from mlops_lint.stat_cache import StatDigests

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

KEEP = 4  # memos kept side by side, as for the run memo
Entry = dict[str, Any]  # {"deps": [...], ...}: stored, indices into the paths table; in this run, paths


class RuleMemo:
    """The stored entries of one key; what this run reuses or computes is written back by `save`.

    Stored, each entry names the files it read by their index in one table of paths, beside the
    digest each had: an entry can only have been kept while its files had those digests, so one
    digest per path suffices (diffusers' memo is 1.1 MB so, 5.7 MB with a digest per read)."""

    def __init__(self, cache: Cache, stats: StatDigests, key: str) -> None:
        self.cache = cache
        self.stats = stats
        self.name = f"rules-{key[:16]}"
        self.key = key
        stored = cache.read(self.name, key) or {}
        paths, digests, rules = stored.get("paths"), stored.get("digests"), stored.get("rules")
        whole = isinstance(paths, list) and isinstance(digests, list) and len(paths) == len(digests)
        self._paths: list[str] = paths if whole and isinstance(rules, dict) else []  # type: ignore[assignment]
        self._digests: list[str] = digests if self._paths else []  # type: ignore[assignment]
        self.stored: dict[str, Entry] = rules if self._paths else {}  # type: ignore[assignment]
        self.kept: dict[str, Entry] = {}
        self.reused: list[str] = []  # codes answered from the memo this run (for tests and stats)
        self._stale: set[int] | None = None
        self._changed = False

    def read_by(self, entry: Any) -> list[str] | None:
        """The files a stored entry read, when none of them changed since; else None."""
        deps = entry.get("deps") if isinstance(entry, dict) else None
        if not isinstance(deps, list):
            return None
        if self._stale is None:
            digest, pairs = self.stats.digest, zip(self._paths, self._digests, strict=True)
            self._stale = {i for i, (path, known) in enumerate(pairs) if digest(path) != known}
        if not self._stale.isdisjoint(deps):
            return None
        try:
            return [self._paths[i] for i in deps]
        except (IndexError, TypeError):
            return None  # an entry of another shape: do the work

    def reuse(self, code: str) -> Entry | None:
        """The rule's stored entry when every file it read is unchanged."""
        entry = self.stored.get(code)
        read = self.read_by(entry)
        if read is None:
            return None
        units = entry.get("units")  # type: ignore[union-attr]
        kept_units = {}
        for name, unit in (units if isinstance(units, dict) else {}).items():
            unit_read = self.read_by(unit)
            if unit_read is not None:
                kept_units[name] = {**unit, "deps": unit_read}
        self.kept[code] = {**entry, "deps": read, "units": kept_units}  # type: ignore[dict-item]
        self.reused.append(code)
        return entry

    def units(self, code: str, reads: ReadLog) -> UnitMemo:
        entry = self.stored.get(code)
        units = entry.get("units") if isinstance(entry, dict) else None
        return UnitMemo(self, units if isinstance(units, dict) else {}, reads)

    def keep(self, code: str, entry: Entry, read: Iterable[str], units: UnitMemo) -> None:
        self.kept[code] = {**entry, "deps": sorted(read), "units": units.kept}
        self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        index: dict[str, int] = {}

        def numbered(entry: Entry) -> Entry:
            return {**entry, "deps": sorted(index.setdefault(path, len(index)) for path in entry["deps"])}

        rules = {
            name: {**numbered(entry), "units": {u: numbered(unit) for u, unit in entry.get("units", {}).items()}}
            for name, entry in self.kept.items()
        }
        digest = self.stats.digest
        data = {"paths": list(index), "digests": [digest(path) for path in index], "rules": rules}
        self.cache.write(self.name, self.key, data)
        self.cache.prune("rules-", KEEP)

    def remembered(
        self, repo: RepoContext, name: str, work: Callable[[FileResult], None], into: FileResult, notices: bool = True
    ) -> None:
        """`work`'s findings into `into`: from the memo when every file it read last time is
        unchanged, else by running it while its reads are recorded (and its units offered).
        `notices=False` while the history scan's thread may be adding its own notices: they are
        not `work`'s, and must not be replayed with its findings."""
        stored = self.reuse(name)
        if stored is not None:
            into.diagnostics += [load(row) for row in stored["diagnostics"]]
            into.errors += [load_error(row) for row in stored["errors"]]
            repo.notices.extend(stored["notices"])
            return
        one, before = FileResult([], []), len(repo.notices)
        repo.memo = units = self.units(name, repo.reads)
        try:
            with repo.reads.recording() as read:
                work(one)
        finally:
            repo.memo = None
        rows = {"diagnostics": [dump(d) for d in one.diagnostics], "errors": [dump_error(e) for e in one.errors]}
        self.keep(name, {**rows, "notices": repo.notices[before:] if notices else []}, read, units)
        into.diagnostics += one.diagnostics
        into.errors += one.errors


class UnitMemo:
    """The units of one rule: each value kept with the files computing it read."""

    def __init__(self, memo: RuleMemo, stored: Mapping[str, Any], reads: ReadLog) -> None:
        self.memo = memo
        self.stored = stored
        self.reads = reads
        self.kept: dict[str, Entry] = {}

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        old = self.stored.get(name)
        read = self.memo.read_by(old)
        if read is not None:
            self.reads.note_all(read)  # the rule's own entry depends on them too
            self.kept[name] = {**old, "deps": read}  # type: ignore[dict-item]
            return old.get("value")  # type: ignore[union-attr]
        with self.reads.recording() as recorded:
            value = as_stored(compute())
        self.kept[name] = {"deps": sorted(recorded), "value": value}
        return value


def as_stored(value: Any) -> Any:
    """The value as a later run reads it back (JSON: tuples become lists), so that a computed value
    and a remembered one are the same to the rule."""
    return json.loads(json.dumps(value))
