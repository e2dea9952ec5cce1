"""Experiment tracking rules beyond the catalogue examples: placeholder parsing, YAML problems,
scoping of MLE006 to one module, and the MLE007 file-name filter."""

from __future__ import annotations

from pathlib import Path

from mlops_lint import api
from mlops_lint.checks.experiments.tracking import _placeholders
from tests.helpers import assert_findings, write_files


def _lint(root: Path, files: dict[str, str], code: str) -> list:
    write_files(root, files)
    report = api.lint([root], api.Overrides(only=(code,)))
    assert not report.errors, report.errors
    return list(report.diagnostics)


def test_placeholders_ignore_escapes_and_attributes() -> None:
    assert _placeholders("python t.py {a} {{b}} {c.x} {d[0]} {a}") == ["a", "c", "d"]
    assert _placeholders("python t.py {unclosed") is None


def test_params_in_another_module_do_not_count(tmp_path: Path) -> None:
    files = {
        "train.py": "import mlflow\n\nwith mlflow.start_run():\n    mlflow.log_metric('acc', 1.0)\n",
        "params.py": "import mlflow\n\nmlflow.log_param('depth', 5)\n",
    }
    assert_findings(["train.py:3:6: MLE006"], _lint(tmp_path, files, "MLE006"))


def test_broken_yaml_and_other_names_are_silent(tmp_path: Path) -> None:
    files = {
        "MLproject": "name: [unclosed\n",
        "mlproject.yaml": "bogus: 1\n",
        "m/MLmodel": "- just a list\n",
    }
    assert_findings([], _lint(tmp_path, files, "MLE007"))


def test_wandb_run_config_update_counts(tmp_path: Path) -> None:
    files = {"t.py": "import wandb\n\nrun = wandb.init()\nrun.config.update({'lr': 1})\nrun.log({'loss': 0})\n"}
    assert_findings([], _lint(tmp_path, files, "MLE006"))
