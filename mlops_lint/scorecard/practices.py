"""The practices a scorecard scores, the rule families each one reads, and what each one is measured by.

A practice is scored against what the repository has of it (its *size*): a finding in a repository of
three hundred Python files weighs less than the same finding in a repository of three. The size is
counted from the files the run looked at, never from rule codes, so a new rule of a family counts
for its practice without touching this module.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from mlops_lint.context.experiments import experiments
from mlops_lint.context.files import FileKind, classify
from mlops_lint.context.lfs import lfs_attributes
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Family

_DEPENDENCY_FILE = re.compile(r"^(requirements[\w.-]*\.(txt|in)|(environment|conda)[\w.-]*\.ya?ml|pyproject\.toml)$")
_PIPELINE_FILES = {"dvc.yaml", "dvc.yml", "dvc.lock"}
_EXPERIMENT_FILES = {"MLproject", "MLmodel"}


@dataclass(frozen=True, slots=True)
class Practice:
    """One row of the scorecard."""

    id: str
    title: str
    short: str  # for chart labels, which have room for about 20 characters on a phone
    families: tuple[Family, ...]
    measures: tuple[str, ...]  # keys of `inventory()` whose sum is the practice's size
    question: str  # what the score answers, shown under the title


PRACTICES: tuple[Practice, ...] = (
    Practice(
        "naming",
        "Naming conventions",
        "Naming",
        (Family.NAMING,),
        ("files",),
        "Can people find and import things by their names?",
    ),
    Practice(
        "code-quality",
        "Code quality",
        "Code quality",
        (Family.CODE_QUALITY,),
        ("python", "notebooks"),
        "Is the ML code free of known smells and bugs (ruff's findings included)?",
    ),
    Practice(
        "experiments",
        "Experiment tracking",
        "Experiments",
        (Family.EXPERIMENTS,),
        ("experiments",),
        "Does each experiment record what was tried, on which data and code?",
    ),
    Practice(
        "data",
        "Data versioning and validation",
        "Data",
        (Family.DATA,),
        ("pointers",),
        "Are data and pipelines versioned, consistent and validated?",
    ),
    Practice(
        "reproducibility",
        "Reproducibility and resources",
        "Reproducibility",
        (Family.REPRODUCIBILITY,),
        ("python", "notebooks", "dependency_files", "experiments"),
        "Would a rerun give the same result on another machine, within budget?",
    ),
    Practice(
        "git-hygiene",
        "Git hygiene",
        "Git hygiene",
        (Family.GIT_HISTORY,),
        ("files",),
        "Does git hold code, not models, data, run output or secrets?",
    ),
    Practice(
        "notebooks",
        "Notebooks",
        "Notebooks",
        (Family.NOTEBOOKS,),
        ("notebooks",),
        "Do the notebooks run top to bottom and stay small in git?",
    ),
)

BY_FAMILY: Mapping[Family, Practice] = {family: p for p in PRACTICES for family in p.families}

MEASURE_LABELS: Mapping[str, str] = {
    "files": "files",
    "python": "Python files",
    "notebooks": "notebooks",
    "experiments": "experiments",
    "pointers": "data pointers and pipeline files",
    "dependency_files": "dependency files",
}


def inventory(repo: RepoContext) -> dict[str, int]:
    """How much of each thing the linted files hold: the denominators of the scores.

    `pointers` counts `.dvc` pointers, `dvc.yaml`/`dvc.lock` and files git-lfs stores; `experiments`
    counts experiment folders (the configured convention) plus MLflow `MLproject`/`MLmodel` files."""
    targets = sorted(repo.targets)
    kinds = [classify(path) for path in targets]
    names = [posixpath.basename(path) for path in targets]
    lfs = lfs_attributes(repo)
    in_scope = set(targets)
    folders = [e for e in experiments(repo) if any(p.startswith(e.folder) for p in in_scope)]
    return {
        "files": len(targets),
        "python": sum(kind is FileKind.PYTHON for kind in kinds),
        "notebooks": sum(kind is FileKind.NOTEBOOK for kind in kinds),
        "experiments": len(folders) + sum(name in _EXPERIMENT_FILES for name in names),
        "pointers": sum(
            kind is FileKind.DVC or name in _PIPELINE_FILES or lfs.rule_for(path) is not None
            for path, kind, name in zip(targets, kinds, names, strict=True)
        ),
        "dependency_files": sum(bool(_DEPENDENCY_FILE.match(name)) for name in names),
    }
