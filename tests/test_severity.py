"""Severities users can act on: the word on every text line, a `help:` line, and the `fail-on` gate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.cli import main
from mlops_lint.config import build_config
from mlops_lint.diagnostics import Severity
from mlops_lint.registry import metas
from mlops_lint.reporters import sarif
from tests.helpers import git_init, write_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
# `path[:cell N][:line:col]: CODE [*] severity: message`: the severity is a word, not only a colour
FINDING_LINE = re.compile(r"^\S.*?: (?:ML[A-Z]\d{3}|[A-Z]+\d+)(?: \[\*\])? (?:error|warning|info): \S")

RENAME_HELP = "Rename it to a Python identifier: letters, digits and underscores, not starting with a digit"
INFO_ONLY = {"src/pkg/__init__.py": "", "src/pkg/train.py": "import numpy as npy\n\nnpy.ones(1)\n"}  # MLN004 (info)
WITH_ERROR = {**INFO_ONLY, "src/pkg/broken.py": "def f(:\n    pass\n"}  # MLX001 (error)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    git_init(tmp_path)
    write_files(tmp_path, files)
    return tmp_path


def test_every_finding_line_names_its_severity_without_colour() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--no-cache")
    assert code == 1
    findings = [line for line in out.split("\n\n")[0].splitlines() if not line.startswith("  help: ")]
    assert findings and all(FINDING_LINE.match(line) for line in findings), findings
    assert "\x1b[" not in out  # no terminal: no colour, and the severity is still there
    assert "src/churn/train.py:4:8: MLN004 [*] info: Import pandas as 'pd' (found 'pds')" in out
    assert "scripts/legacy_export.py:4:1: MLX001 error: File cannot be parsed" in out


def test_a_finding_without_a_fix_gets_the_catalogue_help() -> None:
    _, out, _ = run("check", str(EXAMPLES), "--no-cache")
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if ": MLN005 warning: " in line)
    assert lines[at + 1] == "  help: " + RENAME_HELP
    # a fix title wins over the help: one help line per finding
    at = next(i for i, line in enumerate(lines) if ": MLN004 [*] info: " in line)
    assert lines[at + 1] == "  help: Rename 'pds' to 'pd'" and not lines[at + 2].startswith("  help:")


def test_help_is_filled_from_the_message_arguments(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    params: [train.lr]\n",
            "params.yaml": "train:\n  epochs: 3\n",
            "train.py": "print(1)\n",
        },
    )
    git_init(tmp_path)
    report = api.lint([tmp_path], api.Overrides(only=("MLD006",), history="none", cache=False))
    (finding,) = report.diagnostics
    assert finding.help == "Define train.lr in the params file, or remove it from the params of stage 'train'"


def test_json_and_sarif_carry_the_help(tmp_path: Path) -> None:
    root = repo(tmp_path, WITH_ERROR)
    _, out, _ = run("check", str(root), "--output-format", "json", "--no-cache")
    by_code = {f["code"]: f for f in json.loads(out)}
    assert by_code["MLX001"]["help"].startswith("Fix the file")
    assert by_code["MLN004"]["help"] is None  # its fix has a title
    report = api.lint([root], api.Overrides(history="none", cache=False))
    results = sarif.sarif_log(report)["runs"][0]["results"]
    parsed = next(r for r in results if r["ruleId"] == "MLX001")
    assert parsed["properties"]["help"].startswith("Fix the file")


def test_the_help_survives_the_result_cache(tmp_path: Path) -> None:
    root = repo(tmp_path, WITH_ERROR)
    first = api.lint([root], api.Overrides(history="none"))
    second = api.lint([root], api.Overrides(history="none"))  # served from .mlops_lint_cache/
    assert first.diagnostics == second.diagnostics
    assert any(d.help for d in second.diagnostics)


def test_severity_order() -> None:
    assert Severity.ERROR.at_least(Severity.WARNING) and Severity.WARNING.at_least(Severity.WARNING)
    assert not Severity.INFO.at_least(Severity.WARNING) and Severity.INFO.at_least(Severity.INFO)


@pytest.mark.parametrize(
    ("files", "args", "exit_code"),
    [
        (INFO_ONLY, (), 1),  # the default, info: any finding fails, as before
        (INFO_ONLY, ("--fail-on", "info"), 1),
        (INFO_ONLY, ("--fail-on", "warning"), 0),
        (INFO_ONLY, ("--fail-on", "error"), 0),
        (WITH_ERROR, ("--fail-on", "error"), 1),
        (WITH_ERROR, ("--fail-on", "error", "--exit-zero"), 0),  # --exit-zero still wins
    ],
)
def test_fail_on_gates_the_exit_code_and_still_prints_everything(
    tmp_path: Path, files: dict[str, str], args: tuple[str, ...], exit_code: int
) -> None:
    root = repo(tmp_path, files)
    code, out, _ = run("check", str(root), "--no-cache", *args)
    assert code == exit_code
    assert "src/pkg/train.py:1:8: MLN004 [*] info: " in out  # printed whether or not it fails the run


def test_the_summary_says_what_does_not_fail_the_run(tmp_path: Path) -> None:
    root = repo(tmp_path, WITH_ERROR)
    _, out, _ = run("check", str(root), "--no-cache", "--fail-on", "error")
    assert out.endswith("Not failing the run: 1 finding below fail-on = error.\n")
    _, out, _ = run("check", str(root), "--no-cache")
    assert "fail-on" not in out


def test_fail_on_from_the_configuration_and_the_command_line_wins(tmp_path: Path) -> None:
    root = repo(tmp_path, {**INFO_ONLY, ".mlops-lint.toml": 'fail-on = "warning"\n'})
    assert run("check", str(root), "--no-cache")[0] == 0
    assert run("check", str(root), "--no-cache", "--fail-on", "info")[0] == 1


def test_fail_on_is_validated() -> None:
    assert build_config({"fail-on": "error"}, metas(), "tool.mlops-lint", None).fail_on is Severity.ERROR
    assert build_config({}, metas(), "tool.mlops-lint", None).fail_on is Severity.INFO
    code, _, err = run("check", str(EXAMPLES), "--fail-on", "fatal")
    assert code == 2 and "--fail-on" in err


def test_fail_on_applies_to_baselined_checks_and_to_fix(tmp_path: Path) -> None:
    root = repo(tmp_path / "repo", INFO_ONLY)
    baseline = tmp_path / "base.json"
    assert run("baseline", "--file", str(baseline), str(root))[0] == 0
    (root / "src/pkg/more.py").write_text("import pandas as pds\n\npds.DataFrame()\n", encoding="utf-8")  # new: info
    assert run("check", str(root), "--no-cache", "--baseline", str(baseline))[0] == 1
    assert run("check", str(root), "--no-cache", "--baseline", str(baseline), "--fail-on", "warning")[0] == 0
    (root / "src/pkg/bad-name.py").write_text("x = 1\n", encoding="utf-8")  # MLN005 (warning), no fix
    assert run("fix", str(root), "--no-cache", "--fail-on", "warning")[0] == 1
    assert run("fix", str(root), "--no-cache", "--fail-on", "error")[0] == 0


def test_a_catalogue_edit_is_a_result_cache_miss() -> None:
    """Cached findings carry severity, message and help: a changed catalogue entry must not serve old ones."""
    from dataclasses import replace

    from mlops_lint.engine import ActiveRules
    from mlops_lint.registry import registry

    reg = registry()
    codes = ("MLN004", "MLX001")
    key = ActiveRules.build(reg, codes, {}).cache_key
    for code in codes:
        meta, cls = reg[code]
        other = Severity.INFO if meta.severity is not Severity.INFO else Severity.WARNING
        for change in ({"severity": other}, {"help": "do this"}, {"message": "other {found}"}):
            edited = {**reg, code: (replace(meta, **change), cls)}
            assert ActiveRules.build(edited, codes, {}).cache_key != key, (code, change)


@pytest.mark.parametrize(
    ("source", "code", "severity"),
    [
        ('import torch\nstate = torch.load("model.pt")\n', "MLS019", Severity.WARNING),
        ('import pickle\nwith open("model.pkl", "rb") as f:\n    model = pickle.load(f)\n', "MLS019", Severity.INFO),
        ('import joblib\nmodel = joblib.load("model.joblib")\n', "MLS019", Severity.INFO),
        ('DATA = "/home/alice/data/train.csv"\n', "MLR006", Severity.WARNING),
        ('HOSTFILE = "~/hostfile"\n', "MLR006", Severity.INFO),
    ],
)
def test_per_finding_severity(tmp_path: Path, source: str, code: str, severity: Severity) -> None:
    """Where a rule is surer in one case than another, the finding says so (see the rules' docs)."""
    root = repo(tmp_path, {"src/job.py": source})
    found = [d for d in api.lint([root], api.Overrides(only=(code,), history="none")).diagnostics]
    assert [(d.code, d.severity) for d in found] == [(code, severity)]


def test_a_project_templates_ranges_are_info(tmp_path: Path) -> None:
    files = {"README.md": "# Lightning-Hydra-Template\n", "requirements.txt": "torch>=2.0.0\n"}
    found = api.lint([repo(tmp_path, files)], api.Overrides(only=("MLR005",), history="none")).diagnostics
    assert [(d.code, d.severity) for d in found] == [("MLR005", Severity.INFO)]
    (tmp_path / "README.md").write_text("# Churn model\n", encoding="utf-8")
    found = api.lint([tmp_path], api.Overrides(only=("MLR005",), history="none", cache=False)).diagnostics
    assert [(d.code, d.severity) for d in found] == [("MLR005", Severity.WARNING)]
