"""Reproducibility across files: seeds reachable from entry points."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context.commands import module_to_paths, scripts_in_command
from mlops_lint.context.files import FileKind
from mlops_lint.context.python_facts import ModuleFacts, ScopeFacts, Where
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule

_SEED_HINTS = {
    "numpy": "np.random.seed(SEED)",
    "random": "random.seed(SEED)",
    "torch": "torch.manual_seed(SEED)",
    "tensorflow": "tf.random.set_seed(SEED)",
}


def pipeline_entry_points(repo: RepoContext) -> dict[str, str]:
    """Python files that dvc.yaml stages and MLproject entry points run: path -> where it is declared."""
    found: dict[str, str] = {}
    for path in repo.file_set:
        name = PurePosixPath(path).name
        if name not in ("dvc.yaml", "MLproject"):
            continue
        doc = repo.yaml(path)
        if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
            continue
        folder = posixpath.dirname(path)
        section = doc.value.get("stages" if name == "dvc.yaml" else "entry_points")
        if not isinstance(section, dict):
            continue
        for stage in section.values():
            if not isinstance(stage, dict):
                continue
            commands = stage.get("cmd" if name == "dvc.yaml" else "command")
            wdir = stage.get("wdir", ".") if isinstance(stage.get("wdir", "."), str) else "."
            for command in commands if isinstance(commands, list) else [commands]:
                if not isinstance(command, str):
                    continue
                for kind, target in scripts_in_command(command):
                    base = posixpath.normpath(posixpath.join(folder, wdir))
                    base = "" if base == "." else base + "/"
                    candidates = module_to_paths(target, (base,)) if kind == "module" else [base + target]
                    for candidate in candidates:
                        candidate = posixpath.normpath(candidate)
                        if candidate.endswith(".py") and repo.has(candidate):
                            found.setdefault(candidate, path)
                            break
    return found


MAX_IMPORT_DEPTH = 3


class _Memo:
    """What the reaches of one run share: resolving an import depends only on the importer's folder
    (relative) or the search roots (absolute), never on the entry point, so a large library's
    hundreds of scripts resolve the same modules once instead of once each."""

    def __init__(self) -> None:
        self.resolved: dict[tuple[str, ...], list[str]] = {}
        self.imports: dict[tuple[str, ...], list[str]] = {}
        self.defining: dict[tuple[str, ...], dict[str, list[str]]] = {}


class _Reach:
    """Walks what an entry point can execute: its module, first-party imports (to a bounded depth),
    and the functions it calls; collects the seeds set and the global generators used on the way."""

    def __init__(self, repo: RepoContext, entry: str, memo: _Memo | None = None) -> None:
        self.repo = repo
        self.entry = entry
        folder = posixpath.dirname(entry)
        self.roots = ("", "src/", folder + "/") if folder else ("", "src/")
        self.seeds: set[str] = set()
        self.uses: dict[str, tuple[str, Where]] = {}
        self._seen_scopes: set[int] = set()
        self._depth: dict[str, int] = {}
        self._memo = memo or _Memo()
        self._queue: list[tuple[str, ScopeFacts]] = []

    def run(self) -> None:
        self._enter_module(self.entry, 0)
        while self._queue:
            path, scope = self._queue.pop()
            self.seeds |= scope.seeds
            for library, where in scope.uses.items():
                self.uses.setdefault(library, (path, where))
            depth = self._depth.get(path, 0)
            for name in sorted(scope.calls):  # sorted: which use is reported must not depend on hash seeds
                self._call(path, name, depth)
            if scope.call_names:
                defining = self._defining(path)
                for name in sorted(scope.call_names):  # methods and aliases: matched by name, erring towards "seeded"
                    for module in defining.get(name, ()):
                        self._add_functions(module, name)

    def _defining(self, path: str) -> dict[str, list[str]]:
        """Function name -> the modules among `path` and its imports that define it, in that order."""
        modules = (path, *self._imported(path))  # the same modules under other roots: one entry
        found = self._memo.defining.get(modules)
        if found is None:
            found = self._memo.defining[modules] = {}
            for module in modules:
                facts = self.repo.facts(module)
                for name in facts.functions if facts is not None else ():
                    found.setdefault(name, []).append(module)
        return found

    def _enter_module(self, path: str, depth: int) -> None:
        if path in self._depth and self._depth[path] <= depth:
            return
        self._depth[path] = depth
        facts = self.repo.facts(path)
        if facts is None:
            return
        self._push(path, facts.top_level)  # importing a module runs its top level
        if depth < MAX_IMPORT_DEPTH:
            for module in self._imported(path):
                self._enter_module(module, depth + 1)

    def _push(self, path: str, scope: ScopeFacts) -> None:
        if id(scope) not in self._seen_scopes:
            self._seen_scopes.add(id(scope))
            self._queue.append((path, scope))

    def _add_functions(self, path: str, name: str) -> None:
        if path not in self._depth:
            return  # only modules the entry point can reach
        facts = self.repo.facts(path)
        if facts is not None:
            for scope in facts.functions.get(name, []):
                self._push(path, scope)

    def _call(self, path: str, qualified: str, depth: int) -> None:
        if "." not in qualified:
            self._add_functions(path, qualified)
            return
        module, _, function = qualified.rpartition(".")
        for target in self._resolve(path, module):
            self._enter_module(target, min(depth + 1, MAX_IMPORT_DEPTH))
            self._add_functions(target, function)

    def _resolve(self, importer: str, module: str) -> list[str]:
        relative = module.startswith(".")
        key = (importer, module) if relative else (*self.roots, "", module)
        found = self._memo.resolved.get(key)
        if found is not None:
            return found
        if relative:
            level = len(module) - len(module.lstrip("."))
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            rest = module.lstrip(".").replace(".", "/")
            stem = posixpath.join(base, rest) if rest else base
            candidates = [f"{stem}.py", f"{stem}/__init__.py"]
        else:
            candidates = module_to_paths(module, self.roots)
        found = self._memo.resolved[key] = [c for c in candidates if self.repo.has(c)][:1]
        return found

    def _imported(self, path: str) -> list[str]:
        key = (*self.roots, path)
        found = self._memo.imports.get(key)
        if found is None:
            facts = self.repo.facts(path)
            modules: list[str] = []
            for name in sorted(facts.imports if facts else ()):
                modules += self._resolve(path, name)
            found = self._memo.imports[key] = list(dict.fromkeys(modules))
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


class GlobalSeedMissing(RepoRule):
    reads_module_facts = True
    code = "MLR002"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        pipelines = pipeline_entry_points(repo) if self.options["pipeline-scripts"] else {}
        memo = _Memo()
        for path in sorted(repo.targets):
            if repo.file(path).kind is not FileKind.PYTHON:
                continue
            facts = repo.facts(path)
            if facts is None or (facts.main_guard is None and path not in pipelines):
                continue
            reach = _Reach(repo, path, memo)
            reach.run()
            missing = sorted(set(reach.uses) - reach.seeds)
            if not missing:
                continue
            yield self.diagnostic(
                Location(path=path, span=self._anchor(repo.file(path).text or "", path, facts, reach, missing)),
                entry="Pipeline script" if path in pipelines else "Entry point",
                libraries=", ".join(missing),
                hint=", ".join(_SEED_HINTS[library] for library in missing),
            )

    @staticmethod
    def _anchor(text: str, path: str, facts: ModuleFacts, reach: _Reach, missing: list[str]) -> Span | None:
        for library in missing:
            where_path, where = reach.uses[library]
            if where_path == path:
                return where_to_span(text, where)
        return where_to_span(text, facts.main_guard) if facts.main_guard is not None else None


RULES = [GlobalSeedMissing]
