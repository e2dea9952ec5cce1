"""Experiment metadata that parsed to a mapping, and positions in it: what the experiment rules
(metadata references, metrics) and the resource-budget rules of the reproducibility family share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint.context.experiments import Experiment, experiments
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Location, Span


def parsed_experiments(repo: RepoContext) -> Iterator[tuple[Experiment, str, YamlDoc, dict[str, Any]]]:
    """Experiments whose metadata parsed to a mapping (the others are the schema rule's business)."""
    for experiment in experiments(repo):
        doc = experiment.doc
        if experiment.metadata and isinstance(doc, YamlDoc) and isinstance(doc.value, dict):
            yield experiment, experiment.metadata, doc, doc.value


def key_location(path: str, doc: YamlDoc, key: tuple[str | int, ...]) -> Location:
    """Where the value at `key` is written in the metadata file."""
    line, column = doc.position_of(key)
    return Location(path=path, span=Span.point(line, column))


def as_number(value: Any) -> float | None:
    """A YAML int or float as a float (a boolean is not a number here)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
