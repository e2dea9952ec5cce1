"""Experiment-run artifacts committed (MLG007): wandb, mlruns, TensorBoard and checkpoint folders.
The index and the `.gitignore` files are read through `context.gitignore`."""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint.context.gitignore import GITIGNORE, git_index, gitignores, on_disk
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import CreateFile, Fix, TextEdit, line_starts, newline_of, split_lines
from mlops_lint.rule import RepoRule

# directory names that are run artifacts wherever they are; the gitignore pattern is the bare name
_NAMED = {
    "mlruns": "MLflow file store",
    "mlartifacts": "MLflow artifact store",
    "lightning_logs": "Lightning logs",
    ".ipynb_checkpoints": "Jupyter checkpoints",
    "__pycache__": "Python bytecode cache",
}
_WANDB_RUN = re.compile(r"(?:offline-)?run-\d{8}_\d{6}-\w+|latest-run")
_TB_DIRS = frozenset({"runs", "logs", "log", "tb_logs", "tensorboard", "tensorboard_logs", "tb", "summaries"})


def artifact_dir(path: str) -> tuple[str, str, str] | None:
    """(directory, what, gitignore pattern) of the run-artifact folder a tracked file belongs to."""
    parts = path.split("/")
    folders = parts[:-1]
    for i, part in enumerate(folders):
        here = "/".join(parts[: i + 1])
        if part in _NAMED:
            return here, _NAMED[part], part + "/"
        if i == 0 and part == ".dvc" and len(folders) > 1 and folders[1] in ("cache", "tmp"):
            return f".dvc/{folders[1]}", f"DVC {folders[1]} folder", f"/.dvc/{folders[1]}/"
        if part == "wandb" and i + 1 < len(folders) and _WANDB_RUN.fullmatch(folders[i + 1]):
            return here, "W&B run folder", f"/{here}/"
        if part in ("outputs", "multirun") and ".hydra" in folders[i + 1 :]:
            return here, "Hydra run outputs", f"/{here}/"
        if part == ".hydra":
            run = "/".join(parts[:i]) or here
            return run, "Hydra run folder", f"/{run}/"
    if parts[-1].startswith("events.out.tfevents."):
        logs = next((i for i, part in enumerate(folders) if part in _TB_DIRS), len(folders) - 1)
        if logs < 0:
            return None
        here = "/".join(parts[: logs + 1])
        return here, "TensorBoard event logs", f"/{here}/"
    return None


class RunArtifactsCommitted(RepoRule):
    reads_outside_files = True
    code = "MLG007"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        if not repo.in_git:
            return
        found: dict[str, tuple[str, str]] = {}
        for path in sorted(repo.file_set):
            hit = artifact_dir(path)
            if hit is not None and hit[0] not in found:
                found[hit[0]] = hit[1:]
        index, ignores, targets = git_index(repo), gitignores(repo), set(repo.targets)
        for folder in (".dvc/cache", ".dvc/tmp"):  # excluded from linting by default: ask the index
            if folder not in found and index.tracked_under(folder):
                found[folder] = (f"DVC {folder[5:]} folder", f"/{folder}/")
                targets.update(index.tracked_under(folder) if ".dvc/config" in targets else ())
        outermost = [d for d in sorted(found) if not any(d.startswith(o + "/") for o in found if o != d)]
        pending: list[tuple[str, str, int, str | None]] = []  # dir, what, tracked count, pattern to add
        for directory in outermost:
            tracked = index.tracked_under(directory)
            if not tracked or targets.isdisjoint(tracked):
                continue
            what, pattern = found[directory]
            pending.append((directory, what, len(tracked), None if ignores.ignored(directory, True) else pattern))
        fix, added = self._gitignore_fix(repo, [p for *_rest, p in pending if p is not None])
        for directory, what, count, pattern in pending:
            untrack = f"git rm -r --cached {directory}"
            if pattern is None:
                action = f"it is git-ignored but still tracked: untrack it with {untrack}"
            else:
                action = f"git-ignore it ({pattern}) and untrack it with {untrack}"
            yield self.diagnostic(
                Location(path=directory + "/"),
                fix if pattern in added else None,
                what=what,
                directory=directory + "/",
                count=count,
                action=action,
            )

    def _gitignore_fix(self, repo: RepoContext, patterns: list[str]) -> tuple[Fix | None, frozenset[str]]:
        """One fix shared by every finding it serves (identical, so the fixer applies it once): it appends
        all missing patterns to the root .gitignore. Returns the fix and the patterns it adds."""
        wanted = list(dict.fromkeys(patterns))
        if not wanted:
            return None, frozenset()
        if not repo.has(GITIGNORE):
            if on_disk(repo, GITIGNORE) is not None:
                return None, frozenset()
            title = self.fix_title(patterns=", ".join(wanted))
            fix = Fix(title=title, edits=(CreateFile(path=GITIGNORE, content="".join(p + "\n" for p in wanted)),))
            return fix, frozenset(wanted)
        decoded = repo.file(GITIGNORE).decoded
        if decoded is None:
            return None, frozenset()
        text = decoded.text
        present = {line.strip() for line in split_lines(text)}
        wanted = [p for p in wanted if p not in present]  # present but overridden: appending again would loop
        if not wanted:
            return None, frozenset()
        newline = newline_of(text)
        prefix = "" if not text or text.endswith(("\n", "\r")) else newline
        starts = line_starts(text)
        end = Span.point(len(starts), len(text) - starts[-1] + 1)
        content = prefix + "".join(p + newline for p in wanted)
        title = self.fix_title(patterns=", ".join(wanted))
        return Fix(title=title, edits=(TextEdit(path=GITIGNORE, span=end, content=content),)), frozenset(wanted)


RULES = [RunArtifactsCommitted]
