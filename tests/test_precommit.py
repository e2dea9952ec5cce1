"""The pre-commit hooks, run for real and offline: `pre-commit try-repo` on a temporary hook repository.

The hook repository holds this project's `.pre-commit-hooks.yaml` with `language: python` rewritten
to the language pre-commit uses for a tool already on PATH (`unsupported`, `system` before 4.4), so
no network is needed: `mlops-lint` comes from the virtual environment running the tests.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.all_languages import languages

from tests.helpers import commit_all, git, git_init, write_files

PROJECT = Path(__file__).resolve().parent.parent
MANIFEST = PROJECT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
LOCAL_LANGUAGE = "unsupported" if "unsupported" in languages else "system"


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), env.get("PYTHONPATH"))))  # this checkout's code
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")  # never the user's cache
    env["NO_COLOR"] = "1"
    for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "MLOPS_LINT_DEBUG"):
        env.pop(name, None)
    return env


def _manifest() -> list[dict]:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


@pytest.fixture
def hook_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "hooks"
    git_init(repo)
    text = MANIFEST.read_text(encoding="utf-8").replace("language: python", f"language: {LOCAL_LANGUAGE}")
    write_files(repo, {".pre-commit-hooks.yaml": text})
    commit_all(repo, "hooks")
    return repo


def _try_repo(target: Path, hooks: Path, hook: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "pre-commit"), "try-repo", str(hooks), hook, "--color", "never", *args]
    return subprocess.run(command, cwd=target, env=_env(target.parent), capture_output=True, text=True, check=False)


def test_manifest_validates() -> None:
    result = subprocess.run(
        [str(BIN / "pre-commit"), "validate-manifest", str(MANIFEST)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_hooks() -> None:
    hooks = {hook["id"]: hook for hook in _manifest()}
    assert set(hooks) == {"mlops-lint", "mlops-lint-fix", "mlops-lint-repo"}
    assert hooks["mlops-lint"]["entry"] == "mlops-lint check --no-history"
    assert hooks["mlops-lint-fix"]["entry"] == "mlops-lint fix --no-history"
    for hook_id in ("mlops-lint", "mlops-lint-fix"):  # every file: .pt, .dvc, .parquet have no identify tag
        assert hooks[hook_id]["types"] == ["file"]
        assert "files" not in hooks[hook_id] and "types_or" not in hooks[hook_id]
    assert hooks["mlops-lint-fix"]["require_serial"] is True  # fixes may edit one shared .gitignore
    repo = hooks["mlops-lint-repo"]
    assert repo["entry"] == "mlops-lint check"
    assert (repo["pass_filenames"], repo["always_run"], repo["stages"]) == (False, True, ["pre-push"])


def test_clean_then_bad_commit(tmp_path: Path, hook_repo: Path) -> None:
    target = tmp_path / "target"
    git_init(target)
    write_files(target, {"src/clean.py": "import pandas as pd\n\nprint(pd.__version__)\n", "README.md": "# demo\n"})
    git(target, "add", "-A")
    clean = _try_repo(target, hook_repo, "mlops-lint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "mlops-lint" in clean.stdout and "Passed" in clean.stdout

    write_files(
        target,
        {
            "src/train.py": "import pandas as pds\n\nprint(pds.__version__)\n",
            "data/raw.csv.dvc": "outs:\n- path: raw.csv\n  md5: ab\n",  # DVC refuses; .dvc: no identify tag
            "notebooks/Untitled.ipynb": json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}),
        },
    )
    (target / "checkpoints").mkdir()
    (target / "checkpoints" / "epoch_1.pt").write_bytes(b"\x80\x02not really torch\x00")  # binary, no tag
    commit_all(target, "bad")  # MLG001 reads HEAD: the commit a CI run of the hooks sees
    named = ["src/clean.py", "src/train.py", "data/raw.csv.dvc", "notebooks/Untitled.ipynb", "checkpoints/epoch_1.pt"]
    bad = _try_repo(target, hook_repo, "mlops-lint", "--files", *named)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "src/train.py:1:8: MLN004 [*] info: Import pandas as 'pd' (found 'pds')" in bad.stdout
    assert "checkpoints/epoch_1.pt: MLG001 warning: Model file committed to git" in bad.stdout
    assert "data/raw.csv.dvc:" in bad.stdout and " MLD001 " in bad.stdout
    assert "notebooks/Untitled.ipynb: MLN002 " in bad.stdout
    assert "src/clean.py" not in bad.stdout.split("hook id: mlops-lint", 1)[1]


def test_fix_hook_fixes_and_fails(tmp_path: Path, hook_repo: Path) -> None:
    target = tmp_path / "target"
    git_init(target)
    write_files(target, {"train.py": "import pandas as pds\n\nprint(pds.__version__)\n"})
    git(target, "add", "-A")
    result = _try_repo(target, hook_repo, "mlops-lint-fix", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr  # pre-commit fails: files were modified
    assert "files were modified by this hook" in result.stdout
    assert (target / "train.py").read_text() == "import pandas as pd\n\nprint(pd.__version__)\n"
    git(target, "add", "-A")
    again = _try_repo(target, hook_repo, "mlops-lint-fix", "--all-files")
    assert again.returncode == 0, again.stdout + again.stderr


def test_repo_hook_reads_the_pushed_range(tmp_path: Path, hook_repo: Path) -> None:
    target = tmp_path / "target"
    git_init(target)
    write_files(target, {"train.py": "print('train')\n"})
    commit_all(target, "start")
    base = git(target, "rev-parse", "HEAD").strip()
    write_files(target, {".env": "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"})
    commit_all(target, "add env")
    write_files(target, {".env": None})
    commit_all(target, "remove env")
    leaked = git(target, "rev-parse", "HEAD").strip()
    write_files(target, {"eval.py": "print('eval')\n"})
    commit_all(target, "evaluate")
    head = git(target, "rev-parse", "HEAD").strip()

    pushed = _try_repo(target, hook_repo, "mlops-lint-repo", "--hook-stage", "pre-push", "--from-ref", base,
                       "--to-ref", head)  # fmt: skip
    assert pushed.returncode == 1, pushed.stdout + pushed.stderr
    assert re.search(
        r"^\.env@[0-9a-f]{7}:1:15: MLG005 error: W&B API key was committed in .* \(\"add env\"\)", pushed.stdout, re.M
    )

    later = _try_repo(target, hook_repo, "mlops-lint-repo", "--hook-stage", "pre-push", "--from-ref", leaked,
                      "--to-ref", head)  # fmt: skip
    assert later.returncode == 0, later.stdout + later.stderr  # the secret is not in what this push adds
    assert "Passed" in later.stdout

    commit_stage = _try_repo(target, hook_repo, "mlops-lint-repo", "--all-files")
    assert "mlops-lint (repository and history)" not in commit_stage.stdout  # pre-push only


def _example_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "example"
    shutil.copytree(PROJECT / "examples", root)
    (root / "models" / "net.pt").write_bytes(b"\x80\x02weights\x00")
    write_files(root, {"data/features.parquet.dvc": "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  size: 10\n"
                       "  hash: md5\n  path: features.parquet\n"})  # fmt: skip
    git_init(root)
    commit_all(root, "example")
    return root, git(root, "ls-files").splitlines()


def _findings(root: Path, files: list[str]) -> list[tuple]:
    command = [str(BIN / "mlops-lint"), "check", "--no-history", "--no-cache", "--output-format", "json", *files]
    result = subprocess.run(command, cwd=root, env=_env(root.parent), capture_output=True, text=True, check=False)
    assert result.returncode in (0, 1), result.stderr
    return [(d["code"], d["path"], d["line"], d["column"], d["message"]) for d in json.loads(result.stdout)]


def test_split_invocations_give_the_same_findings(tmp_path: Path) -> None:
    """pre-commit may split the file list (`require_serial: false`): the union of the parts is one run."""
    root, files = _example_repo(tmp_path)
    whole = set(_findings(root, files))
    assert len(whole) > 5
    half = len(files) // 2
    for first, second in ((files[:half], files[half:]), (files[::2], files[1::2])):
        assert set(_findings(root, first)) | set(_findings(root, second)) == whole


def test_split_invocations_report_each_finding_once(tmp_path: Path) -> None:
    root, files = _example_repo(tmp_path)
    half = len(files) // 2
    first, second = _findings(root, files[:half]), _findings(root, files[half:])
    assert not set(first) & set(second)
    assert _findings(root, ["params.yaml"]) == []
