"""Rule logic, one package per family (the catalogue's `family:` words).

`ALL_RULES` is the explicit list the registry reads; each module exports its own `RULES`.
"""

from __future__ import annotations

from mlops_lint.checks.code_quality import dataframes as code_quality_pandas
from mlops_lint.checks.code_quality import estimators as code_quality_sklearn
from mlops_lint.checks.code_quality import training_loops as code_quality_torch
from mlops_lint.checks.data import pointers as data_pointers
from mlops_lint.checks.data import raw_data as data_pipeline
from mlops_lint.checks.data import workspace as data_files
from mlops_lint.checks.experiments import metadata as experiments
from mlops_lint.checks.experiments import missing as experiments_missing
from mlops_lint.checks.experiments import references as experiments_refs
from mlops_lint.checks.experiments import tracking as experiments_tracking
from mlops_lint.checks.git_history import credentials as git_hygiene
from mlops_lint.checks.git_history import history as git_history
from mlops_lint.checks.internal import inputs as internal
from mlops_lint.checks.naming import modules as naming
from mlops_lint.checks.notebooks import cell_code as notebook_code
from mlops_lint.checks.notebooks import installs as notebook_installs
from mlops_lint.checks.notebooks import validity as notebooks
from mlops_lint.checks.reproducibility import dependencies as reproducibility_dependencies
from mlops_lint.checks.reproducibility import global_seed as reproducibility_project
from mlops_lint.checks.reproducibility import training_code as reproducibility
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
