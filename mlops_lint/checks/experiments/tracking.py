"""Experiment tracking in code and MLflow files: runs without params, MLproject and MLmodel validity."""

from __future__ import annotations

import posixpath
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mlops_lint.context.pyutil import keyword, qualified_names
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import PathRule, PythonRule, Rule

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.files import FileContext
    from mlops_lint.context.repo import RepoContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy

# --- MLE006: tracking run without params ----------------------------------------------------

_MLFLOW_START = "mlflow.start_run"
_MLFLOW_METRICS = frozenset({"mlflow.log_metric", "mlflow.log_metrics"})
_MLFLOW_PARAMS = frozenset({"mlflow.log_param", "mlflow.log_params", "mlflow.autolog"})
_PARAM_METHODS = frozenset({"log_param", "log_params", "autolog"})


class TrackingRunWithoutParams(PythonRule):
    """Module-level: a run that logs metrics while nothing in the module records its parameters.
    A run that logs no metrics (a W&B data-preprocessing run that only logs artifacts, a test
    fixture handing a run to a logger callback) has no result that parameters would explain."""

    code = "MLE006"
    triggers = ("mlflow", "wandb", "dvclive")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mlflow_runs: list[cst.Call] = []
        self.mlflow_metrics = False
        self.wandb_inits: list[cst.Call] = []
        self.wandb_runs: set[str] = set()  # names bound to a wandb.init() run
        self.wandb_metrics = False
        self.lives: list[cst.Call] = []
        self.metric_methods = False
        self.params_logged = False
        self.config_touched = False

    def visit_Call(self, node: cst.Call) -> None:
        names = qualified_names(self, node.func)
        if _MLFLOW_START in names:
            self.mlflow_runs.append(node)
        if names & _MLFLOW_METRICS:
            self.mlflow_metrics = True
        if names & _MLFLOW_PARAMS or any(n.startswith("mlflow.") and n.endswith(".autolog") for n in names):
            self.params_logged = True
        unconfigured = keyword(node, "config") is None and not any(arg.star == "**" for arg in node.args)
        if "wandb.init" in names and unconfigured:
            self.wandb_inits.append(node)
        if any(n.startswith("wandb.") and n.endswith((".log", ".summary.update")) for n in names):
            self.wandb_metrics = True
        receiver = node.func.value if isinstance(node.func, cst.Attribute) else None
        if isinstance(receiver, cst.Name) and receiver.value in self.wandb_runs and node.func.attr.value == "log":
            self.wandb_metrics = True  # run.log({...}) on a run from wandb.init()
        if "dvclive.Live" in names or "dvclive.live.Live" in names:
            self.lives.append(node)
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            if method in _PARAM_METHODS:
                # a client, run or Live object logging params (receiver not resolved): enough to stay silent
                self.params_logged = True
            elif method in ("log_metric", "log_metrics"):
                self.metric_methods = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # wandb.config.update(...), wandb.config[k] = v, wandb.config.x = v, run.config...: params are recorded
        if node.attr.value == "config":
            self.config_touched = True
        # wandb.summary[k] = v, run.summary[k] = v: metrics are recorded
        receiver = node.value
        if node.attr.value == "summary" and isinstance(receiver, cst.Name):
            self.wandb_metrics |= receiver.value in self.wandb_runs or "wandb" in qualified_names(self, receiver)

    def _bind_run(self, target: cst.BaseExpression | None, value: cst.BaseExpression) -> None:
        if (
            isinstance(target, cst.Name)
            and isinstance(value, cst.Call)
            and "wandb.init" in qualified_names(self, value.func)
        ):
            self.wandb_runs.add(target.value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_run(target.target, node.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._bind_run(node.asname.name if node.asname else None, node.item)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.params_logged:
            return
        if self.mlflow_metrics:
            for call in self.mlflow_runs:
                self.report(call, tool="MLflow", start="mlflow.start_run()")
        if not self.config_touched and self.wandb_metrics:  # an artifact-only run has no params to record
            for call in self.wandb_inits:
                self.report(call, tool="W&B", start="wandb.init()")
        if self.metric_methods:
            for call in self.lives:
                self.report(call, tool="DVCLive", start="Live()")


# --- MLE007: MLproject / MLmodel validity ---------------------------------------------------

_PROJECT_KEYS = ("name", "entry_points", "conda_env", "python_env", "docker_env", "databricks_spark_job")
_ENV_KEYS = ("conda_env", "python_env", "docker_env")
_PARAM_TYPES = ("string", "float", "path", "uri")
_ALLOWED_TYPES = ", ".join(_PARAM_TYPES)


def _placeholders(command: str) -> list[str] | None:
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(command) if field]
    except ValueError:
        return None
    names = []
    for field in fields:
        name = field.split(".", 1)[0].split("[", 1)[0]
        if name and name not in names:
            names.append(name)
    return names


def _project_problems(doc: YamlDoc, folder: str, repo: RepoContext) -> Iterator[tuple[tuple[Any, ...], str]]:
    value = doc.value
    for key in value:
        if key not in _PROJECT_KEYS:
            yield (key,), f"unknown top-level key '{key}' (allowed: {', '.join(_PROJECT_KEYS)})"
    envs = [key for key in _ENV_KEYS if key in value]
    for extra in envs[1:]:
        yield (extra,), f"'{extra}' given together with '{envs[0]}'; a project declares only one environment"
    for key in ("conda_env", "python_env"):
        env = value.get(key)
        if isinstance(env, str) and "://" not in env:
            target = posixpath.normpath(posixpath.join(folder, env))
            if not repo.has(target):
                yield (key,), f"{key} file '{env}' does not exist"
    docker = value.get("docker_env")
    if "docker_env" in value and not (isinstance(docker, dict) and docker.get("image")):
        yield ("docker_env",), "docker_env has no 'image'"
    entry_points = value.get("entry_points")
    if not isinstance(entry_points, dict):
        return
    for name, entry in entry_points.items():
        if not isinstance(entry, dict):
            continue
        params = entry.get("parameters") or {}
        if not isinstance(params, dict):
            continue
        for param, spec in params.items():
            kind, where = None, ("entry_points", name, "parameters", param)
            if isinstance(spec, str):
                kind = spec
            elif isinstance(spec, dict) and "type" in spec:
                kind, where = spec["type"], (*where, "type")
            if kind is not None and kind not in _PARAM_TYPES:
                yield (
                    where,
                    f"parameter '{param}' of entry point '{name}' has type '{kind}' (allowed: {_ALLOWED_TYPES})",
                )
        command = entry.get("command")
        if isinstance(command, str):
            for placeholder in _placeholders(command) or ():
                if placeholder not in params:
                    yield (
                        ("entry_points", name, "command"),
                        f"command of entry point '{name}' uses {{{placeholder}}}, which is not a declared parameter",
                    )


def _model_problems(doc: YamlDoc) -> Iterator[tuple[tuple[Any, ...], str]]:
    flavors = doc.value.get("flavors")
    if not isinstance(flavors, dict) or not flavors:
        yield ("flavors",) if "flavors" in doc.value else (), "no 'flavors' (the model cannot be loaded)"
        return
    pyfunc = flavors.get("python_function")
    if "python_function" in flavors and not (isinstance(pyfunc, dict) and pyfunc.get("loader_module")):
        yield ("flavors", "python_function"), "python_function flavor has no 'loader_module'"


class MlflowProjectOrModelInvalid(PathRule):
    code = "MLE007"

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        name = posixpath.basename(file.path)
        if name not in ("MLproject", "MLmodel"):
            return
        doc = repo.yaml(file.path)
        if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
            return  # unparsable YAML is another rule's finding
        if name == "MLproject":
            problems = _project_problems(doc, posixpath.dirname(file.path), repo)
        else:
            problems = _model_problems(doc)
        for key, problem in problems:
            line, column = doc.position_of(key)
            yield self.diagnostic(Location(path=file.path, span=Span.point(line, column)), file=name, problem=problem)


RULES: list[type[Rule]] = [TrackingRunWithoutParams, MlflowProjectOrModelInvalid]
