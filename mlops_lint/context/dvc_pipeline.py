"""DVC pipelines read without DVC: `dvc.yaml` stages, templating resolved where possible (the
names of `dvc_lock`, `dvc_paths`, `dvc_edit` and `dvc_scripts` are re-exported for the rules).

Every path is repo-relative and normalised; every entry keeps the line and column of its YAML
node. `${...}` placeholders are filled from `vars` (top level and stage level, inline mappings or
params files), the default `params.yaml` and `foreach`/`matrix` items; a value that still holds a
placeholder after that is left as written, and the checks skip it rather than guess.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.context.dvc_edit import dep_insertion as dep_insertion
from mlops_lint.context.dvc_lock import LockEntry as LockEntry
from mlops_lint.context.dvc_lock import LockStage as LockStage
from mlops_lint.context.dvc_lock import lock_stages as lock_stages
from mlops_lint.context.dvc_lock import workspace_md5 as workspace_md5
from mlops_lint.context.dvc_md5 import EOLS as EOLS
from mlops_lint.context.dvc_paths import MISSING, load_toml, lookup
from mlops_lint.context.dvc_paths import ParamsFile as ParamsFile
from mlops_lint.context.dvc_paths import covers as covers
from mlops_lint.context.dvc_paths import is_missing as is_missing
from mlops_lint.context.dvc_paths import join as join
from mlops_lint.context.dvc_paths import params_file as params_file
from mlops_lint.context.dvc_scripts import ScriptFacts as ScriptFacts
from mlops_lint.context.dvc_scripts import script_facts as script_facts
from mlops_lint.context.dvc_scripts import stage_scripts as stage_scripts
from mlops_lint.context.yaml_doc import Key, YamlDoc, YamlProblem

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

_PLACEHOLDER = re.compile(r"\$\{\s*([^}]+?)\s*\}")


@dataclass(frozen=True, slots=True)
class Entry:
    """A dep or an out of a stage."""

    path: str  # repo-relative
    declared: str  # as written (relative to wdir), after interpolation
    section: str  # deps | outs | metrics | plots
    line: int
    column: int
    cache: bool = True


@dataclass(frozen=True, slots=True)
class ParamRef:
    file: str  # repo-relative params file
    declared_file: str
    key: str | None  # dotted key; None = the whole file
    line: int
    column: int


@dataclass(slots=True)
class Stage:
    name: str  # `train`, or `train@us` for a foreach / matrix item
    definition: str  # the key under `stages:`
    dvc_yaml: str
    generated: bool  # from foreach / matrix
    key: Key  # YAML key of the mapping holding cmd/deps/... (`do` for foreach)
    line: int
    column: int
    wdir: str  # repo-relative folder ("" = root)
    commands: list[str] = field(default_factory=list)
    cmd_line: int = 1
    cmd_column: int = 1
    deps: list[Entry] = field(default_factory=list)
    params: list[ParamRef] = field(default_factory=list)
    outs: list[Entry] = field(default_factory=list)  # outs, metrics and plots
    unresolved: bool = False  # some entry still holds a `${...}` placeholder (skipped)
    expanded: bool = True  # False: a stub for a definition whose foreach/matrix/wdir cannot be resolved


PIPELINE_FILE_NAMES = ("dvc.yaml", "dvc.lock", "params.yaml")


def pipeline_files(repo: RepoContext) -> set[str]:
    """Every dvc.yaml and dvc.lock, every params.yaml, and the params files stages name."""
    found = {p for p in repo.file_set if p.rpartition("/")[2] in PIPELINE_FILE_NAMES}
    for dvc_yaml in dvc_yaml_files(repo):
        for stage in pipeline_stages(repo, dvc_yaml):
            found.update(ref.file for ref in stage.params if repo.has(ref.file))
    return found


def pipeline_file_problem(repo: RepoContext, path: str) -> tuple[str, int, int] | None:
    """Why DVC cannot read a pipeline file, and where (line, column); None when it can, or when it
    is a Python params file (those would have to be run, so they are never judged)."""
    file = repo.file(path)
    if file.text is None:
        return f"it cannot be read: {file.text_problem or 'unreadable'}", 1, 1
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".toml":
        _value, problem = load_toml(file.text)
        return None if problem is None else (problem, 1, 1)
    if suffix not in (".yaml", ".yml", ".json") and PurePosixPath(path).name != "dvc.lock":
        return None
    doc = repo.yaml(path)
    if isinstance(doc, YamlProblem):
        return doc.message, doc.line, doc.column  # "invalid YAML: ...", "duplicate key ...", "merge-conflict ..."
    if doc is not None and doc.value is not None and not isinstance(doc.value, dict):
        return f"its top level is a {type(doc.value).__name__}, not a mapping", 1, 1
    return None


# --- interpolation -----------------------------------------------------------------------------


def _interpolate(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {_interpolate(k, context): _interpolate(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, context) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _PLACEHOLDER.fullmatch(value)
    if whole:
        found = lookup(context, whole.group(1))
        return value if found is MISSING else found

    def replace(match: re.Match[str]) -> str:
        found = lookup(context, match.group(1))
        if found is MISSING or isinstance(found, dict | list):
            return match.group(0)
        return str(found).lower() if isinstance(found, bool) else str(found)

    return _PLACEHOLDER.sub(replace, value)


def _load_vars(repo: RepoContext, folder: str, entries: Any, context: dict[str, Any]) -> None:
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            context.update(entry)
        elif isinstance(entry, str) and "${" not in entry:
            name, _, keys = entry.partition(":")
            path = join(folder, name)
            loaded = params_file(repo, path) if path is not None else None
            if loaded is None or not isinstance(loaded.value, dict):
                continue
            if keys:
                for key in keys.split(","):
                    found = lookup(loaded.value, key.strip())
                    if found is not MISSING:
                        context[key.strip().split(".")[0]] = lookup(loaded.value, key.strip().split(".")[0])
            else:
                context.update(loaded.value)


def _item_key(item: Any, index: int) -> str:
    return str(item) if isinstance(item, str | int | float) and not isinstance(item, bool) else str(index)


# --- dvc.yaml ----------------------------------------------------------------------------------


def _entry_path(entry: Any) -> tuple[str | None, dict[str, Any]]:
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and len(entry) == 1:
        ((key, options),) = entry.items()
        return (key if isinstance(key, str) else None), (options if isinstance(options, dict) else {})
    return None, {}


def _build_stage(
    repo: RepoContext, doc: YamlDoc, dvc_yaml: str, name: str, definition: str, body: dict[str, Any], key: Key
) -> Stage:
    folder = posixpath.dirname(dvc_yaml)
    wdir = body.get("wdir", ".")
    base = join(folder, wdir) if isinstance(wdir, str) and "${" not in wdir else None
    line, column = doc.position_of(key)
    if base is None:
        return Stage(name, definition, dvc_yaml, True, key, line, column, "", unresolved=True, expanded=False)
    stage = Stage(name, definition, dvc_yaml, key[-1] == "do" or name != definition, key, line, column, base)
    commands = body.get("cmd")
    stage.commands = [c for c in (commands if isinstance(commands, list) else [commands]) if isinstance(c, str)]
    stage.cmd_line, stage.cmd_column = doc.position_of((*key, "cmd"))
    for section in ("deps", "outs", "metrics", "plots"):
        entries = body.get(section)
        for index, raw in enumerate(entries if isinstance(entries, list) else []):
            declared, options = _entry_path(raw)
            if declared is None or "${" in declared:
                stage.unresolved = True
                continue
            path = join(base, declared)
            if path is None:
                continue
            entry = Entry(
                path, declared, section, *doc.position_of((*key, section, index)), options.get("cache") is not False
            )
            (stage.deps if section == "deps" else stage.outs).append(entry)
    params = body.get("params")
    for index, raw in enumerate(params if isinstance(params, list) else []):
        position = doc.position_of((*key, "params", index))
        if isinstance(raw, str):
            files: list[tuple[str, Any]] = [("params.yaml", [raw])]
        elif isinstance(raw, dict):
            files = list(raw.items())
        else:
            continue
        for declared_file, keys in files:
            if not isinstance(declared_file, str) or "${" in declared_file:
                continue
            path = join(base, declared_file)
            if path is None:
                continue
            if keys is None or keys == []:
                stage.params.append(ParamRef(path, declared_file, None, *position))
            for param in keys if isinstance(keys, list) else []:
                if isinstance(param, str) and "${" not in param:
                    stage.params.append(ParamRef(path, declared_file, param, *position))
    return stage


def pipeline_stages(repo: RepoContext, dvc_yaml: str) -> list[Stage]:
    """The stages of one `dvc.yaml`, foreach / matrix expanded (items that cannot be resolved are skipped)."""
    doc = repo.yaml(dvc_yaml)
    if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
        return []
    stages = doc.value.get("stages")
    if not isinstance(stages, dict):
        return []
    folder = posixpath.dirname(dvc_yaml)
    context: dict[str, Any] = {}
    default = params_file(repo, join(folder, "params.yaml") or "params.yaml")
    if default is not None and isinstance(default.value, dict):
        context.update(default.value)
    _load_vars(repo, folder, doc.value.get("vars"), context)
    result: list[Stage] = []
    for definition, body in stages.items():
        if not isinstance(body, dict):
            continue
        name = str(definition)
        local = dict(context)
        _load_vars(repo, folder, body.get("vars"), local)
        expansions = _expansions(body, local, name)
        if expansions is None:  # the items cannot be resolved: a stub keeps the stage's existence known
            line, column = doc.position_of(("stages", name))
            stub = Stage(
                name, name, dvc_yaml, True, ("stages", name), line, column, "", unresolved=True, expanded=False
            )
            result.append(stub)
            continue
        for suffix, template, key, extra in expansions:
            stage = _build_stage(
                repo,
                doc,
                dvc_yaml,
                f"{name}@{suffix}" if suffix else name,
                name,
                _interpolate(template, {**local, **extra}),
                key,
            )
            stage.generated = bool(suffix) or not stage.expanded
            result.append(stage)
    return result


def _expansions(
    body: dict[str, Any], context: dict[str, Any], name: str
) -> list[tuple[str, Any, Key, dict[str, Any]]] | None:
    """(name suffix, template, YAML key, extra context) for each stage a definition generates."""
    name_key: Key = ("stages", name)
    if "foreach" in body and isinstance(body.get("do"), dict):
        items = _interpolate(body["foreach"], context)
        if isinstance(items, list):
            pairs = [(_item_key(item, i), {"item": item}) for i, item in enumerate(items)]
        elif isinstance(items, dict):
            pairs = [(str(k), {"item": v, "key": k}) for k, v in items.items()]
        else:
            return None
        return [(suffix, body["do"], (*name_key, "do"), extra) for suffix, extra in pairs]
    if "matrix" in body:
        if not isinstance(body["matrix"], dict):
            return None
        matrix = {k: _interpolate(v, context) for k, v in body["matrix"].items()}
        if not all(isinstance(v, list) for v in matrix.values()):
            return None
        template = {k: v for k, v in body.items() if k != "matrix"}
        names = list(matrix)
        found = []
        for combo in itertools.product(*(list(enumerate(matrix[n])) for n in names)):
            item = {n: value for n, (_, value) in zip(names, combo, strict=True)}
            suffix = "-".join(_item_key(value, i) for i, value in combo)
            found.append((suffix, template, name_key, {"item": item}))
        return found
    return [("", body, name_key, {})]


def dvc_yaml_files(repo: RepoContext) -> list[str]:
    return sorted(p for p in repo.file_set if p == "dvc.yaml" or p.endswith("/dvc.yaml"))
