"""Rule logic, one module per family (or per library within a family).

`ALL_RULES` is the explicit list the registry reads; each module exports its own `RULES`.
"""

from __future__ import annotations

from mlops_lint.checks import (
    code_quality_pandas,
    code_quality_sklearn,
    code_quality_torch,
    data_files,
    data_pipeline,
    data_pointers,
    experiments,
    experiments_missing,
    experiments_refs,
    experiments_tracking,
    git_history,
    git_hygiene,
    internal,
    naming,
    notebook_code,
    notebook_installs,
    notebooks,
    reproducibility,
    reproducibility_dependencies,
    reproducibility_project,
)
from mlops_lint.rule import Rule

ALL_RULES: list[type[Rule]] = [
    *internal.RULES,
    *naming.RULES,
    *notebooks.RULES,
    *notebook_installs.RULES,
    *code_quality_pandas.RULES,
    *code_quality_torch.RULES,
    *code_quality_sklearn.RULES,
    *reproducibility.RULES,
    *reproducibility_project.RULES,
    *reproducibility_dependencies.RULES,
    *data_files.RULES,
    *data_pointers.RULES,
    *data_pipeline.RULES,
    *experiments_missing.RULES,
    *experiments.RULES,
    *experiments_refs.RULES,
    *experiments_tracking.RULES,
    *notebook_code.RULES,
    *git_history.RULES,
    *git_hygiene.RULES,
]
