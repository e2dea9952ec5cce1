"""mlops-lint never runs the repository it lints (issue 10, item 4).

Every file that Python, git, pytest, a build backend, DVC or pre-commit could execute appends a
line to a marker file outside the repository when it runs. `check` and `fix --unsafe-fixes` run
on it in a subprocess the way users start them: the console script with the repository as the
working folder, and `python -m mlops_lint.cli` with the repository on `PYTHONPATH` too (so an
`import` of the repository's modules *would* succeed). The repository carries real findings and
fixes in those very files, so the run reads, parses and rewrites them; afterwards no marker exists.

The repository also holds a `core.fsmonitor` command and git hooks in `.git/`: git runs the
fsmonitor command from plain `git ls-files` and `git diff` unless told not to (an archive or a
shared folder with a prepared `.git/config` is enough), so the test covers mlops-lint's own git calls.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import commit_all, git, git_init, write_files

MODULES = 26  # more than `parallel.MIN_FILES` Python files: the forked process pool runs too


def _payload(marker: Path, label: str) -> str:
    """One line of Python that leaves a trace if it is ever executed."""
    return f"import pathlib; pathlib.Path({str(marker)!r}).open('a').write({label + chr(10)!r})\n"


def _notebook(marker: Path) -> str:
    cells = [
        {"cell_type": "markdown", "id": "title", "metadata": {}, "source": ["# Exploration\n"]},
        _code(_payload(marker, "notebook cell") + "import pandas as pds\nframe = pds.read_csv('data.csv')\n"),
        _code(f"!touch {marker}\n%run src/churn/train.py\n"),
        _code("%%bash\n" + f"touch {marker}\n"),
    ]
    for number, cell in enumerate(cells):
        cell.setdefault("id", f"cell-{number}")
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def _code(source: str) -> dict[str, object]:
    lines = source.splitlines(keepends=True)
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": lines}


def _hook(marker: Path, label: str) -> str:
    return f"#!/bin/sh\necho {label} >> {marker}\nexit 1\n"


def build_repository(root: Path, marker: Path) -> None:
    """A small ML project in which every executable thing writes to `marker`."""
    train = (
        _payload(marker, "train.py")
        + "import pandas as pds\n"
        + "from sklearn.model_selection import train_test_split\n\n"
        + "frame = pds.read_csv('data.csv')\n"
        + "frame.dropna()\n"
        + "x_train, x_test = train_test_split(frame)\n"
    )
    files: dict[str, str | None] = {
        "pyproject.toml": (
            '[project]\nname = "victim"\nversion = "0.1.0"\n\n'
            '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        ),
        "backend.py": _payload(marker, "in-tree build backend"),
        "setup.py": _payload(marker, "setup.py") + "from setuptools import setup\n\nsetup(name='victim')\n",
        "conftest.py": _payload(marker, "conftest.py") + "import pandas as pds\n\npds.options\n",
        "noxfile.py": _payload(marker, "noxfile.py"),
        "tasks.py": _payload(marker, "tasks.py"),
        "manage.py": _payload(marker, "manage.py"),
        "victim.pth": _payload(marker, ".pth file"),
        "src/churn/__init__.py": _payload(marker, "package __init__"),
        "src/churn/__main__.py": _payload(marker, "package __main__"),
        "src/churn/train.py": train,
        "tests/conftest.py": _payload(marker, "tests/conftest.py"),
        "tests/test_train.py": _payload(marker, "test module") + "from churn import train\n",
        "notebooks/exploration.ipynb": _notebook(marker),
        "dvc.yaml": (
            f"stages:\n  train:\n    cmd: python src/churn/train.py && touch {marker}\n    deps:\n    - data.csv\n"
        ),
        ".pre-commit-config.yaml": (
            "repos:\n- repo: local\n  hooks:\n  - id: victim\n    name: victim\n"
            f"    entry: sh -c 'touch {marker}'\n    language: system\n"
        ),
        "Makefile": f"all:\n\ttouch {marker}\n",
    }
    for n in range(MODULES):
        step = _payload(marker, f"step_{n:02d}") + "import numpy as nmp\n\nnmp.zeros(1)\n"
        files[f"src/churn/step_{n:02d}.py"] = step
    git_init(root)
    write_files(root, files)
    commit_all(root, "a project that must never run")
    hooks = root / ".git" / "hooks"
    for name in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction", "fsmonitor"):
        hook = hooks / name
        hook.write_text(_hook(marker, f"git hook {name}"), encoding="utf-8")
        hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    git(root, "config", "core.fsmonitor", str(hooks / "fsmonitor"))
    # an uncommitted edit, so git has a dirty file to ask the fsmonitor about
    with (root / "src/churn/train.py").open("a", encoding="utf-8") as handle:
        handle.write("print(len(x_train))\n")


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "mlops-lint"
    if not script.exists():
        pytest.skip("the mlops-lint console script is not installed next to this interpreter")
    return [str(script)]


def _run(how: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    if how == "console script":
        command = _console_script()
    else:  # `-m` puts the working folder (the repository) first on sys.path
        command = [sys.executable, "-m", "mlops_lint.cli"]
        env["PYTHONPATH"] = os.pathsep.join([str(root), str(root / "src")])
    return subprocess.run(
        [*command, *args], cwd=root, env=env, capture_output=True, text=True, check=False, timeout=120
    )


@pytest.mark.parametrize("how", ["console script", "python -m with the repository on PYTHONPATH"])
def test_check_and_fix_never_execute_the_repository(tmp_path: Path, how: str) -> None:
    root, marker = tmp_path / "repo", tmp_path / "executed.txt"
    build_repository(root, marker)

    checked = _run(how, root, "check", "--output-format", "json", "-j", "2")
    assert checked.returncode == 1, checked.stderr
    found = {(item["code"], item["path"]) for item in json.loads(checked.stdout)}
    # the files that would run are the files the rules look at
    assert ("MLN004", "src/churn/train.py") in found
    assert ("MLN004", "conftest.py") in found
    assert ("MLN004", "notebooks/exploration.ipynb") in found
    assert ("MLS007", "src/churn/train.py") in found
    assert ("MLR001", "src/churn/train.py") in found
    assert ("MLD005", "dvc.yaml") in found
    assert ("MLN004", "src/churn/step_00.py") in found  # from a forked worker
    assert not marker.exists(), marker.read_text()

    fixed = _run(how, root, "fix", "--unsafe-fixes", "-j", "2")
    assert fixed.returncode in (0, 1), fixed.stderr
    train = (root / "src/churn/train.py").read_text(encoding="utf-8")
    assert "import pandas as pd\n" in train and "random_state=" in train
    assert "import numpy as np\n" in (root / "src/churn/step_25.py").read_text(encoding="utf-8")
    assert "import pandas as pd" in (root / "notebooks/exploration.ipynb").read_text(encoding="utf-8")
    assert "src/churn/train.py" in (root / "dvc.yaml").read_text(encoding="utf-8").split("deps:")[1]

    again = _run(how, root, "check", "--output-format", "json", "--no-cache")
    assert again.returncode in (0, 1), again.stderr
    assert not {("MLN004", "src/churn/train.py"), ("MLD005", "dvc.yaml")} & {
        (item["code"], item["path"]) for item in json.loads(again.stdout)
    }
    assert not marker.exists(), marker.read_text()


def test_the_payloads_do_run_when_executed(tmp_path: Path) -> None:
    """The control: the same files leave a trace when Python, git or a shell does run them, so
    the test above cannot pass only because the payloads are broken."""
    root, marker = tmp_path / "repo", tmp_path / "executed.txt"
    build_repository(root, marker)
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    subprocess.run([sys.executable, "-c", "import churn.train"], cwd=root, env=env, check=False, capture_output=True)
    subprocess.run([sys.executable, "conftest.py"], cwd=root, check=False, capture_output=True)
    subprocess.run(["git", "ls-files", "--others"], cwd=root, check=True, capture_output=True)
    lines = marker.read_text(encoding="utf-8").splitlines()
    assert "package __init__" in lines and "train.py" in lines and "conftest.py" in lines
    assert "git hook fsmonitor" in lines


def test_the_console_script_does_not_import_from_the_working_folder(tmp_path: Path) -> None:
    """Modules named like mlops-lint's own dependencies, in the folder it is started from, are not
    imported in their place (the console script's sys.path starts at its own folder, not the cwd)."""
    root, marker = tmp_path / "repo", tmp_path / "executed.txt"
    git_init(root)
    shadows = ("yaml", "json", "click", "libcst", "jsonschema", "pathspec", "git", "sitecustomize", "usercustomize")
    write_files(root, {f"{name}.py": _payload(marker, name) for name in shadows})
    write_files(root, {"mlops_lint/__init__.py": _payload(marker, "mlops_lint package")})
    write_files(root, {"train.py": "import pandas as pds\n"})
    result = _run("console script", root, "check", "--output-format", "json")
    assert result.returncode == 1, result.stderr
    assert any(item["code"] == "MLN004" for item in json.loads(result.stdout))
    assert not marker.exists(), marker.read_text()


def test_changed_since_runs_neither_filters_nor_hooks(tmp_path: Path) -> None:
    """`--changed-since` diffs the work tree, which re-hashes changed files (through the
    repository's clean filter) and refreshes the index (running `post-index-change`)."""
    root, marker = tmp_path / "repo", tmp_path / "executed.txt"
    git_init(root)
    write_files(root, {"train.py": "import pandas as pd\n", "other.py": "import numpy as nmp\n"})
    commit_all(root, "start")
    write_files(root, {".gitattributes": "*.py filter=victim\n", "train.py": "import pandas as pds\n"})
    git(root, "config", "filter.victim.clean", f"sh -c 'echo clean >> {marker}; cat'")
    git(root, "config", "filter.victim.required", "true")
    hook = root / ".git" / "hooks" / "post-index-change"
    hook.write_text(_hook(marker, "post-index-change"), encoding="utf-8")
    hook.chmod(0o755)
    (root / "other.py").touch()  # stat-dirty only: git must hash it to know it did not change

    result = _run("console script", root, "check", "--output-format", "json", "--changed-since", "HEAD")
    assert result.returncode == 1, result.stderr
    assert {(item["code"], item["path"]) for item in json.loads(result.stdout)} >= {("MLN004", "train.py")}
    assert not marker.exists(), marker.read_text()
    # the control: git itself does run both (the filter on a diff; the hook whenever it writes the index)
    (root / "other.py").touch()
    subprocess.run(["git", "diff", "--name-only", "HEAD", "--"], cwd=root, capture_output=True, check=True)
    subprocess.run(["git", "read-tree", "HEAD"], cwd=root, capture_output=True, check=True)
    assert {"clean", "post-index-change"} <= set(marker.read_text(encoding="utf-8").split())


def _prepared_git(root: Path, marker: Path) -> None:
    """A repository whose `.git` runs `marker`-writing commands wherever git would let it: every
    hook, an fsmonitor, clean/smudge/process filters on every file, a textconv driver, aliases
    named like the commands mlops-lint runs, and an external diff."""
    git_init(root)
    write_files(
        root,
        {"train.py": "import pandas as pd\n", "notes.py": 'login(token="hf_Xq3LmT8vRb2NwK5pZc7YhJ4dGs9FaE6uQo")\n'},
    )
    commit_all(root, "start")
    write_files(root, {"notes.py": None, ".env": "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"})
    commit_all(root, "second")
    hooks = root / ".git" / "hooks"
    for name in ("post-index-change", "pre-commit", "post-checkout", "reference-transaction", "post-rewrite",
                 "pre-auto-gc", "fsmonitor"):  # fmt: skip
        hook = hooks / name
        hook.write_text(_hook(marker, f"git hook {name}"), encoding="utf-8")
        hook.chmod(0o755)
    run = f"sh -c 'echo {{}} >> {marker}; cat'"
    settings = {
        "core.fsmonitor": str(hooks / "fsmonitor"),
        "filter.victim.clean": run.format("clean"),
        "filter.victim.smudge": run.format("smudge"),
        "filter.victim.process": f"sh -c 'echo process >> {marker}'",
        "filter.victim.required": "true",
        "diff.victim.textconv": run.format("textconv"),
        "diff.external": run.format("external-diff"),
        "core.pager": run.format("pager"),
        "alias.ls-files": f"!echo alias >> {marker}",
        "alias.for-each-ref": f"!echo alias >> {marker}",
        "alias.cat-file": f"!echo alias >> {marker}",
        "alias.grep": f"!echo alias >> {marker}",
    }
    for key, value in settings.items():
        git(root, "config", key, value)
    write_files(
        root,
        {
            ".gitattributes": "*.py filter=victim diff=victim\n.env filter=victim diff=victim\n",
            "train.py": "import pandas as pds\n",
        },
    )
    (root / ".env").touch()  # stat-dirty: git must re-hash it to know it did not change


def test_the_git_gateway_runs_nothing_the_repository_configures(tmp_path: Path) -> None:
    """Every entry to git goes through the gateway; none runs a hook, filter, textconv, alias or pager."""
    from mlops_lint import api
    from mlops_lint.discovery import build_inventory, changed_files
    from mlops_lint.git_gateway import GitGateway
    from mlops_lint.init import _git_top
    from mlops_lint.scaffold import render_experiment
    from mlops_lint.scorecard.build import repository_name

    root, marker = tmp_path / "repo", tmp_path / "executed.txt"
    _prepared_git(root, marker)
    for history in ("all", "HEAD~1..HEAD", "staged"):
        report = api.lint([root], api.Overrides(cache=False, history=history))
        assert not report.errors, report.errors
    assert ("MLG005", "notes.py") in {(d.code, d.location.path) for d in api.lint([root]).diagnostics}
    assert "train.py" in build_inventory(root, ()).files
    assert "train.py" in changed_files(root, "HEAD")
    assert "created:" in render_experiment(root, "exp-one") and _git_top(root) == root
    assert repository_name(root) == "repo"
    gateway = GitGateway(root)
    try:
        assert gateway.read_blobs(["HEAD:train.py"]) == {"HEAD:train.py": b"import pandas as pd\n"}
        assert gateway.object_kind("HEAD^{commit}") == "commit"
    finally:
        gateway.close()
    assert not marker.exists(), marker.read_text()
    # the control: git itself runs them
    subprocess.run(["git", "diff", "--name-only", "HEAD", "--"], cwd=root, capture_output=True, check=False)
    subprocess.run(["git", "ls-files", "--others"], cwd=root, capture_output=True, check=False)
    ran = set(marker.read_text(encoding="utf-8").split())
    assert {"clean", "git"} & ran and "fsmonitor" in ran
