"""The repository as rules see it: root, configuration, inventory and per-file contexts.

File contexts are built on first use and cached, so each file is read at most once per run,
however many rules look at it. During `fix`, `overlays` hold the in-memory text of files that
earlier fix rounds changed.

Every per-run view is an attribute of `RepoContext` (see its docstring for the list): no module
keeps a cache keyed by the repository, so what a run built goes when its context goes, and
`forget` keeps a pool worker's memory flat.
"""

from __future__ import annotations

import ast
import threading
from collections.abc import Callable, Mapping
from dataclasses import astuple
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.config import Config
from mlops_lint.context.declared_requirements import DeclaredRequirements
from mlops_lint.context.files import FileContext, classify
from mlops_lint.context.notebook import Notebook
from mlops_lint.context.notebook_program import NotebookProgram, build_program
from mlops_lint.context.python import ParseFailure, PythonContext, deep_recursion, parse_ast, parse_cst
from mlops_lint.context.python_facts import ModuleFacts, module_facts
from mlops_lint.context.python_facts_data import facts_data_current, facts_from_data, facts_to_data
from mlops_lint.context.reads import ReadLog
from mlops_lint.context.repo_workspace import WorkspaceViews
from mlops_lint.context.run_options import RunOptions
from mlops_lint.context.secrets import SecretHit, might_contain_secret, scan_text
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml
from mlops_lint.discovery import Inventory, parent_dirs
from mlops_lint.result_cache import ResultCache
from mlops_lint.rule_memo import as_stored

if TYPE_CHECKING:
    from mlops_lint.context.git_view import RepoGit
    from mlops_lint.rule_memo import UnitMemo

_GIT_LOCK = threading.Lock()  # guards the creation of `RepoContext.git`, not a cache


