"""DVC pipelines: a training stage that reads raw data no validation stage has checked (MLD008)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlops_lint.checks.data.pipeline import stage_span
from mlops_lint.context.dvc_pipeline import (
    Stage,
    covers,
    dvc_yaml_files,
    pipeline_stages,
    script_facts,
    stage_scripts,
)
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.rule import RepoRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


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
    reads_outside_files = True
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
                        Location(path=dvc_yaml, span=stage_span(stage.line, stage.column, len(stage.definition))),
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


RULES = [TrainingOnUnvalidatedData]
