"""DVC pipelines: stage code in deps, params defined, dvc.lock fresh, training on validated data,
raw data never written by code, pipeline files DVC can read."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.checks.pyutil import keyword, positional, qualified_names, string_value
from mlops_lint.context.dvc_pipeline import (
    EOLS,
    LockStage,
    Stage,
    covers,
    dep_insertion,
    dvc_yaml_files,
    is_missing,
    join,
    lock_stages,
    lookup,
    params_file,
    pipeline_file_problem,
    pipeline_files,
    pipeline_stages,
    script_facts,
    stage_scripts,
    workspace_md5,
)
from mlops_lint.context.dvc_schema import DVC_SCHEMA_FILES, dvc_schema_problems
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import Applicability, Fix, TextEdit
from mlops_lint.rule import PythonRule, RepoRule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


def _span(line: int, column: int, width: int = 1) -> Span:
    return Span(start_line=line, start_col=column, end_line=line, end_col=column + width)


class StageCodeNotInDeps(RepoRule):
    code = "MLD005"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for dvc_yaml in dvc_yaml_files(repo):
            if dvc_yaml not in repo.targets:
                continue
            text = repo.file(dvc_yaml).text or ""
            seen: set[tuple[str, str]] = set()
            for stage in pipeline_stages(repo, dvc_yaml):
                if stage.unresolved:  # a `${...}` dep that cannot be resolved may be the script
                    continue
                for _command, script in stage_scripts(repo, stage):
                    if any(covers(dep.path, script) for dep in stage.deps) or (stage.definition, script) in seen:
                        continue
                    seen.add((stage.definition, script))
                    declared = posixpath.relpath(script, stage.wdir or ".")
                    yield self.diagnostic(
                        Location(path=dvc_yaml, span=_span(stage.cmd_line, stage.cmd_column, 3)),
                        None if stage.generated else self._fix(dvc_yaml, text, stage, declared),
                        stage=stage.definition if stage.generated else stage.name,
                        script=script,
                    )

    def _fix(self, path: str, text: str, stage: Stage, declared: str) -> Fix | None:
        insertion = dep_insertion(text, stage.key, declared)
        if insertion is None:
            return None
        line, column, content = insertion
        edit = TextEdit(path=path, span=_span(line, column, 0), content=content)
        return Fix(title=self.fix_title(path=declared), edits=(edit,), applicability=Applicability.SAFE)


class StageParamUndefined(RepoRule):
    code = "MLD006"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for dvc_yaml in dvc_yaml_files(repo):
            if dvc_yaml not in repo.targets:
                continue
            seen: set[tuple[str, str, str | None, int]] = set()
            for stage in pipeline_stages(repo, dvc_yaml):
                for ref in stage.params:
                    key = (stage.definition, ref.file, ref.key, ref.line)
                    if key in seen:
                        continue
                    loaded = params_file(repo, ref.file)
                    if loaded is None:
                        problem = f"{ref.file} does not exist"
                    elif not loaded.readable or ref.key is None or not is_missing(lookup(loaded.value, ref.key)):
                        continue
                    else:
                        problem = f"{ref.file} has no such key"
                    seen.add(key)
                    yield self.diagnostic(
                        Location(path=dvc_yaml, span=_span(ref.line, ref.column)),
                        stage=stage.definition if stage.generated else stage.name,
                        param=ref.key if ref.key is not None else f"{ref.declared_file}:",
                        problem=problem,
                    )


def _normal(declared: str) -> str:
    return posixpath.normpath(declared)


class DvcLockStale(RepoRule):
    code = "MLD007"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        limit = int(self.options.get("max-hash-size", 10 * 1024 * 1024))
        for dvc_yaml in dvc_yaml_files(repo):
            folder = posixpath.dirname(dvc_yaml)
            lock_path = join(folder, "dvc.lock") or "dvc.lock"
            lock = lock_stages(repo, lock_path) if repo.has(lock_path) else None
            if lock is None or not ({dvc_yaml, lock_path} & set(repo.targets)):
                continue
            stages = pipeline_stages(repo, dvc_yaml)
            for stage in stages:
                locked = lock.get(stage.name) if stage.expanded else None
                if locked is not None:  # a stage never reproduced is not in the lock: not reported
                    for path, line, column, reason in self._stage(repo, stage, locked, lock_path, dvc_yaml, limit):
                        yield self._finding(path, line, column, stage.name, reason)
            doc = repo.yaml(dvc_yaml)
            declared = doc.value.get("stages") if isinstance(getattr(doc, "value", None), dict) else None
            definitions = {str(name) for name in declared} if isinstance(declared, dict) else set()
            for name, locked in lock.items():
                if name.split("@", 1)[0] not in definitions:
                    yield self._finding(
                        lock_path, locked.line, locked.column, name, "the stage is no longer in dvc.yaml"
                    )

    def _finding(self, path: str, line: int, column: int, stage: str, reason: str) -> Diagnostic:
        return self.diagnostic(Location(path=path, span=_span(line, column)), stage=stage, reason=reason)

    def _stage(
        self, repo: RepoContext, stage: Stage, locked: LockStage, lock_path: str, dvc_yaml: str, limit: int
    ) -> Iterator[tuple[str, int, int, str]]:
        templated = any("${" in c for c in stage.commands)
        if locked.commands is not None and not templated and locked.commands != stage.commands:
            yield lock_path, locked.cmd_line, locked.cmd_column, "cmd differs from dvc.yaml"
        for section, ours, theirs in (("deps", stage.deps, locked.deps), ("outs", stage.outs, locked.outs)):
            if stage.unresolved:
                break
            yaml_paths = {_normal(e.declared): e for e in ours}
            lock_paths = {_normal(p): e for p, e in theirs.items()}
            for path, entry in sorted(yaml_paths.items()):
                if path not in lock_paths:
                    yield dvc_yaml, entry.line, entry.column, f"{section[:-1]} {path} of dvc.yaml is not in dvc.lock"
            for path, lock_entry in sorted(lock_paths.items()):
                if path not in yaml_paths:
                    yield (
                        lock_path,
                        lock_entry.line,
                        lock_entry.column,
                        f"{section[:-1]} {path} is no longer in dvc.yaml",
                    )
        for declared, lock_entry in sorted(locked.deps.items()):
            path = join(stage.wdir, declared)
            if path is None or not repo.has(path) or not lock_entry.md5 or lock_entry.md5.endswith(".dir"):
                continue
            current = workspace_md5(repo, path, limit, "lf" if lock_entry.legacy else "raw")
            if current is None or current == lock_entry.md5:
                continue
            # the same text checked out with other line endings (a lock written on Windows) is not stale
            if lock_entry.md5 not in {workspace_md5(repo, path, limit, eol) for eol in EOLS}:
                yield (
                    lock_path,
                    lock_entry.md5_line,
                    lock_entry.md5_column,
                    f"md5 of {path} ({lock_entry.md5[:8]}…) differs from the workspace",
                )
        for line, column, reason, in_lock in self._params(repo, stage, locked):
            yield (lock_path if in_lock else dvc_yaml), line, column, reason

    @staticmethod
    def _params(repo: RepoContext, stage: Stage, locked: LockStage) -> Iterator[tuple[int, int, str, bool]]:
        for file, values in sorted(locked.params.items()):
            path = join(stage.wdir, file)
            loaded = params_file(repo, path) if path is not None else None
            if loaded is None or not loaded.readable:
                continue
            for key, (value, line, column) in sorted(values.items()):
                current = lookup(loaded.value, key)
                if is_missing(current):
                    yield line, column, f"param {key} is no longer in {file}", True
                elif current != value:  # as DVC compares them (1 == 1.0)
                    yield (
                        line,
                        column,
                        f"param {key} is {_show(value)} in dvc.lock but {_show(current)} in {file}",
                        True,
                    )
        for ref in stage.params:
            if ref.key is None:
                continue
            file = posixpath.relpath(ref.file, stage.wdir or ".")
            if file in locked.params and ref.key not in locked.params[file]:
                yield ref.line, ref.column, f"param {ref.key} of dvc.yaml is not in dvc.lock", False


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


# --- MLD008 ------------------------------------------------------------------------------------

_TRAIN_NAME = re.compile(r"train|fit", re.IGNORECASE)
_DATA_STAGE_NAME = re.compile(r"prep|split|data|feature|process|clean|load|download|fetch|ingest", re.IGNORECASE)
_VALIDATION_NAME = re.compile(r"validat|check|schema|expect", re.IGNORECASE)
_ESTIMATOR_LIBRARIES = frozenset(
    {"sklearn", "xgboost", "lightgbm", "catboost", "torch", "tensorflow", "keras", "statsmodels", "lightning"}
)
_VALIDATOR_LIBRARIES = frozenset(
    {"pandera", "great_expectations", "pydantic", "deepchecks", "tensorflow_data_validation", "evidently"}
)


def raw_folder_of(path: str, folders: tuple[str, ...]) -> str | None:
    """The raw folder (`data/raw`) a repo path lies in, at the root or below a project folder."""
    for folder in folders:
        if path == folder or path.startswith(folder + "/") or f"/{folder}/" in f"/{path}/":
            return folder
    return None


class TrainingOnUnvalidatedData(RepoRule):
    code = "MLD008"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        folders = tuple(f.strip("/") for f in self.options.get("raw-folders", ["data/raw", "data/external"]))
        for dvc_yaml in dvc_yaml_files(repo):
            if dvc_yaml not in repo.targets:
                continue
            stages = pipeline_stages(repo, dvc_yaml)
            if any(s.unresolved for s in stages):
                continue  # a link of the graph (or a validation stage) may be hidden in a placeholder
            validating = {s.name: self._validates(repo, s) for s in stages}
            for stage in stages:
                if not self._trains(repo, stage) or validating[stage.name]:
                    continue
                upstream = self._upstream(stage, stages)
                if any(validating[s.name] for s in upstream):
                    continue
                raw = sorted(d.path for s in (stage, *upstream) for d in s.deps if raw_folder_of(d.path, folders))
                if raw:
                    yield self.diagnostic(
                        Location(path=dvc_yaml, span=_span(stage.line, stage.column, len(stage.definition))),
                        stage=stage.name,
                        path=raw[0],
                    )

    @staticmethod
    def _upstream(stage: Stage, stages: list[Stage]) -> list[Stage]:
        found: list[Stage] = []
        queue = [stage]
        while queue:
            current = queue.pop()
            for other in stages:
                if other is stage or other in found:
                    continue
                if any(covers(o.path, d.path) or covers(d.path, o.path) for d in current.deps for o in other.outs):
                    found.append(other)
                    queue.append(other)
        return found

    @staticmethod
    def _trains(repo: RepoContext, stage: Stage) -> bool:
        if _TRAIN_NAME.search(stage.definition) and not _DATA_STAGE_NAME.search(stage.definition):
            return True
        for _command, script in stage_scripts(repo, stage):
            facts = script_facts(repo, script)
            if facts and facts.imports & _ESTIMATOR_LIBRARIES and "fit" in facts.method_calls:
                return True
        return False

    @staticmethod
    def _validates(repo: RepoContext, stage: Stage) -> bool:
        if _VALIDATION_NAME.search(stage.definition):
            return True
        for _command, script in stage_scripts(repo, stage):
            facts = script_facts(repo, script)
            if facts and (facts.imports & _VALIDATOR_LIBRARIES or "validate" in facts.method_calls):
                return True
        return False


# --- MLD009 ------------------------------------------------------------------------------------

_ACQUISITION = re.compile(r"fetch|download|ingest|acquire", re.IGNORECASE)
_FRAME_WRITERS = frozenset({"to_csv", "to_parquet", "to_json", "to_pickle", "to_feather", "to_excel", "to_hdf"})
_FRAME_PATH_KEYWORDS = ("path_or_buf", "path", "excel_writer")
_FIRST_ARG_WRITERS = {
    "numpy.save": "file",
    "numpy.savez": "file",
    "numpy.savez_compressed": "file",
    "numpy.savetxt": "fname",
}
_SECOND_ARG_WRITERS = {
    "shutil.copy": "dst",
    "shutil.copy2": "dst",
    "shutil.copyfile": "dst",
    "shutil.copytree": "dst",
    "shutil.move": "dst",
    "joblib.dump": "filename",
}
_OPENERS = frozenset({"builtins.open", "io.open"})
_PATH_TYPES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
_ROOT = "<root>"  # a project root computed from __file__
_UNKNOWN = "*"
MAX_CONSTANT_DEPTH = 32


def _argument(call: cst.Call, index: int, name: str) -> cst.BaseExpression | None:
    found = keyword(call, name)
    if found is not None:
        return found.value
    args = positional(call)
    return args[index].value if len(args) > index else None


def _writes_mode(call: cst.Call, index: int) -> bool:
    mode = _argument(call, index, "mode")
    value = string_value(mode) if mode is not None else "r"
    return value is not None and any(flag in value for flag in "wax+")


class RawDataMutated(PythonRule):
    code = "MLD009"
    triggers = ("raw", "external")

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A writing call, and a string holding a raw folder's name (paths are built from strings)."""
        folders = options.get("raw-folders", ["data/raw", "data/external"])
        writers = {*_FIRST_ARG_WRITERS, *_SECOND_ARG_WRITERS, "open", "write_text", "write_bytes", *_FRAME_WRITERS}
        if not index.call_tails & {name.rsplit(".", 1)[-1] for name in writers}:
            return False
        return index.strings_containing(folder.strip("/").rsplit("/", 1)[-1] for folder in folders)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        folders = options.get("raw-folders", ["data/raw", "data/external"])
        return any(folder.strip("/").rsplit("/", 1)[-1] in text for folder in folders)

    def visit_Module(self, node: cst.Module) -> None:
        self.folders = tuple(f.strip("/") for f in self.options.get("raw-folders", ["data/raw", "data/external"]))
        stem = posixpath.splitext(posixpath.basename(self.context.path))[0]
        self.exempt = bool(_ACQUISITION.search(stem))
        self.constants: dict[str, cst.BaseExpression | None] = {}
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                if isinstance(target, cst.Name):  # assigned twice at module level: not a constant
                    self.constants[target.value] = None if target.value in self.constants else value

    def visit_Call(self, node: cst.Call) -> None:
        if self.exempt:
            return
        target = self._target(node)
        if target is None:
            return
        path = self._evaluate(target, 0)
        if path is None:
            return
        parts = [p for p in path.split("/") if p not in ("", ".", "..", _ROOT)]
        normal = "/".join(parts)
        for folder in self.folders:
            if normal == folder or normal.startswith(folder + "/"):
                self.report(node, folder=folder)
                return

    def _target(self, call: cst.Call) -> cst.BaseExpression | None:
        names = qualified_names(self, call.func)
        if names & _OPENERS:
            return _argument(call, 0, "file") if _writes_mode(call, 1) else None
        for name, keyword_name in _FIRST_ARG_WRITERS.items():
            if name in names:
                return _argument(call, 0, keyword_name)
        for name, keyword_name in _SECOND_ARG_WRITERS.items():
            if name in names:
                return _argument(call, 1, keyword_name)
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in _FRAME_WRITERS:
                for name in _FRAME_PATH_KEYWORDS:
                    found = keyword(call, name)
                    if found is not None:
                        return found.value
                args = positional(call)
                return args[0].value if args else None
            if method in ("write_text", "write_bytes") or (method == "open" and _writes_mode(call, 0)):
                receiver = call.func.value
                return receiver if self._evaluate(receiver, 0) is not None else None
        return None

    def _evaluate(self, node: cst.BaseExpression, depth: int) -> str | None:
        """The path an expression denotes, `*` for unknown parts; None if it is not a path at all."""
        if depth > MAX_CONSTANT_DEPTH:
            return None
        if isinstance(node, cst.SimpleString):
            value = string_value(node)
            return value if value is not None and "://" not in value else None
        if isinstance(node, cst.FormattedString):
            return "".join(part.value if isinstance(part, cst.FormattedStringText) else _UNKNOWN for part in node.parts)
        if isinstance(node, cst.ConcatenatedString):
            left, right = self._evaluate(node.left, depth + 1), self._evaluate(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.Name):
            if node.value == "__file__":
                return _ROOT
            value = self.constants.get(node.value)
            return self._evaluate(value, depth + 1) if value is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            left = self._evaluate(node.left, depth + 1)
            if left is None:
                return None
            right = self._evaluate(node.right, depth + 1)
            return f"{left}/{right if right is not None else _UNKNOWN}"
        if isinstance(node, cst.Attribute) and node.attr.value in ("parent", "parents"):
            base = self._evaluate(node.value, depth + 1)
            return _ROOT if base == _ROOT else None
        if isinstance(node, cst.Subscript):
            base = self._evaluate(node.value, depth + 1)
            return _ROOT if base == _ROOT else None
        if isinstance(node, cst.Call):
            return self._evaluate_call(node, depth)
        return None

    def _evaluate_call(self, node: cst.Call, depth: int) -> str | None:
        names = qualified_names(self, node.func)
        if names & _PATH_TYPES or "os.path.join" in names:
            args = positional(node)
            if not args:
                return "."
            parts = [self._evaluate(arg.value, depth + 1) for arg in args]
            if parts[0] is None:
                return None
            return "/".join(part if part is not None else _UNKNOWN for part in parts)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("resolve", "absolute"):
            base = self._evaluate(node.func.value, depth + 1)
            return _ROOT if base == _ROOT else base
        return None


