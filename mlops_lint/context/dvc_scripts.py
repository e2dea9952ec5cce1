"""The scripts a DVC stage runs (`python train.py`, `python -m pkg.train`) and what they import
and call, for the rules that compare a stage's declared deps with its code.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_lint.context.commands import module_to_paths, scripts_in_command
from mlops_lint.context.dvc_paths import join

if TYPE_CHECKING:
    from mlops_lint.context.dvc_pipeline import Stage
    from mlops_lint.context.repo import RepoContext


def stage_scripts(repo: RepoContext, stage: Stage) -> list[tuple[str, str]]:
    """[(command, repo file)] for each repository file a stage's commands run."""
    prefix = stage.wdir + "/" if stage.wdir else ""
    found: list[tuple[str, str]] = []
    for command in stage.commands:
        if "${" in command:
            continue
        for kind, target in scripts_in_command(command):
            if "${" in target or "$" in target:
                continue
            if kind == "module":
                candidates = [posixpath.normpath(c) for c in module_to_paths(target, (prefix,))]
            else:
                joined = join(stage.wdir, target)
                candidates = [joined] if joined else []
            hit = next((c for c in candidates if repo.has(c)), None)
            if hit is not None and (command, hit) not in found:
                found.append((command, hit))
    return found


@dataclass(frozen=True, slots=True)
class ScriptFacts:
    imports: frozenset[str]  # top-level package names
    method_calls: frozenset[str]  # `x.fit(...)` -> "fit"


def script_facts(repo: RepoContext, path: str) -> ScriptFacts | None:
    """Imports and method-call names of a Python script (None if it is not Python or does not parse)."""
    import ast

    if not path.endswith(".py"):
        return None
    tree = repo.python_ast(path)
    if not isinstance(tree, ast.Module):
        return None
    imports: set[str] = set()
    calls: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imports.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            calls.add(node.func.attr)
    return ScriptFacts(frozenset(imports), frozenset(calls))
