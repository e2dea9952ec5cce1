"""The composite `action.yml` and the workflow template in `templates/`.

Inputs reach the action's scripts only through `env:`; the scripts themselves are run here with bash
the way the runner would, with the inputs rendered into the environment.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_lint import __version__
from mlops_lint.reporters import FORMATS
from mlops_lint.resources import templates_dir
from tests.helpers import commit_all, git_init, write_files

PROJECT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((PROJECT / "action.yml").read_text(encoding="utf-8"))
WORKFLOW = yaml.safe_load((templates_dir() / "github-workflow.yml").read_text(encoding="utf-8"))
INPUT = re.compile(r"^\$\{\{ inputs\.([a-z-]+) \}\}$")


def _steps(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        return document["runs"]["steps"]
    return [step for job in document["jobs"].values() for step in job["steps"]]


def _scripts(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in _steps(document) if "run" in step]


def _step(name: str) -> dict[str, Any]:
    return next(step for step in _steps(ACTION) if step.get("name") == name)


@pytest.mark.parametrize("document", [ACTION, WORKFLOW], ids=["action", "workflow"])
def test_no_expression_inside_a_script(document: dict[str, Any]) -> None:
    scripts = [step["run"] for step in _steps(document) if "run" in step]
    assert scripts
    for script in scripts:
        assert "${{" not in script, script


def test_every_script_is_valid_bash() -> None:
    bash = shutil.which("bash")
    assert bash
    for step in _scripts(ACTION):
        result = subprocess.run([bash, "-n", "-c", step["run"]], capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{step['name']}: {result.stderr}"


def test_inputs_pass_through_env_only() -> None:
    assert ACTION["runs"]["using"] == "composite"
    declared = set(ACTION["inputs"])
    assert declared == {"paths", "args", "output-format", "sarif-file", "report-html", "version"}
    used: set[str] = set()
    for step in _steps(ACTION):
        if "uses" in step:  # another action: inputs reach it as `with:` values, never through a shell
            assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step["uses"]
            for value in step.get("with", {}).values():
                match = INPUT.match(str(value))
                used |= {match.group(1)} if match else set()
            continue
        assert step.get("shell") == "bash"
        for value in step.get("env", {}).values():
            match = INPUT.match(value)
            assert match, f"an env value is exactly one input: {value!r}"
            used.add(match.group(1))
    assert used == declared


def _render_env(step: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    values = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | inputs
    return {key: values[INPUT.match(value).group(1)] for key, value in step.get("env", {}).items()}  # type: ignore[union-attr]


def _run_step(name: str, root: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess[str]:
    step = _step(name)
    env = dict(os.environ) | _render_env(step, inputs)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), env.get("PYTHONPATH"))))  # this checkout's code
    bash = shutil.which("bash")
    assert bash
    # the runner's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`
    command = [bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, {"src/train.py": "import pandas as pds\n\nprint(pds.__version__)\n", "README.md": "# r\n"})
    commit_all(root, "start")
    return root


def test_lint_step_runs_with_the_inputs(repo: Path) -> None:
    result = _run_step("Lint", repo, {"output-format": "text", "args": "--select naming --no-history"})
    assert result.returncode == 1, result.stderr
    assert "src/train.py:1:8: MLN004" in result.stdout
    clean = _run_step("Lint", repo, {"output-format": "text", "paths": "README.md", "args": "--no-history"})
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_inputs_cannot_inject_shell(repo: Path) -> None:
    hostile = {"output-format": "text", "args": "--no-history $(touch pwned) `touch pwned2`", "paths": "; touch pwned3"}
    result = _run_step("Lint", repo, hostile)
    assert result.returncode == 2  # mlops-lint got the words as arguments and refused them
    assert not list(repo.glob("pwned*"))


def test_sarif_step_writes_the_file(repo: Path) -> None:
    if "sarif" not in FORMATS:
        pytest.skip("the sarif reporter is not in this build yet")
    result = _run_step("Write SARIF", repo, {"sarif-file": "out.sarif", "args": "--no-history"})
    assert result.returncode == 0, result.stderr
    assert '"2.1.0"' in (repo / "out.sarif").read_text(encoding="utf-8")


def test_scorecard_step_writes_the_page(repo: Path) -> None:
    result = _run_step("Scorecard", repo, {"report-html": "card.html"})
    assert result.returncode == 0, result.stderr
    assert "<!DOCTYPE html>" in (repo / "card.html").read_text(encoding="utf-8")
    upload = _step("Upload the scorecard")
    assert upload["if"] == "inputs.report-html != ''" and upload["with"]["path"] == "${{ inputs.report-html }}"
    names = [step["name"] for step in _steps(ACTION)]
    assert names.index("Upload the scorecard") < names.index("Lint")  # before the step that fails on findings


def test_workflow_template() -> None:
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert WORKFLOW["permissions"]["security-events"] == "write"
    steps = _steps(WORKFLOW)
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # history rules need every commit
    scripts = "\n".join(step["run"] for step in steps if "run" in step)
    # one install line, naming the version of the mlops-lint that wrote the file (init fills it in)
    assert 'pip install "mlops-lint=={version}"' in scripts
    written = (templates_dir() / "github-workflow.yml").read_text(encoding="utf-8").replace("{version}", __version__)
    assert written.count("pip install") == 1 and f'"mlops-lint=={__version__}"' in written
    assert not any("mlops-lint@" in step.get("uses", "") for step in steps)
    sarif_run = re.search(r"mlops-lint check --output-format sarif --exit-zero > (\S+)", scripts)
    assert sarif_run
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == sarif_run.group(1)
    assert upload["if"] == "success() || failure()"  # upload even when the lint step fails
    assert "mlops-lint check --output-format github" in scripts
