"""What an entry point can execute, for MLR002: the seeds set, the global generators drawn from,
whether it trains, and where in the entry file each draw is reached from.

The walk starts at the entry file, follows first-party imports (importing runs a module's top
level; to a bounded depth, by breadth, so every module's depth is its shortest import distance),
the functions it calls by resolved name, and methods and aliases by bare name (erring towards
"seeded"). What is reached is a least fixed point: a name asked of a module before the module
was reached is remembered and answered when it is, so the result does not depend on the order
of the walk. Each reached scope carries an *anchor*: the earliest call site (or import) in the
entry file that leads to it, found Dijkstra-style (smallest anchor first, re-visited when a
smaller one turns up). A draw in the entry file is anchored at itself. Output built from these
is the same under every hash seed.
"""

from __future__ import annotations

import heapq
import posixpath

from mlops_lint.context.commands import module_to_paths
from mlops_lint.context.python_facts import ModuleFacts, ScopeFacts, Where
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Span

MAX_IMPORT_DEPTH = 3
_ENTRY = Where(0, 0, 0, 0)  # the anchor of the entry file's own scopes: their positions speak for themselves


def _key(where: Where) -> tuple[int, int, int, int]:
    return (where.line, where.col, where.end_line, where.end_col)


class ImportMemo:
    """What the reaches of one run share: the first-party imports of a module depend only on the
    module and the search roots (the entry's folder), never on the entry itself, so a library's
    hundreds of scripts resolve the same modules once instead of once each (on diffusers this was
    most of a warm run)."""

    def __init__(self) -> None:
        self.imports: dict[tuple[str, tuple[str, ...]], list[tuple[str, Where]]] = {}
        # what a name resolves to, a pure function of the file list: (importer, relative name) and
        # (absolute name, one search root) -> the file it names, if any
        self.relative: dict[tuple[str, str], list[str]] = {}
        self.in_root: dict[tuple[str, str], list[str]] = {}


