"""MLE001: experiment folders without an `experiment.yaml`, and the skeleton its fix creates.

The skeleton is the shipped template with what the repository can tell filled in (id = the folder
name, owner and date from the folder's history, HEAD, the dataset pointers of `dvc.yaml` with their
md5s); the rest stays TODO, which MLE002 reports as one warning until a person writes it. A folder
whose name cannot be a valid id gets no fix: the id must equal the folder name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from string import Template

from mlops_lint.context.experiments import DatasetPointer, dataset_pointers, experiment_schema, experiments
from mlops_lint.context.git_facts import folder_histories, head_commit
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, load_yaml
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.fixes import CreateFile, Fix
from mlops_lint.resources import templates_dir
from mlops_lint.rule import RepoRule, Rule


@cache
def _template() -> str:
    return (templates_dir() / "experiment.yaml").read_text(encoding="utf-8")


_PLAIN_ID = re.compile(r"[a-z][a-z0-9._-]*")
_DATASET_BLOCK = re.compile(r"^dataset:\n(?:[ \t]+.*\n)+", re.MULTILINE)


def _plain_string(text: str) -> bool:
    """True when `text` written unquoted reads back as the same string (a slug that is not a bool or null)."""
    if not _PLAIN_ID.fullmatch(text):
        return False
    doc = load_yaml(text)
    return isinstance(doc, YamlDoc) and doc.value == text


def render_metadata(
    experiment_id: str,
    pointers: list[DatasetPointer],
    owner: str | None = None,
    created: str | None = None,
    commit: str | None = None,
) -> str:
    """The template filled with what the repository says; the rest stays TODO (and invalid)."""
    text = Template(_template()).safe_substitute(
        id=experiment_id if _plain_string(experiment_id) else json.dumps(experiment_id),
        name='"TODO: a short title"',
        owner=json.dumps(owner) if owner else '"TODO"',
        hypothesis="TODO: what this experiment tests and the result that would confirm it",
        created=created or '"TODO"',
        commit=commit or "TODO",
        dataset_name="TODO",
        dataset_pointer='"TODO"',
        seed="null  # TODO: the random seed",
        gpu_hours="null  # TODO: the budget",
    )
    if pointers:
        entries = "".join(
            f"  - name: {p.name}\n    pointer: {p.pointer}\n" + (f"    md5: {p.md5}\n" if p.md5 else "")
            for p in pointers
        )
        text = _DATASET_BLOCK.sub(lambda _: "dataset:\n" + entries, text, count=1)
    return text


def _id_check(repo: RepoContext) -> Callable[[str], bool]:
    """Whether a folder name is a valid experiment id under the schema in force (shipped or configured)."""
    schema = experiment_schema(repo)
    id_schema = schema.get("properties", {}).get("id") if isinstance(schema, dict) else None
    if not isinstance(id_schema, dict):
        return lambda name: True
    import jsonschema

    try:
        validator = jsonschema.Draft202012Validator(id_schema)
    except jsonschema.SchemaError:
        return lambda name: True
    return lambda name: validator.is_valid(name)


class ExperimentMetadataMissing(RepoRule):
    code = "MLE001"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        missing = [experiment for experiment in experiments(repo) if experiment.metadata is None]
        if not missing:
            return
        pointers = dataset_pointers(lambda path: repo.file(path).text if repo.has(path) else None)
        histories = folder_histories(repo, [experiment.folder for experiment in missing])
        commit = head_commit(repo)
        valid_id = _id_check(repo)
        for experiment in missing:
            path = experiment.folder + "experiment.yaml"
            if not valid_id(experiment.name):
                # the id must equal the folder name; a folder such as "Bigger Vocab" cannot give a valid one,
                # so a created file would fail at once: the finding stands, without a fix (MLN007 says rename)
                yield self.diagnostic(Location(path=experiment.folder.rstrip("/")), folder=experiment.folder)
                continue
            history = histories.get(experiment.folder)
            content = render_metadata(
                experiment.name,
                pointers,
                owner=history.last_author if history else None,
                created=history.first_date if history else None,
                commit=commit,
            )
            fix = Fix(title=self.fix_title(path=path), edits=(CreateFile(path=path, content=content),))
            yield self.diagnostic(Location(path=experiment.folder.rstrip("/")), fix, folder=experiment.folder)


RULES: list[type[Rule]] = [ExperimentMetadataMissing]
