"""`report --since REF`: the scorecard of an earlier state, to show the change per practice.

REF is a stored card (a `.json` file written by `report --output-format json`) or a git revision.
A revision is checked out with `git worktree add --detach` into a temporary folder and linted
there with the same options: the user's work tree, index and branch are never touched (git records
the extra worktree under `.git/worktrees/` and forgets it when it is removed at the end). The
checkout runs no hook and no filter driver (as every git call of mlops-lint). The card of a commit
is kept in `.mlops_lint_cache/`, keyed by the commit, the options and the tool version: a commit
never changes, so comparing with `main` again costs nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from mlops_lint.api import Overrides
from mlops_lint.cache import Cache
from mlops_lint.git_gateway import GitGateway
from mlops_lint.scorecard import Card
from mlops_lint.scorecard.build import build_card
from mlops_lint.scorecard.card import ScorecardError, load, validate

CACHE_NAME = "scorecard-since"


def _cache_key(commit: str, relative: Sequence[str], overrides: Overrides) -> str:
    settings = {k: str(v) for k, v in sorted(asdict(overrides).items()) if k not in ("progress", "cache", "jobs")}
    return hashlib.sha256(repr((commit, tuple(relative), settings)).encode()).hexdigest()


def _lint_revision(root: Path, commit: str, relative: Sequence[str], overrides: Overrides, name: str) -> Card:
    gateway = GitGateway(root)
    try:
        return _lint_checkout(gateway, commit, relative, overrides, name)
    finally:
        gateway.close()


def _lint_checkout(gateway: GitGateway, commit: str, relative: Sequence[str], overrides: Overrides, name: str) -> Card:
    root, top = gateway.root, gateway.top_level
    if top is None:
        raise ScorecardError(f"--since {commit}: {root} is not inside a git repository")
    inside = root.resolve().relative_to(top.resolve())
    scratch = Path(tempfile.mkdtemp(prefix="mlops-lint-since-"))
    checkout = scratch / "tree"
    try:
        added = gateway.run("worktree", "add", "--detach", "--quiet", str(checkout), commit,
                            options=gateway.without_filters())  # fmt: skip
        if added is None or not added.ok:
            why = added.stderr.decode("utf-8", errors="replace").strip() if added else "git is not available"
            raise ScorecardError(f"--since {commit}: git worktree add failed: {why}")
        base = checkout / inside
        if not base.is_dir():
            raise ScorecardError(f"--since {commit}: {inside.as_posix()} does not exist at that commit")
        paths = [base / rel for rel in relative if (base / rel).exists()] or [base]
        # the old tree's own cache would be thrown away with it; ruff and the history scan run afresh
        card, _report = build_card(paths, replace(overrides, cache=False, baseline=None, changed_since=None), name)
        return card
    finally:
        gateway.run("worktree", "remove", "--force", str(checkout))
        shutil.rmtree(scratch, ignore_errors=True)
        gateway.run("worktree", "prune")


def previous_card(root: Path, ref: str, paths: Sequence[Path], overrides: Overrides, name: str) -> Card:
    """The card to compare with: REF as a stored card file, else REF as a commit (from the cache or linted)."""
    as_file = Path(ref)
    if as_file.suffix == ".json" or as_file.is_file():
        return load(as_file)
    gateway = GitGateway(root)
    try:
        resolved = gateway.out("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    finally:
        gateway.close()
    if resolved is None:
        raise ScorecardError(f"--since {ref}: neither a scorecard file nor a commit of this repository")
    commit = resolved.strip()
    relative = sorted({p.resolve().relative_to(root.resolve()).as_posix() for p in paths if p.exists()} - {"."})
    cache = Cache(root, overrides.cache)
    key = _cache_key(commit, relative, overrides)
    cached = cache.read(CACHE_NAME, key)
    if cached is not None:
        try:
            return validate(cached)
        except ScorecardError:
            pass
    card = _lint_revision(root, commit, relative, overrides, name)
    cache.write(CACHE_NAME, key, card)
    return card


def since_summary(before: Card, ref: str) -> dict[str, Any]:
    """What a card keeps of the earlier one: enough to show the change per practice."""
    return {
        "ref": ref,
        "commit": before["repository"]["commit"],
        "date": before["date"],
        "overall": before["overall"]["score"],
        "practices": {p["id"]: p["score"] for p in before["practices"]},
    }
