"""The one way mlops-lint starts git: without running any command the repository's own config names.

mlops-lint never executes the repository it lints (issue 10), and git can be made to: even
read-only plumbing runs the `core.fsmonitor` command of `.git/config` (`git ls-files --others`,
`git diff`), and `git diff REV --` refreshes the index and so runs the `post-index-change` hook,
and a `filter.<driver>.clean` command on every file it has to re-hash. A `.git/config` and hooks
are not cloned, but they arrive with an archive, a shared folder, a container volume or a CI cache,
and a linter is exactly what people run on a repository they do not trust yet. Settings given with
`-c` override the repository's, so every git call starts from `GIT`; commands that hash work-tree
files add `without_filters` for the filter drivers the configuration defines.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# `core.hooksPath` to the null device, a folder that holds no hooks on any platform
_NO_HOOKS = os.devnull
# `--no-optional-locks`: a read never rewrites `.git/index` as a side effect (which would also race
# with a `git commit` holding the index lock while pre-commit runs mlops-lint)
GIT: tuple[str, ...] = (
    "git", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", f"core.hooksPath={_NO_HOOKS}",
)  # fmt: skip


def without_filters(root: Path) -> list[str]:
    """`-c` options that blank every filter driver the configuration defines (clean, smudge, process).

    Reading the configuration runs nothing; a driver with an empty command is no driver, so git
    hashes the file as it is on disk (for `diff --name-only`, an unfiltered file may show as changed:
    a false positive in `--changed-since` is better than running the repository's command)."""
    try:
        result = subprocess.run(
            [*GIT, "config", "--get-regexp", "--name-only", r"^filter\..*\.(clean|smudge|process|required)$"],
            cwd=root,
            capture_output=True,
            check=False,
        )
    except OSError:
        return []
    options: list[str] = []
    for name in result.stdout.decode("utf-8", errors="surrogateescape").splitlines():
        value = "false" if name.endswith(".required") else ""
        options += ["-c", f"{name}={value}"]
    return options
