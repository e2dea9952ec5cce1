"""Whole-repository scenarios: the exact report on a small ML repository, then fix and check again.

The expected reports are snapshots in tests/fixtures/<scenario>.*.txt. After a deliberate change
of behaviour, regenerate them with `UPDATE_SNAPSHOTS=1 python -m pytest tests/test_scenario.py`
and read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint.cli import main
from tests.helpers import commit_all, git, git_init

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def check(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", str(repo), *args])
    return result.exit_code, result.stdout


def fix(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["fix", str(repo), *args])
    return result.exit_code, result.stdout


def matches_snapshot(name: str, text: str) -> None:
    snapshot = FIXTURES / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        snapshot.write_text(text, encoding="utf-8")
    assert text == snapshot.read_text(encoding="utf-8"), f"{snapshot.name} differs (UPDATE_SNAPSHOTS=1 to renew)"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    repo = tmp_path / "scenario"
    shutil.copytree(FIXTURES / "scenario", repo)
    git_init(repo)
    return repo


def test_scenario_report_fix_and_fixed_point(scenario: Path) -> None:
    code, report = check(scenario)
    assert code == 1
    matches_snapshot("scenario.check", report)
    assert ": F401 " in report and ": MLS0" in report and ": MLR0" in report  # ruff and ours, one report

    code, diff = fix(scenario, "--diff")
    assert code == 1
    matches_snapshot("scenario.diff", diff)
    assert not any(line.startswith("-") and "torch.load(" in line for line in diff.splitlines()), "unsafe fix shown"

    code, _ = fix(scenario)
    code, after = check(scenario)
    assert code == 1
    matches_snapshot("scenario.after-fix", after)
    assert "[*]" not in after.split("\n\n")[0], "a safe fix is still pending after fix"

    before = {p: p.read_bytes() for p in scenario.rglob("*") if p.is_file() and ".git" not in p.parts}
    code, out = fix(scenario)
    assert "Fixed 0 findings in 0 files" in out
    assert before == {p: p.read_bytes() for p in scenario.rglob("*") if p.is_file() and ".git" not in p.parts}


def test_unsafe_fixes_only_on_request(scenario: Path) -> None:
    _, diff = fix(scenario, "--diff", "--unsafe-fixes")
    assert '+    return torch.load("/home/alice/checkpoints/churn.pt", weights_only=True), running' in diff
    assert (scenario / "src/churn/train.py").read_text(encoding="utf-8").count("weights_only") == 0
    fix(scenario)
    assert "weights_only" not in (scenario / "src/churn/train.py").read_text(encoding="utf-8")
    fix(scenario, "--unsafe-fixes")
    assert "weights_only=True" in (scenario / "src/churn/train.py").read_text(encoding="utf-8")


@pytest.fixture
def experiments_repo(tmp_path: Path) -> Path:
    """Three experiments: one complete, one without metadata, one with a dangling dataset
    pointer, an unknown commit and an exceeded budget. The complete one records a real commit."""
    repo = tmp_path / "experiments"
    shutil.copytree(FIXTURES / "experiments", repo)
    git_init(repo)
    commit_all(repo, "experiments")
    head = git(repo, "rev-parse", "HEAD").strip()
    baseline = repo / "experiments/exp-001-baseline/experiment.yaml"
    baseline.write_text(baseline.read_text(encoding="utf-8").replace("HEAD_COMMIT", head), encoding="utf-8")
    commit_all(repo, "record the baseline's commit")
    return repo


def test_experiments_scenario_report_and_scaffold(experiments_repo: Path) -> None:
    code, report = check(experiments_repo)
    assert code == 1
    matches_snapshot("experiments.check", report)
    assert "exp-001-baseline" not in report  # the complete experiment is clean

    fix(experiments_repo)
    created = experiments_repo / "experiments/exp-002-bigger-vocab/experiment.yaml"
    assert created.is_file()
    code, after = check(experiments_repo)
    matches_snapshot("experiments.after-fix", after)
    lines = created.read_text(encoding="utf-8").splitlines()
    new_findings = [line for line in after.splitlines() if line.startswith("experiments/exp-002-bigger-vocab/")]
    assert new_findings and all(": MLE002 " in line for line in new_findings)
    numbers = [int(line.split(":")[1]) for line in new_findings]
    assert all("TODO" in "".join(lines[n - 1 : n + 1]) for n in numbers)  # only its TODO fields (or the next line)
