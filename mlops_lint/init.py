"""`mlops-lint init`: the files a repository needs to adopt mlops-lint, never clobbering any.

Four steps, each planned first (so `--dry-run` shows exactly what would be written) and then applied:

- configuration: a `[tool.mlops-lint]` table appended to pyproject.toml (plain text appended at the
  end, so every comment and the formatting of the file stay; the result is parsed again and must
  equal the old document plus the new table). Without a pyproject.toml, `.mlops-lint.toml` is
  created instead: a repository that is not a Python package should not grow a pyproject.toml only
  for a linter. An existing `[tool.mlops-lint]` or `.mlops-lint.toml` is reported and left alone.
- `.pre-commit-config.yaml`: local hooks that run the installed mlops-lint, appended as new lines to
  an existing file (every existing byte kept; see `init_pre_commit`), never a second time when any
  mlops-lint hook is configured already.
- `.github/workflows/mlops-lint.yml`: the shipped workflow template, only if the file is absent. Its one
  install line names the version that wrote it.
- `experiments/TEMPLATE.yaml`: the experiment metadata template. It is a file, not a folder, so the
  experiment rules (which look at folders matching `experiments/*/`) never take it for an experiment.

The pre-commit and GitHub files belong to the git work tree's top; the configuration and the
experiment template to the project root (`find_root`), which differ in a monorepo sub-project.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from mlops_lint import __version__
from mlops_lint.config import CONFIG_FILE, PYPROJECT
from mlops_lint.discovery import find_root
from mlops_lint.git_gateway import GitGateway
from mlops_lint.init_pre_commit import HOOK_IDS, HOOK_REPOSITORY, merged_config, new_config
from mlops_lint.resources import templates_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = ["HOOK_IDS", "HOOK_REPOSITORY", "Step", "apply", "describe", "plan"]
PRE_COMMIT_CONFIG = ".pre-commit-config.yaml"
WORKFLOW = ".github/workflows/mlops-lint.yml"
EXPERIMENT_TEMPLATE = "experiments/TEMPLATE.yaml"


@dataclass(frozen=True, slots=True)
class Step:
    """One file init would create, update or leave alone (with the reason)."""

    path: Path
    before: str | None  # None: the file does not exist
    after: str | None  # None: nothing to write
    reason: str = ""

    @property
    def action(self) -> str:
        if self.after is None:
            return "skip"
        return "create" if self.before is None else "update"


def _template(name: str) -> str:
    return (templates_dir() / name).read_text(encoding="utf-8")


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:  # line endings as they are
        return handle.read()


def _git_top(root: Path) -> Path:
    gateway = GitGateway(root)
    try:
        return gateway.top_level or root
    finally:
        gateway.close()


# --- configuration -------------------------------------------------------------------------------------


def config_table() -> str:
    """The shipped starter configuration as a `[tool.mlops-lint]` table (its headers prefixed)."""
    body = _template("mlops-lint.toml").split("\n\n", 1)[1]  # drop the "put these keys under..." paragraph
    lines = [
        "[tool.mlops-lint]",
        "# `mlops-lint rules` lists every rule; `mlops-lint rules explain CODE` documents one.",
    ]
    for line in body.splitlines():
        comment = "# " if line.startswith("# [") else ""
        header = line[len(comment) :]
        if header.startswith("[[") or (header.startswith("[") and comment == "" and header.endswith("]")):
            brackets = "[[" if header.startswith("[[") else "["
            line = f"{comment}{brackets}tool.mlops-lint.{header[len(brackets) :]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def plan_config(root: Path) -> Step:
    own, pyproject = root / CONFIG_FILE, root / PYPROJECT
    if own.exists():
        return Step(own, _read(own), None, f"{CONFIG_FILE} exists already")
    if not pyproject.exists():
        return Step(own, None, _template("mlops-lint.toml"))
    text = _read(pyproject)
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Step(pyproject, text, None, f"{PYPROJECT} is not valid TOML ({exc}); add [tool.mlops-lint] by hand")
    tool = before.get("tool", {})
    if isinstance(tool, dict) and "mlops-lint" in tool:
        return Step(pyproject, text, None, "[tool.mlops-lint] exists already")
    newline = "\r\n" if "\r\n" in text else "\n"  # keep the file's line endings
    added = ("\n" if text.strip() else "") + config_table()
    after = text + ("" if text.endswith("\n") or not text else newline) + added.replace("\n", newline)
    table = tomllib.loads(config_table())["tool"]["mlops-lint"]
    expected = {**before, "tool": {**(tool if isinstance(tool, dict) else {}), "mlops-lint": table}}
    try:
        same = tomllib.loads(after) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:  # e.g. a `tool = {...}` inline table, which a later [tool.x] header may not extend
        return Step(pyproject, text, None, f"appending [tool.mlops-lint] would change what {PYPROJECT} means")
    return Step(pyproject, text, after)


# --- pre-commit ----------------------------------------------------------------------------------------


def plan_pre_commit(top: Path) -> Step:
    path = top / PRE_COMMIT_CONFIG
    if not path.exists():
        return Step(path, None, new_config())
    text = _read(path)
    after, note = merged_config(text)
    if after is None:
        return Step(path, text, None, f"{PRE_COMMIT_CONFIG}: {note}" if "configured already" not in note else note)
    return Step(path, text, after, note)


# --- files copied from templates ------------------------------------------------------------------------


def _copy(path: Path, content: str) -> Step:
    if path.exists():
        return Step(path, None, None, "exists already; not overwritten")
    return Step(path, None, content)


def plan_experiment_template(root: Path) -> Step:
    header = (
        "# The experiment metadata template: copy it to experiments/<id>/experiment.yaml and fill every field,\n"
        "# or run `mlops-lint new experiment <id>`, which fills what git knows. This file is not an experiment.\n"
    )
    return _copy(root / EXPERIMENT_TEMPLATE, header + _template("experiment.yaml"))


def project_root(path: Path) -> Path:
    """PATH itself when it is a project (a pyproject.toml, a .mlops-lint.toml or a .git), else `find_root`."""
    path = path.resolve()
    if any((path / marker).exists() for marker in (PYPROJECT, CONFIG_FILE, ".git")):
        return path
    return find_root(path)


def plan(path: Path) -> list[Step]:
    root = project_root(path)
    top = _git_top(root)
    return [
        plan_config(root),
        plan_pre_commit(top),
        _copy(top / WORKFLOW, _template("github-workflow.yml").replace("{version}", __version__)),
        plan_experiment_template(root),
    ]


def apply(steps: list[Step]) -> None:
    """Write the planned files; a file created meanwhile by someone else is not overwritten."""
    for step in steps:
        if step.after is None:
            continue
        step.path.parent.mkdir(parents=True, exist_ok=True)
        mode = "x" if step.before is None else "w"
        with step.path.open(mode, encoding="utf-8", newline="") as handle:
            handle.write(step.after)


def describe(steps: list[Step], dry_run: bool) -> str:
    """What init did (or, with `dry_run`, would do): one line per file, relative to the folder that
    holds them all (the git top); with `dry_run`, a unified diff of everything that would be written."""
    base = Path(os.path.commonpath([step.path.parent for step in steps]))
    out: list[str] = []
    done = {"create": "created", "update": "updated", "skip": "skipped"}
    for step in steps:
        name = step.path.relative_to(base).as_posix()
        verb = step.action if dry_run else done[step.action]
        out.append(f"{verb} {name}" + (f": {step.reason}" if step.reason else ""))
        if dry_run and step.after is not None:
            before = (step.before or "").splitlines(keepends=True)
            source = f"a/{name}" if step.before is not None else "/dev/null"
            diff = difflib.unified_diff(before, step.after.splitlines(keepends=True), source, f"b/{name}")
            out.extend(line.rstrip("\n") for line in diff)
    return "\n".join(out) + "\n"
