"""Which files a run looks at.

Inside git, the inventory is `git ls-files --cached --others --exclude-standard` (tracked files
plus untracked files that are not ignored) in one git call, which also gives the git index (the
tracked paths, `-t` tells them apart) so that no rule lists it again; outside git, a walk that
skips the usual tool folders and honours a top-level `.gitignore`. Symlinked folders are never
entered. Paths are repo-relative POSIX strings throughout.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pathspec import GitIgnoreSpec

from mlops_lint.config import PYPROJECT, find_config_file
from mlops_lint.context.files import DEFAULT_MAX_BYTES, read_inside
from mlops_lint.git_gateway import GitGateway
from mlops_lint.globs import gitignore_spec

_ALWAYS_SKIPPED_DIRS = {".git", ".hg", ".svn"}


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` with mlops-lint configuration or a `.git`.

    Configuration wins over `.git` when it is nearer, so a sub-project (or the bundled
    `examples/` repository) is linted as its own project.
    """
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if find_config_file(folder) is not None or (folder / ".git").exists():
            return folder
    return start


@dataclass(frozen=True, slots=True)
class Inventory:
    """Every lintable file of the repository, and whether it came from git."""

    files: tuple[str, ...]
    in_git: bool
    # the paths in the git index as `git ls-files --cached` lists them (None: not listed with the files)
    tracked: tuple[str, ...] | None = field(default=None, compare=False, repr=False)


def _git_files(gateway: GitGateway) -> tuple[list[str], list[str]] | None:
    """(every listed file, the tracked ones) from one `ls-files -t`; None when git cannot list them."""
    result = gateway.run("ls-files", "-z", "-t", "--cached", "--others", "--exclude-standard")
    if result is None or not result.ok:
        return None
    names: dict[str, None] = {}
    tracked: list[str] = []
    for entry in result.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        tag, _, name = entry.partition(" ")
        if not name:
            continue
        names[name] = None
        if tag != "?":  # `H` cached, `S` skip-worktree, `M` unmerged...: in the index
            tracked.append(name)
    return list(names), tracked


def _walk_files(root: Path) -> list[str]:
    ignore = _root_gitignore(root)
    found: list[str] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        rel_folder = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = sorted(
            d for d in dirs if d not in _ALWAYS_SKIPPED_DIRS and not (ignore and ignore.match_file(prefix + d + "/"))
        )
        for name in sorted(files):
            rel = prefix + name
            if not (ignore and ignore.match_file(rel)):
                found.append(rel)
    return found


def _root_gitignore(root: Path) -> GitIgnoreSpec | None:
    """The top-level `.gitignore`, read like any file of the repository: never through a symlink
    that leaves it, never from a FIFO (opening one blocks until a writer comes)."""
    problem, raw = read_inside(root, ".gitignore", DEFAULT_MAX_BYTES)
    if problem is not None or raw is None:
        return None
    try:
        return gitignore_spec(raw.decode("utf-8").splitlines())
    except UnicodeDecodeError:
        return None


def build_inventory(root: Path, exclude: Sequence[str]) -> Inventory:
    """All files of the repository minus the excluded ones; only entries that are files (or symlinks)."""
    gateway = GitGateway(root)
    try:
        listed = _git_files(gateway) if gateway.in_work_tree else None
    finally:
        gateway.close()
    in_git = listed is not None
    names = listed[0] if listed is not None else _walk_files(root)
    spec = gitignore_spec(exclude) if exclude else None
    base = str(root)
    keep = []
    for name in names:
        if (spec is not None and spec.match_file(name)) or not _ALWAYS_SKIPPED_DIRS.isdisjoint(name.split("/")):
            continue
        try:  # one lstat with plain strings: pathlib costs a tenth of a second on 3,000 files
            mode = os.lstat(os.path.join(base, name)).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode) or stat.S_ISREG(mode):
            keep.append(name)
    return Inventory(files=tuple(sorted(keep)), in_git=in_git, tracked=tuple(listed[1]) if listed else None)


def select_targets(root: Path, inventory: Inventory, paths: Iterable[Path], exclude: Sequence[str]) -> list[str]:
    """The files of the inventory that the given paths name (folders name everything below them).

    A file named explicitly is linted even if git ignores it, unless the configuration excludes it
    (so pre-commit, which passes file names, honours `exclude`).
    """
    spec = gitignore_spec(exclude)
    root = root.resolve()
    chosen: dict[str, None] = {}
    for given in paths:
        absolute = given.resolve() if not given.is_symlink() else given.absolute()
        try:
            rel = absolute.relative_to(root).as_posix()
        except ValueError:
            continue  # outside the repository: never followed
        if rel == ".":
            chosen.update(dict.fromkeys(inventory.files))
        elif absolute.is_dir() and not given.is_symlink():
            prefix = rel + "/"
            chosen.update(dict.fromkeys(f for f in inventory.files if f.startswith(prefix)))
        elif (given.is_file() or given.is_symlink()) and not spec.match_file(rel):
            chosen[rel] = None
    return sorted(chosen)


def parent_dirs(files: Iterable[str]) -> list[str]:
    """Every folder that contains one of `files`, as `a/`, `a/b/` (for folder-level rules)."""
    dirs: set[str] = set()
    for name in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]) + "/")
    return sorted(dirs)


__all__ = ["PYPROJECT", "Inventory", "build_inventory", "find_root", "parent_dirs", "select_targets"]


class RevisionError(Exception):
    """`--changed-since` names a revision git does not know."""


def changed_files(root: Path, revision: str) -> frozenset[str]:
    """Root-relative paths changed since `revision` (committed, staged or not) plus untracked files."""
    gateway = GitGateway(root)
    try:
        # `diff` re-hashes changed work-tree files: the repository's filter commands must not run
        diff = ("diff", "--name-only", "--no-ext-diff", "-z", "--relative", "--no-renames", revision, "--")
        calls = ((gateway.without_filters(), diff), ((), ("ls-files", "-z", "--others", "--exclude-standard")))
        found: set[str] = set()
        for options, args in calls:
            result = gateway.run(*args, options=options)
            if result is None:
                raise RevisionError("git is not available")
            if not result.ok:
                message = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
                raise RevisionError(f"--changed-since {revision}: {message[0] if message else 'git failed'}")
            found |= {p.decode("utf-8", errors="surrogateescape") for p in result.stdout.split(b"\0") if p}
        return frozenset(found)
    finally:
        gateway.close()
