"""Agreement with the formats' own tools: the shipped schemas are valid schemas, a notebook that
nbformat repairs on load is no invalid notebook (and its other checks run), a notebook nbformat's
schema refuses is a warning and an nbformat 3 notebook an info, and schema messages never print a
whole sub-document."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mlops_lint import api
from mlops_lint.context.schema_check import problems, validator
from mlops_lint.diagnostics import Severity
from mlops_lint.resources import schema
from tests.helpers import commit_all, compact, git, git_init, write_files

FORMAT_SCHEMAS = [
    "dvc-pointer.schema.json",
    "dvc-lock.schema.json",
    "dvc-yaml.schema.json",
    *(f"nbformat.v4.{minor}.schema.json" for minor in range(6)),
]


@pytest.mark.parametrize("name", FORMAT_SCHEMAS)
def test_shipped_format_schemas_are_valid_schemas(name: str) -> None:
    loaded = schema(name)
    jsonschema.validators.validator_for(loaded).check_schema(loaded)


def _notebook(cells: list[dict], minor: int = 5, **metadata: object) -> str:
    return json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": minor}, indent=1)


def _lint(root: Path, files: dict[str, str], select: list[str]) -> list:
    git_init(root)
    write_files(root, files)
    return list(api.lint([root], api.Overrides(only=tuple(select))).diagnostics)


def test_cells_without_ids_in_4_5_are_repaired_not_invalid_and_other_checks_run(tmp_path: Path) -> None:
    error_output = {"output_type": "error", "ename": "KeyError", "evalue": "'x'", "traceback": []}
    cells = [
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": "d = {}"},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [error_output], "source": "d['x']"},
    ]
    found = _lint(tmp_path, {"nb.ipynb": _notebook(cells)}, ["MLJ002", "MLJ003"])
    assert [d.code for d in found] == ["MLJ002"]


def test_schema_findings_are_warnings_and_old_formats_info(tmp_path: Path) -> None:
    files = {
        "kernel.ipynb": _notebook([], kernelspec={"name": "python3"}),
        "old.ipynb": json.dumps({"metadata": {}, "nbformat": 3, "nbformat_minor": 0, "worksheets": []}),
        "broken.ipynb": "{",
    }
    found = {d.location.path: d.severity for d in _lint(tmp_path, files, ["MLJ003"])}
    assert found == {"kernel.ipynb": Severity.WARNING, "old.ipynb": Severity.INFO, "broken.ipynb": Severity.ERROR}


def test_schema_messages_never_print_a_large_value() -> None:
    big = {"output_type": "display_data", "data": {"image/png": 12345}, "metadata": {}, "x": "A" * 10_000}
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "outputs": [big], "source": ""}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    found = problems(validator("nbformat.v4.5.schema.json"), nb)
    assert found and all(len(p.message) < 200 for p in found)


def test_every_refused_value_of_a_dvc_yaml_is_reported_at_its_key(tmp_path: Path) -> None:
    dvc_yaml = "stages:\n  b:\n    cmd: x\n    zz: 1\n    aa: 2\n  a:\n    outz: []\n"
    first = [compact(d) for d in _lint(tmp_path, {"dvc.yaml": dvc_yaml}, ["MLD015"])]
    assert first == [
        "dvc.yaml:4:5: MLD015 DVC cannot read this pipeline file: stages.b: unknown key 'zz'",
        "dvc.yaml:5:5: MLD015 DVC cannot read this pipeline file: stages.b: unknown key 'aa'",
        "dvc.yaml:6:3: MLD015 DVC cannot read this pipeline file: stages.a: no 'cmd'",
        "dvc.yaml:7:5: MLD015 DVC cannot read this pipeline file: stages.a: unknown key 'outz'",
    ]


def test_missing_md5_is_info_when_the_experiments_commit_resolves(tmp_path: Path) -> None:
    pointer = "outs:\n- md5: 473f828a2c2531782e07be0bfb1e2ca0\n  hash: md5\n  path: train.csv\n"
    git_init(tmp_path)
    write_files(tmp_path, {"data/train.csv.dvc": pointer})
    commit_all(tmp_path, "data")
    head = git(tmp_path, "rev-parse", "HEAD").strip()
    experiment = f"id: exp-001\ncode:\n  commit: {head}\ndataset:\n  - pointer: data/train.csv.dvc\n"
    unpinned = "id: exp-002\ndataset:\n  - pointer: data/train.csv.dvc\n"
    write_files(
        tmp_path, {"experiments/exp-001/experiment.yaml": experiment, "experiments/exp-002/experiment.yaml": unpinned}
    )
    found = api.lint([tmp_path], api.Overrides(only=("MLE003",))).diagnostics
    assert {d.location.path: d.severity for d in found} == {
        "experiments/exp-001/experiment.yaml": Severity.INFO,
        "experiments/exp-002/experiment.yaml": Severity.ERROR,
    }
