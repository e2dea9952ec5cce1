"""DVC pipelines: stage code in deps (MLD005), params defined (MLD006), pipeline files DVC can read
(MLD015). The other pipeline rules (dvc.lock, validation, raw data) have modules of their own."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mlops_lint.context.dvc_pipeline import (
    Stage,
    covers,
    dep_insertion,
    dvc_yaml_files,
    is_missing,
    lookup,
    params_file,
    pipeline_file_problem,
    pipeline_files,
    pipeline_stages,
    stage_scripts,
)
from mlops_lint.context.dvc_schema import DVC_SCHEMA_FILES, dvc_schema_problems
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import Applicability, Fix, TextEdit
from mlops_lint.rule import RepoRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


def stage_span(line: int, column: int, width: int = 1) -> Span:
    """`width` columns from a pipeline entry's position (0: an insertion point)."""
    return Span(start_line=line, start_col=column, end_line=line, end_col=column + width)


class StageCodeNotInDeps(RepoRule):
    reads_outside_files = True
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
                        Location(path=dvc_yaml, span=stage_span(stage.cmd_line, stage.cmd_column, 3)),
                        None if stage.generated else self._fix(dvc_yaml, text, stage, declared),
                        stage=stage.definition if stage.generated else stage.name,
                        script=script,
                    )

    def _fix(self, path: str, text: str, stage: Stage, declared: str) -> Fix | None:
        insertion = dep_insertion(text, stage.key, declared)
        if insertion is None:
            return None
        line, column, content = insertion
        edit = TextEdit(path=path, span=stage_span(line, column, 0), content=content)
        return Fix(title=self.fix_title(path=declared), edits=(edit,), applicability=Applicability.SAFE)


class StageParamUndefined(RepoRule):
    reads_outside_files = True
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
                        Location(path=dvc_yaml, span=stage_span(ref.line, ref.column)),
                        stage=stage.definition if stage.generated else stage.name,
                        param=ref.key if ref.key is not None else f"{ref.declared_file}:",
                        problem=problem,
                    )


class PipelineFileUnreadable(RepoRule):
    """dvc.yaml, dvc.lock and params files DVC cannot read: the other pipeline rules skip them
    (they cannot say anything about a file they cannot read), so without this one a broken
    pipeline file would pass silently. dvc.yaml and dvc.lock are also held to DVC's own schema,
    which DVC runs on them before anything else."""

    reads_outside_files = True
    code = "MLD015"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for path in sorted(pipeline_files(repo)):
            if path not in repo.targets:
                continue
            found = pipeline_file_problem(repo, path)
            if found is not None:
                problem, line, column = found
                yield self.diagnostic(Location(path=path, span=stage_span(line, column)), problem=problem)
                continue
            doc = repo.yaml(path) if posixpath.basename(path) in DVC_SCHEMA_FILES else None
            if isinstance(doc, YamlDoc):  # readable: now what DVC's own schema refuses
                for refused in dvc_schema_problems(doc, DVC_SCHEMA_FILES[posixpath.basename(path)]):
                    location = Location(path=path, span=stage_span(refused.line, refused.column))
                    yield self.diagnostic(location, problem=refused.message)


RULES = [StageCodeNotInDeps, StageParamUndefined, PipelineFileUnreadable]