class RepoContext(WorkspaceViews):
    """Everything a rule may read about the repository in one run; each view is built on first
    use and cached for the run.

    Per file (dropped for that path by `forget`; the trees also by `release`):
      - `file(path)`: bytes, text, digest and kind (`FileContext`)
      - `yaml(path)`, `python_ast(path)`, `python(path)` (libcst), `facts(path)`, `secret_hits(path)`
      - `notebook(path)`, `notebook_program(path)`, `notebook_python(path)`
      - `workspace_md5(path, limit, eol)`: the DVC md5 of a workspace file (`context/dvc_md5.py`)
    Repository-wide:
      - `root`, `config`, `options(code)`, `run_options`, `inventory`, `targets`, `overlays`,
        `file_set`, `dirs`, `package_dirs`, `in_git`, `has(path)`, `notices`, `result_cache`
      - `declared_requirements`: the project's declared dependencies
      - `gitignores`: what the repository's `.gitignore` files ignore
      - `git.index`: the paths `git ls-files` lists (see the git block below)
      - `lfs_attributes`: which paths `.gitattributes` routes through git-lfs
    The git views (history, HEAD blobs, git facts, experiment commits) are owned by the git
    gateway block of this class.
    """

    def __init__(
        self,
        root: Path,
        inventory: Inventory,
        config: Config,
        overlays: Mapping[str, str] | None = None,
        targets: tuple[str, ...] = (),
        run_options: RunOptions | None = None,
        result_cache: ResultCache | None = None,
    ) -> None:
        self.root = root
        self.result_cache = result_cache  # per-file results of earlier runs (None: --no-cache)
        self.run_options = run_options or RunOptions()
        self.notices: list[str] = []  # one-line messages about the run itself (e.g. a shallow clone)
        self.targets = targets  # the files this run reports on (all of the inventory unless paths were given)
        self.inventory = inventory
        self.config = config
        self.overlays = dict(overlays or {})
        self._files: dict[str, FileContext] = {}
        self._yaml: dict[str, YamlDoc | YamlProblem | None] = {}
        self._python: dict[str, PythonContext | ParseFailure | None] = {}
        self._ast: dict[str, ast.Module | ParseFailure | None] = {}
        self._facts: dict[str, ModuleFacts | None] = {}
        self._programs: dict[str, NotebookProgram | None] = {}
        self.reads = ReadLog()  # which files the rule running now read (`context/reads.py`)
        self.memo: UnitMemo | None = None  # per-unit memo of the repository rule running now, if any

    @property
    def in_git(self) -> bool:
        return self.inventory.in_git

    @cached_property
    def file_set(self) -> frozenset[str]:
        return frozenset(self.inventory.files) | frozenset(self.overlays)

    @cached_property
    def dirs(self) -> tuple[str, ...]:
        return tuple(parent_dirs(self.file_set))

    @cached_property
    def package_dirs(self) -> frozenset[str]:
        """Folders (as `a/b`) that contain an `__init__.py`: regular Python packages."""
        return frozenset(str(PurePosixPath(f).parent) for f in self.file_set if PurePosixPath(f).name == "__init__.py")

    def has(self, path: str) -> bool:
        return path in self.file_set

    def file(self, path: str) -> FileContext:
        self.reads.note(path)
        context = self._files.get(path)
        if context is None:
            context = FileContext(
                path=path,
                root=self.root,
                kind=classify(path),
                overlay=self.overlays.get(path),
                max_bytes=self.config.max_file_bytes,
            )
            self._files[path] = context
        return context

    def release(self, path: str, keep_facts: bool = False) -> None:
        """Drop the file's trees once its rules have run: they are the bulk of a run's memory, and a
        large heap also makes every garbage collection slower. With `keep_facts`, the module's
        facts (what repository rules read) are computed first, from the tree about to go."""
        if keep_facts and (path in self._ast or path in self._programs):
            self.facts(path)  # from the tree about to go; a file never parsed is read when asked
        self._python.pop(path, None)
        self._python.pop(f"{path}\0notebook", None)
        self._ast.pop(path, None)

    def forget(self, path: str) -> None:
        """Drop what was built for one file (a pool worker moving on to the next)."""
        for store in (self._files, self._python, self._ast, self._programs, self._yaml):
            store.pop(path, None)
        self._python.pop(f"{path}\0notebook", None)
        self._forget_git(path)
        self._forget_workspace_views(path)

    def yaml(self, path: str) -> YamlDoc | YamlProblem | None:
        """The file parsed as YAML (cached); None when it has no text."""
        self.reads.note(path)
        if path not in self._yaml:
            text = self.file(path).text
            self._yaml[path] = None if text is None else load_yaml(text)
        return self._yaml[path]

    def python_ast(self, path: str) -> ast.Module | ParseFailure | None:
        """The file's `ast` tree, once per run: the syntax check, and what cross-file facts read."""
        self.reads.note(path)
        if path not in self._ast:
            text = self.file(path).text
            self._ast[path] = None if text is None else parse_ast(text)
        return self._ast[path]

    def python(self, path: str) -> PythonContext | ParseFailure | None:
        """The file's libcst tree, once per run, for the Python rules (behind the `ast` guard)."""
        self.reads.note(path)
        if path not in self._python:
            text = self.file(path).text
            syntax = self.python_ast(path)
            if text is None or syntax is None:
                self._python[path] = None
            else:
                parsed = parse_cst(text, syntax)
                self._python[path] = (
                    parsed if isinstance(parsed, ParseFailure) else PythonContext(path, parsed, declared=self._declared)
                )
        return self._python[path]

    def _declared(self) -> DeclaredRequirements:
        return self.declared_requirements

    def notebook_program(self, path: str) -> NotebookProgram | None:
        """The notebook's code cells as one masked program (None when it is not a loadable notebook)."""
        self.reads.note(path)
        if path not in self._programs:
            loaded = self.notebook(path)
            self._programs[path] = build_program(path, loaded) if isinstance(loaded, Notebook) else None
        return self._programs[path]

    def notebook_python(self, path: str) -> PythonContext | ParseFailure | None:
        """The notebook program's libcst tree (behind the same `ast` guard as a Python file)."""
        self.reads.note(path)
        key = f"{path}\0notebook"
        if key not in self._python:
            program = self.notebook_program(path)
            if program is None:
                self._python[key] = None
            else:
                parsed = parse_cst(program.text, program.tree)
                self._python[key] = (
                    parsed
                    if isinstance(parsed, ParseFailure)
                    else PythonContext(path, parsed, program=program, declared=self._declared)
                )
        return self._python[key]

    def facts(self, path: str) -> ModuleFacts | None:
        """Randomness facts of a Python module (None if it cannot be parsed), computed once, and
        served from the result cache when the module's text has not changed."""
        self.reads.note(path)
        if path not in self._facts:
            cache = self.result_cache
            digest = self.file(path).digest if cache is not None else None
            if cache is not None and digest is not None:
                found, data = cache.get_facts(path, digest)
                if found and facts_data_current(data):
                    self._facts[path] = None if data is None else facts_from_data(data)
                    return self._facts[path]
            self._facts[path] = self._compute_facts(path)
            if cache is not None and digest is not None:
                facts = self._facts[path]
                cache.put_facts(path, digest, None if facts is None else facts_to_data(facts))
        return self._facts[path]

    def secret_hits(self, path: str) -> list[SecretHit]:
        """What the secret scanner finds in the file's text (every confidence), served from the
        result cache when the text has not changed."""
        file = self.file(path)  # noted there
        cache, digest = self.result_cache, file.digest
        if cache is not None and digest is not None:
            rows = cache.get_secrets(path, digest)
            if rows is not None:
                return [SecretHit(*row) for row in rows]
        raw = file.raw
        text = file.text if raw is not None and might_contain_secret(raw) else None
        hits = scan_text(text, path) if text is not None else []
        if cache is not None and digest is not None:
            cache.put_secrets(path, digest, [list(astuple(hit)) for hit in hits])
        return hits

    def adopt_facts(self, path: str, data: Any) -> None:
        """Facts computed elsewhere (a pool worker), as `facts_to_data` rows; also stored in the cache."""
        self._facts[path] = None if data is None else facts_from_data(data)
        digest = self.file(path).digest
        if self.result_cache is not None and digest is not None:
            self.result_cache.put_facts(path, digest, data)

    def _compute_facts(self, path: str) -> ModuleFacts | None:
        """A module's facts, or a notebook's: its code cells as one program (program lines)."""
        if path.endswith(".ipynb"):
            program = self.notebook_program(path)
            tree = program.tree if program is not None else None
        else:
            tree = self.python_ast(path)
        try:
            with deep_recursion():
                return module_facts(tree) if isinstance(tree, ast.Module) else None
        except RecursionError:
            return None  # the syntax check reports what is wrong with the file

    def memo_unit(self, name: str, compute: Callable[[], Any]) -> Any:
        """`compute()`, or its value from the last run when every file it read is unchanged
        (`rule_memo.py`). The value must be JSON (it comes back as JSON either way), and `name` must
        name every input it takes from outside its reads."""
        if self.memo is not None:
            return self.memo.get(name, compute)
        return as_stored(compute())

    def options(self, code: str) -> Mapping[str, Any]:
        return self.config.rule_options.get(code, {})

    # --- git: every view of git, built on first use (context/git_view.py) -----------------------

    @property
    def git(self) -> RepoGit:
        """What a rule may read from git (HEAD blobs, the index, history, commits), and its processes.
        Made once, under a lock: the history scan's thread and the rules may ask at the same time."""
        found = self.__dict__.get("_git")
        if found is None:
            from mlops_lint.context.git_view import RepoGit

            with _GIT_LOCK:
                found = self.__dict__.get("_git")
                if found is None:
                    found = self.__dict__["_git"] = RepoGit(self.root, self.inventory, self.run_options, self.notices)
        return found

    def _forget_git(self, path: str) -> None:
        if "_git" in self.__dict__:
            self.git.forget(path)

    def close(self) -> None:
        """End the run's git processes (the views stay readable; a new use starts git again)."""
        if "_git" in self.__dict__:
            self.git.close()
