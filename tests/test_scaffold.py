"""`mlops-lint new experiment NAME`: derivable fields filled, the rest TODO, never overwriting."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from mlops_lint.cli import main
from mlops_lint.context.yaml_doc import YamlDoc, load_yaml
from mlops_lint.resources import templates_dir
from tests.helpers import commit_all, git, git_init, write_files

SCHEMA = json.loads((templates_dir() / "experiment.schema.json").read_text(encoding="utf-8"))


def test_new_experiment_fills_what_the_repository_knows(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps:\n    - data/raw/customers.csv\n",
            "data/raw/customers.csv.dvc": "outs:\n- md5: 473f828a2c2531782e07be0bfb1e2ca0\n  size: 3\n  path: x\n",
        },
    )
    commit_all(tmp_path, "initial")
    head = git(tmp_path, "rev-parse", "HEAD").strip()
    result = CliRunner().invoke(main, ["new", "experiment", "exp-002-bigger-vocab", "--root", str(tmp_path)])
    assert result.exit_code == 0, result.output
    created = tmp_path / "experiments/exp-002-bigger-vocab/experiment.yaml"
    doc = load_yaml(created.read_text(encoding="utf-8"))
    assert isinstance(doc, YamlDoc)
    assert doc.value["id"] == "exp-002-bigger-vocab"
    assert doc.value["owner"] == "Jane Q. Public"
    assert doc.value["code"]["commit"] == head
    assert doc.value["dataset"][0]["pointer"] == "data/raw/customers.csv.dvc"
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    failing = sorted("/".join(map(str, e.absolute_path)) for e in validator.iter_errors(doc.value))
    assert failing == ["hypothesis", "name", "resources/budget/gpu_hours", "seed"]  # only what a person must write


def test_new_experiment_refuses_bad_names_and_existing_files(tmp_path: Path) -> None:
    git_init(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["new", "experiment", "Bad Name", "--root", str(tmp_path)]).exit_code == 2
    assert runner.invoke(main, ["new", "experiment", "exp-001", "--root", str(tmp_path)]).exit_code == 0
    again = runner.invoke(main, ["new", "experiment", "exp-001", "--root", str(tmp_path)])
    assert again.exit_code == 2 and "exists already" in again.output
