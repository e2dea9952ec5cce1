"""The data family: DVC pointers and pipelines, Git LFS, and (opt-in) workspace data against its pointers."""

from __future__ import annotations

from mlops_lint.checks.data import lfs, lock, pipeline, pointers, raw_data, validation, workspace
from mlops_lint.rule import Rule

RULES: list[type[Rule]] = [
    *pointers.RULES,
    *lfs.RULES,
    *workspace.RULES,
    *pipeline.RULES,
    *lock.RULES,
    *validation.RULES,
    *raw_data.RULES,
]
