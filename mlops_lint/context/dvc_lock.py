"""`dvc.lock` (schema 2.0) read without DVC: each stage's command, deps and outs with their md5,
and params, every entry with the line and column of its YAML node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_lint.context.dvc_md5 import Eol
from mlops_lint.context.yaml_doc import YamlDoc

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext


@dataclass(frozen=True, slots=True)
class LockEntry:
    declared: str
    md5: str | None
    line: int
    column: int
    md5_line: int
    md5_column: int
    legacy: bool  # no `hash: md5`: a DVC 2.x entry, hashed md5-dos2unix


@dataclass(slots=True)
class LockStage:
    name: str
    line: int
    column: int
    commands: list[str] | None
    cmd_line: int
    cmd_column: int
    deps: dict[str, LockEntry]
    outs: dict[str, LockEntry]
    params: dict[str, dict[str, tuple[Any, int, int]]]  # file -> key -> (value, line, col)


def lock_stages(repo: RepoContext, lock_path: str) -> dict[str, LockStage] | None:
    """The stages of a `dvc.lock` (schema 2.0); None when it is missing or not of that schema."""
    doc = repo.yaml(lock_path)
    if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict) or str(doc.value.get("schema")) != "2.0":
        return None
    stages = doc.value.get("stages")
    result: dict[str, LockStage] = {}
    for name, body in (stages if isinstance(stages, dict) else {}).items():
        if not isinstance(body, dict):
            continue
        key = ("stages", str(name))
        cmd = body.get("cmd")
        commands = cmd if isinstance(cmd, list) else [cmd] if isinstance(cmd, str) else None
        sections: dict[str, dict[str, LockEntry]] = {"deps": {}, "outs": {}}
        for section, entries in sections.items():
            raw = body.get(section)
            for index, item in enumerate(raw if isinstance(raw, list) else []):
                if isinstance(item, dict) and isinstance(item.get("path"), str):
                    md5 = item.get("md5")
                    entries[item["path"]] = LockEntry(
                        item["path"],
                        md5 if isinstance(md5, str) else None,
                        *doc.position_of((*key, section, index, "path")),
                        *doc.position_of((*key, section, index, "md5" if "md5" in item else "path")),
                        "hash" not in item,
                    )
        params: dict[str, dict[str, tuple[Any, int, int]]] = {}
        raw_params = body.get("params")
        for file, values in (raw_params if isinstance(raw_params, dict) else {}).items():
            if isinstance(values, dict):
                params[str(file)] = {
                    str(k): (v, *doc.position_of((*key, "params", str(file), str(k)))) for k, v in values.items()
                }
        result[str(name)] = LockStage(
            str(name),
            *doc.position_of(key),
            commands,
            *doc.position_of((*key, "cmd")),
            sections["deps"],
            sections["outs"],
            params,
        )
    return result


def workspace_md5(repo: RepoContext, path: str, limit: int, eol: Eol = "raw") -> str | None:
    """The DVC md5 of a workspace dep (`RepoContext.workspace_md5`, cached for the run)."""
    return repo.workspace_md5(path, limit, eol)