class SeedReach:
    """Walks what an entry point can execute; read `seeds`, `training` and `first_draws` after `run`."""

    def __init__(self, repo: RepoContext, entry: str, memo: ImportMemo | None = None) -> None:
        self.repo = repo
        self._memo = memo or ImportMemo()
        self.entry = entry
        folder = posixpath.dirname(entry)
        self.roots = ("", "src/", folder + "/") if folder else ("", "src/")
        self.seeds: set[str] = set()
        self.training: set[str] = set()  # training signals met on the way (`random_apis.trains`)
        self.first_draws: dict[str, Where] = {}  # library -> earliest anchor in the entry file
        self._depth: dict[str, int] = {}  # modules reached (imports bounded by depth)
        self._module_anchor: dict[str, Where] = {}
        self._pending: dict[str, dict[str, Where]] = {}  # names asked of modules not reached yet
        self._best: dict[int, Where] = {}  # id(scope) -> smallest anchor seen
        self._heap: list[tuple[tuple[int, int, int, int], int, str, ScopeFacts]] = []
        self._order = 0  # ties in the heap: first pushed first (a deterministic order)
        self._scopes: dict[int, ScopeFacts] = {}  # keeps ids stable while the walk runs
        self._defined: dict[str, dict[str, list[ScopeFacts]]] = {}  # path -> its functions by name

    def run(self) -> None:
        self._reach_imports()
        while self._heap:
            key, _order, path, scope = heapq.heappop(self._heap)
            anchor = self._best[id(scope)]
            if _key(anchor) != key:
                continue  # a smaller anchor was found after this entry was pushed
            self._visit(path, scope, anchor)

    # -- modules ---------------------------------------------------------------------------------

    def _reach_imports(self) -> None:
        """Breadth-first over imports: each module's depth is its shortest import distance, its
        anchor the entry's import statement it is reached through (the smallest, at equal depth)."""
        level = {self.entry: _ENTRY}
        depth = 0
        while level:
            following: dict[str, Where] = {}
            for path in sorted(level):
                if path in self._depth:
                    continue
                self._depth[path] = depth
                self._enter(path, level[path])
                if depth >= MAX_IMPORT_DEPTH:
                    continue
                for module, where in self._imported(path):
                    anchor = where if path == self.entry else level[path]
                    if module not in self._depth and (
                        module not in following or _key(anchor) < _key(following[module])
                    ):
                        following[module] = anchor
            level = following
            depth += 1

    def _enter(self, path: str, anchor: Where) -> None:
        """`path` is reached: its top level runs, and names asked of it before now are answered."""
        self._module_anchor[path] = anchor
        facts = self.repo.facts(path)
        if facts is None:
            return
        self._push(path, facts.top_level, anchor)
        if path == self.entry and facts.main_block is not None:
            self._push(path, facts.main_block, anchor)
        for name, asked in sorted(self._pending.pop(path, {}).items()):
            self._functions(path, name, asked)

    def _reach_module(self, path: str, anchor: Where) -> None:
        """A module reached by a call into it (past the import depth): its top level, no deeper imports."""
        if path not in self._depth:
            self._depth[path] = MAX_IMPORT_DEPTH
            self._enter(path, anchor)
        elif _key(anchor) < _key(self._module_anchor[path]):
            self._module_anchor[path] = anchor
            facts = self.repo.facts(path)
            if facts is not None:
                self._push(path, facts.top_level, anchor)

    # -- scopes ----------------------------------------------------------------------------------

    def _push(self, path: str, scope: ScopeFacts, anchor: Where) -> None:
        if path == self.entry:
            anchor = _ENTRY
        best = self._best.get(id(scope))
        if best is not None and _key(best) <= _key(anchor):
            return
        self._best[id(scope)] = anchor
        self._scopes[id(scope)] = scope
        self._order += 1
        heapq.heappush(self._heap, (_key(anchor), self._order, path, scope))

    def _visit(self, path: str, scope: ScopeFacts, anchor: Where) -> None:
        in_entry = path == self.entry
        self.seeds |= scope.seeds
        self.training |= scope.trains
        for library, where in scope.uses.items():
            at = where if in_entry else anchor
            known = self.first_draws.get(library)
            if known is None or _key(at) < _key(known):
                self.first_draws[library] = at
        for name, where in scope.calls.items():
            self._call(path, name, where if in_entry else anchor)
        names = scope.call_names  # methods and aliases: matched by name in this module and its imports
        if not names:
            return
        for module in (path, *(m for m, _w in self._imported(path))):
            if module not in self._depth:
                for name, where in names.items():
                    self._functions(module, name, where if in_entry else anchor)
                continue
            defined = self._defined_in(module)
            for name in sorted(names.keys() & defined.keys()):  # the walk's order does not change its result
                for found in defined[name]:
                    self._push(module, found, names[name] if in_entry else anchor)

    def _defined_in(self, path: str) -> dict[str, list[ScopeFacts]]:
        defined = self._defined.get(path)
        if defined is None:
            facts: ModuleFacts | None = self.repo.facts(path)
            defined = self._defined[path] = facts.functions if facts is not None else {}
        return defined

    def _functions(self, path: str, name: str, anchor: Where) -> None:
        if path not in self._depth:
            asked = self._pending.setdefault(path, {})
            if name not in asked or _key(anchor) < _key(asked[name]):
                asked[name] = anchor
            return
        for scope in self._defined_in(path).get(name, ()):
            self._push(path, scope, anchor)

    def _call(self, path: str, qualified: str, anchor: Where) -> None:
        if "." not in qualified:
            self._functions(path, qualified, anchor)
            return
        module, _, function = qualified.rpartition(".")
        for target in self._resolve(path, module):
            self._reach_module(target, anchor)
            self._functions(target, function, anchor)

    # -- names -----------------------------------------------------------------------------------

    def _resolve(self, importer: str, module: str) -> list[str]:
        """The file `module` names from `importer`: the first search root holding it (memoized)."""
        if module.startswith("."):
            key = (importer, module)
            found = self._memo.relative.get(key)
            if found is None:
                found = self._memo.relative[key] = self._relative(importer, module)
            return found
        for root in self.roots:
            key = (module, root)
            found = self._memo.in_root.get(key)
            if found is None:
                candidates = module_to_paths(module, (root,))
                found = self._memo.in_root[key] = [c for c in candidates if self.repo.has(c)][:1]
            if found:
                return found
        return []

    def _relative(self, importer: str, module: str) -> list[str]:
        level = len(module) - len(module.lstrip("."))
        base = posixpath.dirname(importer)
        for _ in range(level - 1):
            base = posixpath.dirname(base)
        rest = module.lstrip(".").replace(".", "/")
        stem = posixpath.join(base, rest) if rest else base
        return [c for c in (f"{stem}.py", f"{stem}/__init__.py") if self.repo.has(c)][:1]

    def _imported(self, path: str) -> list[tuple[str, Where]]:
        """First-party modules `path` imports, each with its first import statement, in name order."""
        key = (path, self.roots)
        found = self._memo.imports.get(key)
        if found is not None:
            self.repo.reads.note(path)  # read from the module's facts by an earlier reach: a read all the same
        else:
            facts = self.repo.facts(path)
            modules: dict[str, Where] = {}
            for name, where in sorted(facts.imports.items() if facts else ()):
                for target in self._resolve(path, name):
                    if target not in modules or _key(where) < _key(modules[target]):
                        modules[target] = where
            found = self._memo.imports[key] = sorted(modules.items())
        return found


def where_to_span(text: str, where: Where) -> Span:
    """An `ast` position (UTF-8 byte columns) as a Span (1-based character columns)."""
    lines = text.splitlines()

    def column(line: int, byte_col: int) -> int:
        raw = lines[line - 1].encode("utf-8") if 0 < line <= len(lines) else b""
        return len(raw[:byte_col].decode("utf-8", errors="replace")) + 1

    return Span(
        start_line=where.line,
        start_col=column(where.line, where.col),
        end_line=where.end_line,
        end_col=column(where.end_line, where.end_col),
    )
