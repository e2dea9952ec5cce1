"""The `.pre-commit-config.yaml` part of `mlops-lint init`: local hooks, appended as text.

Local hooks: there is no published release of mlops-lint yet, so a `repo:` URL with a `rev:` would
fail on the first `pre-commit run`. A `repo: local` hook with `language: system` runs the mlops-lint
installed in the environment (the one that ran `init`), needs no network, and takes its entries from
the hooks we publish (`.pre-commit-hooks.yaml`), so the two never drift apart. The remote form is
written as a comment beside it, for when a release exists.

Appended as text: a user's config is theirs, formatted by hand or by prettier. Re-dumping it through
a YAML library reflows long `args:` lists and requotes strings, so the hooks are inserted as new
lines after the last line of the `repos:` block, and every existing byte stays where it was. The
result is parsed again and must equal the old document with one more repo; otherwise nothing is
written and the user is told what to add.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from mlops_lint import __version__
from mlops_lint.resources import hooks_manifest

HOOK_REPOSITORY = "https://github.com/mlops-lint/mlops-lint"
HOOK_IDS = ("mlops-lint", "mlops-lint-fix", "mlops-lint-repo")
ENABLED = ("mlops-lint", "mlops-lint-repo")  # mlops-lint-fix is written commented out: fixing is opt-in
_KEYS = ("name", "entry", "language", "types", "pass_filenames", "always_run", "require_serial", "stages")
_WHY = {
    "mlops-lint": "the changed files, on commit",
    "mlops-lint-fix": "apply the safe fixes on commit",
    "mlops-lint-repo": "the whole repository and the pushed history, on push",
}
_REPOS_KEY = re.compile(r"^repos:[ \t]*(#.*)?$")
_ITEM = re.compile(r"^([ \t]*)-[ \t]")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value)


def _hook_lines(hook: dict[str, Any], commented: bool) -> list[str]:
    mark = "# " if commented else ""
    lines = [f"{mark}- id: {hook['id']} # {_WHY.get(hook['id'], '')}".rstrip(" #")]
    for key in _KEYS:
        if key in hook:
            value = "system" if key == "language" else hook[key]  # the mlops-lint on PATH, not a new venv
            lines.append(f"{mark}  {key}: {_scalar(value)}")
    return lines


def local_repo_lines(item_indent: str) -> list[str]:
    """The `- repo: local` entry, its sequence dash at `item_indent`, one string per line."""
    manifest = yaml.safe_load(hooks_manifest().read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for hook in manifest}
    inner = item_indent + "    "
    lines = [
        "# mlops-lint as installed in this environment (pip install mlops-lint): no download, works offline.",
        "# Once a release is published, the remote form pins a version instead:",
        f"#   - repo: {HOOK_REPOSITORY}",
        f"#     rev: v{__version__}",
        "#     hooks: [{id: mlops-lint}, {id: mlops-lint-repo}]",
    ]
    out = [item_indent + line for line in lines]
    out += [f"{item_indent}- repo: local", f"{item_indent}  hooks:"]
    for hook_id in ("mlops-lint", "mlops-lint-repo", "mlops-lint-fix"):
        out += [inner + line for line in _hook_lines(hooks[hook_id], commented=hook_id not in ENABLED)]
    return out


def new_config() -> str:
    """A `.pre-commit-config.yaml` for a repository that has none."""
    head = [
        "# pre-commit (https://pre-commit.com); enable both stages with `pre-commit install`.",
        "default_install_hook_types: [pre-commit, pre-push]",
        "repos:",
    ]
    return "\n".join(head + local_repo_lines("  ")) + "\n"


def configured_ids(document: Any) -> set[str]:
    found: set[str] = set()
    for repo in document.get("repos") or [] if isinstance(document, dict) else []:
        for hook in (repo.get("hooks") or []) if isinstance(repo, dict) else []:
            if isinstance(hook, dict) and isinstance(hook.get("id"), str):
                found.add(hook["id"])
    return found


def _block_end(lines: list[str], start: int) -> tuple[int, str | None]:
    """Where the block under `repos:` (line `start`) ends (the index after its last content line),
    and the indentation of its items' dashes (None if it has no item yet)."""
    end, dash = start + 1, None
    for index in range(start + 1, len(lines)):
        line = lines[index].rstrip("\r\n")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() and not _ITEM.match(line):
            break  # the next top-level key
        if dash is None and (match := _ITEM.match(line)):
            dash = match.group(1)
        end = index + 1
    return end, dash


def merged_config(text: str) -> tuple[str | None, str]:
    """`text` with the local hooks added (None when that cannot be done by adding lines), and a note."""
    try:
        document = yaml.safe_load(text) if text.strip() else None
    except yaml.YAMLError as exc:
        return None, f"it is not valid YAML ({exc.__class__.__name__})"
    document = {} if document is None else document
    if not isinstance(document, dict) or not isinstance(document.get("repos") or [], list):
        return None, "it has no list of repos to add to"
    if configured_ids(document) & set(HOOK_IDS):
        return None, "mlops-lint hooks are configured already"
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline  # a final line break is added; every existing byte stays
    starts = [index for index, line in enumerate(lines) if _REPOS_KEY.match(line.rstrip("\r\n"))]
    if "repos" in document and not starts:
        return None, "its repos list is written in flow style ([...]); add the local mlops-lint hooks by hand"
    if starts:
        end, dash = _block_end(lines, starts[0])
        entry = local_repo_lines(dash if dash is not None else "  ")
        lines[end:end] = [line + newline for line in entry]
    else:
        lines += [line + newline for line in ["repos:", *local_repo_lines("  ")]]
    note = ""
    stages = document.get("default_install_hook_types")
    if stages is None:
        lines += [f"default_install_hook_types: [pre-commit, pre-push]{newline}"]
    elif isinstance(stages, list) and "pre-push" not in stages:
        note = "add pre-push to default_install_hook_types so that mlops-lint-repo runs before a push"
    after = "".join(lines)
    expected = dict(document)
    expected["repos"] = [*(document.get("repos") or []), yaml.safe_load("\n".join(local_repo_lines("")))[0]]
    expected.setdefault("default_install_hook_types", ["pre-commit", "pre-push"])
    try:
        same = yaml.safe_load(after) == expected
    except yaml.YAMLError:
        same = False
    if not same:
        return None, "the hooks could not be added without rewriting it; add the local mlops-lint hooks by hand"
    return after, note
