"""Experiment folders and their metadata files, found by the configured convention.

An experiment folder is a folder matching `[tool.mlops-lint.experiments] paths` (default
`experiments/*/`) that holds at least one file; its metadata is `experiment.yaml` (or
`experiment.yml`) inside it, read with the line-marked safe YAML loader (dates stay strings).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem
from mlops_lint.globs import gitignore_spec
from mlops_lint.resources import templates_dir

METADATA_NAMES = ("experiment.yaml", "experiment.yml")


@dataclass(frozen=True, slots=True)
class Experiment:
    folder: str  # "experiments/exp-001-baseline/" (trailing slash)
    metadata: str | None  # repo-relative path of its experiment.yaml, if any
    doc: YamlDoc | YamlProblem | None  # the parsed metadata (None when there is no file or no text)

    @property
    def name(self) -> str:
        return self.folder.rstrip("/").rsplit("/", 1)[-1]


def experiments(repo: RepoContext) -> list[Experiment]:
    """Every experiment folder of the repository, in path order."""
    spec = gitignore_spec(repo.config.experiment_paths)
    found: list[Experiment] = []
    for folder in repo.dirs:
        if not spec.match_file(folder):
            continue
        metadata = next((folder + name for name in METADATA_NAMES if repo.has(folder + name)), None)
        found.append(Experiment(folder, metadata, repo.yaml(metadata) if metadata else None))
    return found


def experiment_schema(repo: RepoContext) -> dict[str, Any] | str:
    """The JSON Schema experiments are validated against, or a message saying why it is unusable."""
    configured = repo.config.experiment_schema
    if configured is None:
        return json.loads((templates_dir() / "experiment.schema.json").read_text(encoding="utf-8"))
    text = repo.file(configured).text if repo.has(configured) else None
    if text is None:
        return f"the schema {configured} named in [tool.mlops-lint.experiments] cannot be read"
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"the schema {configured} is not valid JSON ({exc})"
    return loaded if isinstance(loaded, dict) else f"the schema {configured} is not a JSON object"
