"""DVC pipelines read without DVC: `dvc.yaml` stages (templating resolved where possible),
`dvc.lock`, params files, and the text position where a dep can be inserted.

Every path is repo-relative and normalised; every entry keeps the line and column of its YAML
node. `${...}` placeholders are filled from `vars` (top level and stage level, inline mappings or
params files), the default `params.yaml` and `foreach`/`matrix` items; a value that still holds a
placeholder after that is left as written, and the checks skip it rather than guess.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import sys
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

import yaml

from mlops_lint.context.commands import module_to_paths, scripts_in_command
from mlops_lint.context.dvc_md5 import EOLS as EOLS
from mlops_lint.context.dvc_md5 import Eol
from mlops_lint.context.yaml_doc import Key, YamlDoc, YamlProblem
from mlops_lint.fixes import newline_of, yaml_lines_agree

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from mlops_lint.context.repo import RepoContext

_PLACEHOLDER = re.compile(r"\$\{\s*([^}]+?)\s*\}")
_MISSING = object()
_LINES = re.compile(r"\r\n|\r|\n")


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


def join(folder: str, relative: str) -> str | None:
    """`folder/relative` normalised; None for absolute paths, URLs and paths escaping the repo."""
    if PurePosixPath(relative).is_absolute() or "://" in relative:
        return None
    joined = posixpath.normpath(posixpath.join(folder, relative))
    if joined.startswith("../") or joined == "..":
        return None
    return "" if joined == "." else joined


def covers(parent: str, path: str) -> bool:
    return parent in ("", path) or path.startswith(parent + "/")


def lookup(value: Any, dotted: str) -> Any:
    """`a.b.0.c` in nested mappings/lists, or _MISSING."""
    for part in dotted.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def is_missing(value: Any) -> bool:
    return value is _MISSING


# --- params files ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParamsFile:
    value: Any  # None when the format is not readable without running code (.py) or invalid
    readable: bool


def params_file(repo: RepoContext, path: str) -> ParamsFile | None:
    """A params file's content; None when it is not in the repository."""
    if not repo.has(path):
        return None
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".yaml", ".yml", ".json"):
        doc = repo.yaml(path)  # JSON is YAML
        return ParamsFile(doc.value, True) if isinstance(doc, YamlDoc) else ParamsFile(None, False)
    if suffix == ".toml":
        value, problem = _load_toml(repo.file(path).text or "")
        return ParamsFile(value, problem is None)
    return ParamsFile(None, False)


def _load_toml(text: str) -> tuple[Any, str | None]:
    """The TOML document, or None and why it is not valid TOML."""
    try:
        return tomllib.loads(text), None
    except tomllib.TOMLDecodeError as exc:
        return None, f"it is not valid TOML: {exc}"


PIPELINE_FILE_NAMES = ("dvc.yaml", "dvc.lock", "params.yaml")


def pipeline_files(repo: RepoContext) -> set[str]:
    """Every dvc.yaml and dvc.lock, every params.yaml, and the params files stages name."""
    found = {p for p in repo.file_set if PurePosixPath(p).name in PIPELINE_FILE_NAMES}
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
        _value, problem = _load_toml(file.text)
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
        return value if found is _MISSING else found

    def replace(match: re.Match[str]) -> str:
        found = lookup(context, match.group(1))
        if found is _MISSING or isinstance(found, dict | list):
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
                    if found is not _MISSING:
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
    return sorted(p for p in repo.file_set if PurePosixPath(p).name == "dvc.yaml")


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


# --- dvc.lock ----------------------------------------------------------------------------------


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


# --- where to add a dep ------------------------------------------------------------------------


def _node_at(root: yaml.Node, key: Key) -> yaml.Node | None:
    node = root
    for part in key:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        if node is None:
            return None
    return node


def _last_line(node: yaml.Node) -> int:
    """0-based line of the last character of a node's content."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1])
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _yaml_scalar(path: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*", path):
        return path
    return "'" + path.replace("'", "''") + "'"


def dep_insertion(text: str, stage_key: Key, dep: str) -> tuple[int, int, str] | None:
    """(line, column, text) inserting `dep` as the last item of the stage's `deps` (1-based), creating
    `deps:` after `cmd` when absent. None when the layout is not a plain block mapping/sequence."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    stage = _node_at(root, stage_key) if root is not None else None
    if not isinstance(stage, yaml.MappingNode) or stage.flow_style or not yaml_lines_agree(text):
        return None
    newline = newline_of(text)
    lines = _LINES.split(text)  # the lines yaml marks count (and Span does); [-1] is "" after a final break
    item = _yaml_scalar(dep)
    deps = _node_at(stage, ("deps",))
    if deps is not None:
        if not isinstance(deps, yaml.SequenceNode) or deps.flow_style or not deps.value:
            return None
        last = deps.value[-1]
        source = lines[last.start_mark.line]
        dash = source.rfind("-", 0, last.start_mark.column)
        if dash < 0:
            return None
        at = _last_line(last) + 1
        content = f"{source[:dash]}- {item}"
    else:
        keys = [k for k, _ in stage.value]
        cmd = next((i for i, k in enumerate(keys) if k.value == "cmd"), None)
        if cmd is None:
            return None
        indent = " " * keys[cmd].start_mark.column
        dash = indent
        for key_node, value in stage.value:  # follow the file's sequence style (DVC writes indentless)
            if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                first = value.value[0]
                line = lines[first.start_mark.line]
                position = line.rfind("-", 0, first.start_mark.column)
                if position >= 0:
                    dash = indent + " " * max(0, position - key_node.start_mark.column)
                break
        at = _last_line(stage.value[cmd][1]) + 1
        content = f"{indent}deps:{newline}{dash}- {item}"
    if at >= len(lines):  # after the last line of a file without a final newline
        return len(lines), len(lines[-1]) + 1, newline + content
    return at + 1, 1, content + newline


# --- what a stage script imports and calls -----------------------------------------------------


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