class PipelineFileUnreadable(RepoRule):
    """dvc.yaml, dvc.lock and params files DVC cannot read: the other pipeline rules skip them
    (they cannot say anything about a file they cannot read), so without this one a broken
    pipeline file would pass silently. dvc.yaml and dvc.lock are also held to DVC's own schema,
    which DVC runs on them before anything else."""

    code = "MLD015"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for path in sorted(pipeline_files(repo)):
            if path not in repo.targets:
                continue
            found = pipeline_file_problem(repo, path)
            if found is not None:
                problem, line, column = found
                yield self.diagnostic(Location(path=path, span=_span(line, column)), problem=problem)
                continue
            doc = repo.yaml(path) if posixpath.basename(path) in DVC_SCHEMA_FILES else None
            if isinstance(doc, YamlDoc):  # readable: now what DVC's own schema refuses
                for refused in dvc_schema_problems(doc, DVC_SCHEMA_FILES[posixpath.basename(path)]):
                    location = Location(path=path, span=_span(refused.line, refused.column))
                    yield self.diagnostic(location, problem=refused.message)


RULES = [
    StageCodeNotInDeps,
    StageParamUndefined,
    DvcLockStale,
    TrainingOnUnvalidatedData,
    RawDataMutated,
    PipelineFileUnreadable,
]
