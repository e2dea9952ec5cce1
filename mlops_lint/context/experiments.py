"""Experiment folders and their metadata files, found by the configured convention.

An experiment folder is a folder matching `[tool.mlops-lint.experiments] paths` (default
`experiments/*/`) that holds at least one file; its metadata is `experiment.yaml` (or
`experiment.yml`) inside it, read with the line-marked safe YAML loader (dates stay strings).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml
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


@dataclass(frozen=True, slots=True)
class DatasetPointer:
    """A `.dvc` pointer of data a `dvc.yaml` stage depends on, with the md5 it records (if one)."""

    pointer: str
    md5: str | None

    @property
    def name(self) -> str:
        base = posixpath.basename(self.pointer).removesuffix(".dvc")
        return base.split(".", 1)[0] or base


_MD5 = re.compile(r"^[0-9a-f]{32}(\.dir)?$")


def dataset_pointers(read: Callable[[str], str | None]) -> list[DatasetPointer]:
    """The `.dvc` pointers of the data the root `dvc.yaml` stages depend on, in file order.

    `read(path)` gives a repository file's text or None: the MLE001 fix reads through the run's
    `RepoContext`, `mlops-lint new experiment` from the disk (through `read_inside`), and both get the
    same answer. The md5 is the pointer's single output's, so that a new experiment.yaml pins the
    data it ran on without a person copying hashes.
    """
    text = read("dvc.yaml")
    doc = load_yaml(text) if text is not None else None
    stages = doc.value.get("stages") if isinstance(doc, YamlDoc) and isinstance(doc.value, dict) else None
    found: list[DatasetPointer] = []
    for stage in stages.values() if isinstance(stages, dict) else ():
        deps = stage.get("deps") if isinstance(stage, dict) else None
        for dep in deps if isinstance(deps, list) else ():
            if not isinstance(dep, str) or "${" in dep:
                continue
            path = posixpath.normpath(dep.strip().removeprefix("./")).rstrip("/")
            pointer = path if path.endswith(".dvc") else path + ".dvc"
            if any(known.pointer == pointer for known in found):
                continue
            pointer_text = read(pointer)
            if pointer_text is not None:
                found.append(DatasetPointer(pointer, _single_md5(pointer_text)))
    return found


def _single_md5(text: str) -> str | None:
    doc = load_yaml(text)
    outs = doc.value.get("outs") if isinstance(doc, YamlDoc) and isinstance(doc.value, dict) else None
    if not isinstance(outs, list) or len(outs) != 1 or not isinstance(outs[0], dict):
        return None
    md5 = outs[0].get("md5")
    return md5 if isinstance(md5, str) and _MD5.match(md5) else None
