"""The one module that starts git: GitPython's `Git` command object, with safety options, for every call.

mlops-lint never executes the repository it lints (issue 10), and git can be made to: even
read-only plumbing runs the `core.fsmonitor` command of `.git/config` (`git ls-files --others`,
`git diff`), `git diff REV --` refreshes the index and so runs the `post-index-change` hook, and a
`filter.<driver>.clean` command runs on every file git has to re-hash. A `.git/config` and hooks
are not cloned, but they arrive with an archive, a shared folder, a container volume or a CI cache,
and a linter is exactly what people run on a repository it does not trust yet. Settings given with
`-c` override the repository's, so every `Git` object made here carries `SAFE_OPTIONS` as its
persistent options; commands that hash work-tree files add `without_filters()` for the filter
drivers the configuration defines.

How git is used (GitPython, imported on first use: the import costs a tenth of a second):
- `git.Repo` answers discovery (work trees, `.git` files, submodules, bare repositories) and
  the cheap facts read from `.git` itself (shallow, prefix, remote URL, partial-clone config);
- object reads go through the `Git` object's persistent `cat-file --batch` stream;
- bulk streams (`rev-list --objects`, `ls-files`, `git grep`) run through `Git.execute(...,
  as_process=True)`, read as they are produced;
- `close()` ends every process the gateway started (the suite treats a leaked one as an error).
A missing git is no exception: every call answers None (or empty) and callers give their notice.
GitPython's import runs `git version` once to find git (a builtin that reads no repository, so
nothing the repository configures can run); everything after that is ours.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mlops_lint.git_output import drain, parse_batch

if TYPE_CHECKING:
    import git

# `core.hooksPath` to the null device, a folder that holds no hooks on any platform;
# `--no-optional-locks`: a read never rewrites `.git/index` as a side effect (which would also race
# with a `git commit` holding the index lock while pre-commit runs mlops-lint)
SAFE_OPTIONS: tuple[str, ...] = (
    "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", f"core.hooksPath={os.devnull}",
)  # fmt: skip
PIPE = subprocess.PIPE
Process = subprocess.Popen  # what `start` returns, for callers' annotations (they never import subprocess)
BULK_READ = 32  # more objects than this are read by one batch process, not the persistent stream


def gitpython() -> Any:
    """GitPython, imported on first use. A missing git must not raise at import (GitPython's
    default): our own diagnostics say what is missing, as they did before GitPython."""
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    import git

    return git


@dataclass(frozen=True, slots=True)
class Completed:
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def text(self) -> str | None:
        """stdout as text when git succeeded, else None."""
        return self.stdout.decode("utf-8", errors="replace") if self.returncode == 0 else None


class GitGateway:
    """Every git process of one repository folder (`root`, the linted root, perhaps inside a larger work tree)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._commands: dict[tuple[str, ...], git.Git] = {}
        self._repo: git.Repo | bool | None = False  # False: not looked up yet
        self._filters: list[str] | None = None
        self._streams: list[subprocess.Popen[bytes]] = []
        self._pid = os.getpid()
        self._objects = threading.Lock()  # one request at a time on the persistent cat-file streams

    # --- the command objects ---------------------------------------------------------------------

    def command(self, options: Sequence[str] = ()) -> git.Git:
        """A `Git` object whose persistent options are `SAFE_OPTIONS` plus `options` (one per set, reused)."""
        self._own()
        key = tuple(options)
        found = self._commands.get(key)
        if found is None:
            found = gitpython().Git(str(self.root))
            found._persistent_git_options = [*SAFE_OPTIONS, *key]  # what `set_persistent_git_options` stores
            self._commands[key] = found
        return found

    def _own(self) -> None:
        """A forked pool worker inherits the parent's processes: it must neither use nor end them."""
        if os.getpid() != self._pid:
            for command in self._commands.values():
                for persistent in (command.cat_file_all, command.cat_file_header):
                    if persistent is not None:
                        persistent.proc = None
            self._commands, self._streams, self._pid = {}, [], os.getpid()

    def start(
        self,
        *args: str,
        options: Sequence[str] = (),
        stdin: int | IO[bytes] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes] | None:
        """A running `git <args>` with stdout piped (`execute(as_process=True)`); its stderr is
        drained and dropped. None when git cannot be started. `close()` ends it if the caller did not."""
        command = self.command(options)
        try:
            handle = command.execute([command.GIT_PYTHON_GIT_EXECUTABLE, *command._persistent_git_options, *args],
                                     istream=stdin, as_process=True, env=env)  # fmt: skip
        except (OSError, gitpython().exc.GitCommandNotFound):
            return None
        process: subprocess.Popen[bytes] = handle.proc
        handle.proc = None  # ours to wait for, not the wrapper's to kill when it is collected
        threading.Thread(target=drain, args=(process.stderr,), daemon=True).start()
        self._streams.append(process)
        return process

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        options: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> Completed | None:
        """`git <args>` to completion (stdin, stdout and stderr as bytes); None when git cannot be started."""
        command = self.command(options)
        try:
            handle = command.execute([command.GIT_PYTHON_GIT_EXECUTABLE, *command._persistent_git_options, *args],
                                     istream=PIPE if stdin is not None else None, as_process=True, env=env)  # fmt: skip
        except (OSError, gitpython().exc.GitCommandNotFound):
            return None
        process: subprocess.Popen[bytes] = handle.proc
        handle.proc = None
        out, err = process.communicate(stdin)
        return Completed(process.returncode, out or b"", err or b"")

    def out(self, *args: str, options: Sequence[str] = ()) -> str | None:
        """stdout of a successful `git <args>` as text, else None."""
        result = self.run(*args, options=options)
        return None if result is None else result.text()

    # --- objects through the persistent cat-file streams ----------------------------------------

    def read_blobs(self, names: Sequence[str]) -> dict[str, bytes]:
        """Contents of the given objects (ids or `rev:path`), by name. A few go through the persistent
        `cat-file --batch` stream; many (every small blob at HEAD) through one batch process fed all at
        once: a request-and-answer round trip per object would cost 60 µs each."""
        unique = [name for name in dict.fromkeys(names) if "\n" not in name]
        if len(unique) > BULK_READ:
            return self._read_in_bulk(unique)
        command = self.command()
        failures = (ValueError, OSError, gitpython().exc.GitCommandNotFound)
        contents: dict[str, bytes] = {}
        with self._objects:
            for name in unique:
                try:
                    _oid, _kind, _size, data = command.get_object_data(name)
                except failures:
                    continue  # missing, ambiguous, or no git
                contents[name] = data
        return contents

    def _read_in_bulk(self, names: list[str]) -> dict[str, bytes]:
        result = self.run("cat-file", "--batch", stdin="".join(f"{name}\n" for name in names).encode())
        return parse_batch(names, result.stdout if result is not None else b"")

    def object_kind(self, name: str) -> str | None:
        """The type of the object `name` names (`commit`, `blob`...), None if it names none."""
        if "\n" in name:
            return None
        try:
            with self._objects:
                kind = self.command().get_object_header(name)[1]
            return kind.decode("ascii") if isinstance(kind, bytes) else str(kind)
        except (ValueError, OSError, gitpython().exc.GitCommandNotFound):
            return None

    # --- the repository, as GitPython's Repo reads it from `.git` --------------------------------

    @property
    def repo(self) -> git.Repo | None:
        """The repository `root` is in (worktrees, `.git` files and submodules resolved), or None."""
        if self._repo is False:
            module = gitpython()
            try:
                self._repo = module.Repo(str(self.root), search_parent_directories=True)
            except (module.exc.InvalidGitRepositoryError, module.exc.NoSuchPathError, OSError, ValueError):
                self._repo = None
        return self._repo if self._repo is not False else None

    @property
    def in_work_tree(self) -> bool:
        repo = self.repo
        return repo is not None and not repo.bare and repo.working_tree_dir is not None

    @property
    def top_level(self) -> Path | None:
        repo = self.repo
        return Path(repo.working_tree_dir) if repo is not None and repo.working_tree_dir else None

    @property
    def prefix(self) -> str:
        """The root inside its work tree, as `sub/dir/` ("" at the top): `git rev-parse --show-prefix`."""
        top = self.top_level
        if top is None:
            return ""
        relative = Path(os.path.relpath(self.root.resolve(), top.resolve())).as_posix()
        return "" if relative == "." else relative + "/"

    @property
    def shallow(self) -> bool:
        repo = self.repo
        return repo is not None and os.path.exists(os.path.join(repo.common_dir, "shallow"))

    def config(self, section: str, option: str) -> str | None:
        """One value of the repository's configuration (all levels GitPython reads), or None."""
        repo = self.repo
        if repo is None:
            return None
        try:
            with repo.config_reader() as reader:
                return str(reader.get_value(section, option))
        except Exception:
            return None

    def config_sections(self, prefix: str) -> list[str]:
        repo = self.repo
        if repo is None:
            return []
        try:
            with repo.config_reader() as reader:
                return [name for name in reader.sections() if name.startswith(prefix)]
        except Exception:
            return []

    def head_commit(self) -> str | None:
        """The commit HEAD names; None outside git or before the first commit."""
        repo = self.repo
        if repo is None:
            return None
        try:
            return str(repo.head.commit.hexsha)
        except (ValueError, TypeError, OSError, gitpython().exc.GitError):
            return None

    def without_filters(self) -> list[str]:
        """`-c` options that blank every filter driver git's own configuration reader knows of
        (clean, smudge, process; `required` off). Reading the configuration runs nothing; a driver
        with an empty command is no driver, so git hashes the file as it is on disk. Asked of git
        itself (not GitPython's reader): a driver missed here would run the repository's command."""
        if self._filters is None:
            names = self.out("config", "--get-regexp", "--name-only", r"^filter\..*\.(clean|smudge|process|required)$")
            options: list[str] = []
            for name in (names or "").splitlines():
                options += ["-c", f"{name}={'false' if name.endswith('.required') else ''}"]
            self._filters = options
        return self._filters

    # --- the end of the run ---------------------------------------------------------------------

    def close(self) -> None:
        """End every process this gateway started (persistent cat-file streams, unfinished streams)."""
        if os.getpid() != self._pid:
            self._own()
            return
        for command in self._commands.values():
            command.clear_cache()
        self._commands = {}
        for process in self._streams:
            _finish(process)
        self._streams = []
        repo = self._repo
        if repo:
            repo.close()  # type: ignore[union-attr]
        self._repo = False


def _finish(process: subprocess.Popen[bytes]) -> None:
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
    if process.poll() is None:
        process.terminate()
    process.wait()
