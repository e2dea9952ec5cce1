"""`mlops-lint init`: what it writes, what it never overwrites, and that everything it writes lints clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mlops_lint.cli import main
from mlops_lint.init import config_table
from tests.helpers import git_init, write_files

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WRITTEN = (
    ".mlops-lint.toml",
    ".pre-commit-config.yaml",
    ".github/workflows/mlops-lint.yml",
    "experiments/TEMPLATE.yaml",
)


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NO_COLOR="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), env.get("PYTHONPATH"))))  # this checkout's code
    command = [str(BIN / "mlops-lint"), *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def _init(root: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["init", str(root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_init_in_an_empty_repository_then_check_passes(tmp_path: Path) -> None:
    git_init(tmp_path)
    init = _cli(tmp_path, "init")
    assert init.returncode == 0, init.stderr
    assert init.stdout.splitlines() == [f"created {name}" for name in WRITTEN]
    for name in WRITTEN:
        assert (tmp_path / name).is_file()
    check = _cli(tmp_path, "check", "--no-cache")
    assert check.returncode == 0, check.stdout + check.stderr
    named = _cli(tmp_path, "check", "--no-cache", *WRITTEN)  # each template, named explicitly, lints clean
    assert named.returncode == 0, named.stdout + named.stderr
    validate = subprocess.run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    git_init(tmp_path)
    out = _init(tmp_path, "--dry-run")
    assert [line for line in out.splitlines() if line.startswith("create ")] == [f"create {name}" for name in WRITTEN]
    assert "+++ b/.github/workflows/mlops-lint.yml" in out and "--- /dev/null" in out
    assert "+      - id: mlops-lint-repo # the whole repository and the pushed history, on push" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [".git"]


PYPROJECT = """\
# the team's project file
[project]
name = "churn"  # keep me
version = "1.0"

[tool.ruff]
line-length = 100
"""


def test_pyproject_gets_the_table_and_keeps_every_comment(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"pyproject.toml": PYPROJECT})
    out = _init(tmp_path)
    assert "updated pyproject.toml" in out
    text = (tmp_path / "pyproject.toml").read_text()
    assert text == PYPROJECT + "\n" + config_table()
    assert tomllib.loads(text)["tool"]["mlops-lint"]["rules"]["MLN001"] == {"paths": ["notebooks/**"]}
    assert not (tmp_path / ".mlops-lint.toml").exists()
    check = _cli(tmp_path, "check", "--no-cache")
    assert check.returncode == 0, check.stdout + check.stderr


def test_pyproject_line_endings_are_kept(tmp_path: Path) -> None:
    git_init(tmp_path)
    original = PYPROJECT.replace("\n", "\r\n")
    (tmp_path / "pyproject.toml").write_bytes(original.encode())
    _init(tmp_path)
    written = (tmp_path / "pyproject.toml").read_bytes().decode()
    assert written.startswith(original) and "[tool.mlops-lint]\r\n" in written
    assert "\n" not in written.replace("\r\n", "")


def test_dry_run_on_pyproject_shows_only_added_lines(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"pyproject.toml": PYPROJECT.rstrip("\n")})  # no final newline
    out = _init(tmp_path, "--dry-run")
    assert "update pyproject.toml" in out and "+++ b/pyproject.toml" in out
    assert "+[tool.mlops-lint.ignore]" in out
    assert (tmp_path / "pyproject.toml").read_text() == PYPROJECT.rstrip("\n")


EXISTS = "skipped pyproject.toml: [tool.mlops-lint] exists"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"pyproject.toml": '[tool.mlops-lint]\nselect = ["naming"]\n'}, EXISTS),
        ({"pyproject.toml": '[tool]\n"mlops-lint".select = ["naming"]\n'}, EXISTS),
        ({"pyproject.toml": "tool = { black = {} }\n"}, "skipped pyproject.toml: appending [tool.mlops-lint] would"),
        ({"pyproject.toml": "tool = 1\n"}, "skipped pyproject.toml: appending [tool.mlops-lint] would"),
        ({"pyproject.toml": "[project\n"}, "skipped pyproject.toml: pyproject.toml is not valid TOML"),
        ({".mlops-lint.toml": "ignore = []\n", "pyproject.toml": "[project]\n"}, "skipped .mlops-lint.toml: "),
    ],
    ids=["table", "dotted-keys", "inline-tool", "tool-not-a-table", "broken", "own-file"],
)
def test_existing_configuration_is_never_touched(tmp_path: Path, files: dict[str, str], message: str) -> None:
    git_init(tmp_path)
    write_files(tmp_path, files)
    out = _init(tmp_path)
    assert message in out
    for name, content in files.items():
        assert (tmp_path / name).read_text() == content
    assert not ({".mlops-lint.toml"} - set(files)) & {p.name for p in tmp_path.iterdir()}


SAMPLE_PRE_COMMIT = """\
# See https://pre-commit.com for more information
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.5.0
    hooks:
    -   id: trailing-whitespace   # strip spaces
    -   id: check-added-large-files
        args: ['--maxkb=500']
"""

RUFF_STYLE = """\
default_install_hook_types: [pre-commit]
repos:
  # the formatter
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.5.0
    hooks:
      - id: ruff-format
"""


PRETTIER_STYLE = """\
# formatted by prettier: two-space sequences, long flow lists broken by hand
repos:
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: "v1.10.0"
    hooks:
      - id: mypy
        args:
          [
            "--strict",
            "--ignore-missing-imports",
            "--python-version=3.11",
            "--exclude=^(docs|examples|notebooks|benchmarks)/",
          ]
        additional_dependencies: ['types-PyYAML', "types-requests"]

  - repo: https://github.com/psf/black
    rev: 24.4.2
    hooks: [{id: black, args: [--line-length=100]}]

# CI settings follow
ci:
  autofix_prs: false
"""

ZERO_INDENT = "repos:\n- repo: https://github.com/psf/black\n  rev: 24.4.2\n  hooks:\n  - id: black\nfail_fast: true\n"


def _local_entry() -> dict:
    return {
        "repo": "local",
        "hooks": [
            {"id": "mlops-lint", "name": "mlops-lint", "entry": "mlops-lint check --no-history", "language": "system",
             "types": ["file"], "require_serial": False},
            {"id": "mlops-lint-repo", "name": "mlops-lint (repository and history)", "entry": "mlops-lint check",
             "language": "system", "pass_filenames": False, "always_run": True, "require_serial": True,
             "stages": ["pre-push"]},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    "original",
    [SAMPLE_PRE_COMMIT, RUFF_STYLE, PRETTIER_STYLE, ZERO_INDENT, ZERO_INDENT.replace("\n", "\r\n")],
    ids=["pre-commit-sample", "ruff-style", "prettier", "zero-indent", "crlf"],
)
def test_pre_commit_config_keeps_every_byte_and_gets_local_hooks(tmp_path: Path, original: str) -> None:
    git_init(tmp_path)
    (tmp_path / ".pre-commit-config.yaml").write_bytes(original.encode())
    out = _init(tmp_path)
    assert "updated .pre-commit-config.yaml" in out
    merged = (tmp_path / ".pre-commit-config.yaml").read_bytes().decode()
    # every original line is still there, in order and byte for byte: only lines were inserted
    kept = iter(merged.splitlines(keepends=True))
    assert all(line in kept for line in original.splitlines(keepends=True)), merged
    document = yaml.safe_load(merged)
    assert document["repos"][:-1] == yaml.safe_load(original)["repos"]
    assert document["repos"][-1] == _local_entry()
    assert "pre-push" in document["default_install_hook_types"] or "pre-push" in out
    validate = subprocess.run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert "skipped .pre-commit-config.yaml: mlops-lint hooks are configured already" in _init(tmp_path)
    assert (tmp_path / ".pre-commit-config.yaml").read_bytes().decode() == merged  # never twice


def test_stages_list_without_pre_push_is_left_alone_with_a_note(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".pre-commit-config.yaml": RUFF_STYLE})
    out = _init(tmp_path)
    assert "add pre-push to default_install_hook_types" in out
    assert (tmp_path / ".pre-commit-config.yaml").read_text().startswith(RUFF_STYLE.split("#")[0])


def test_flow_style_repos_are_not_rewritten(tmp_path: Path) -> None:
    git_init(tmp_path)
    flow = "repos: [{repo: https://github.com/psf/black, rev: 24.4.2, hooks: [{id: black}]}]\n"
    write_files(tmp_path, {".pre-commit-config.yaml": flow})
    assert "flow style" in _init(tmp_path)
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == flow


@pytest.mark.parametrize("original", ["", "# nothing yet\n", "repos:\n"], ids=["empty", "comment", "null-repos"])
def test_pre_commit_config_without_repos_gets_them(tmp_path: Path, original: str) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".pre-commit-config.yaml": original})
    assert "updated .pre-commit-config.yaml" in _init(tmp_path)
    document = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert document["repos"] == [_local_entry()]
    validate = subprocess.run([str(BIN / "pre-commit"), "validate-config", ".pre-commit-config.yaml"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)  # fmt: skip
    assert validate.returncode == 0, validate.stdout + validate.stderr


def test_a_local_mlops_lint_hook_counts_as_configured(tmp_path: Path) -> None:
    git_init(tmp_path)
    local = "repos:\n- repo: local\n  hooks:\n  - id: mlops-lint\n    name: lint\n    entry: mlops-lint\n"
    local += "    language: system\n"
    write_files(tmp_path, {".pre-commit-config.yaml": local, ".github/workflows/mlops-lint.yml": "name: ours\n"})
    out = _init(tmp_path)
    assert "skipped .pre-commit-config.yaml: mlops-lint hooks are configured already" in out
    assert "skipped .github/workflows/mlops-lint.yml: exists already; not overwritten" in out
    assert (tmp_path / ".pre-commit-config.yaml").read_text() == local
    assert (tmp_path / ".github/workflows/mlops-lint.yml").read_text() == "name: ours\n"


def test_sub_project_config_at_its_root_hooks_at_the_git_top(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"services/model/pyproject.toml": '[project]\nname = "model"\n'})
    _init(tmp_path / "services" / "model")
    assert "[tool.mlops-lint]" in (tmp_path / "services/model/pyproject.toml").read_text()
    assert (tmp_path / "services/model/experiments/TEMPLATE.yaml").is_file()
    assert (tmp_path / ".pre-commit-config.yaml").is_file() and (
        tmp_path / ".github/workflows/mlops-lint.yml"
    ).is_file()
    assert not (tmp_path / "services/model/.github").exists()


def test_init_then_pre_commit_runs_our_hook_offline(tmp_path: Path) -> None:
    """The generated config needs no download: `repo: local` runs the mlops-lint on PATH."""
    repo = tmp_path / "repo"
    git_init(repo)
    write_files(
        repo, {"notebooks/Untitled1.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'}
    )
    assert _cli(repo, "init").returncode == 0
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    env = dict(
        os.environ, NO_COLOR="1", PRE_COMMIT_HOME=str(tmp_path / "home"), PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}"
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), env.get("PYTHONPATH"))))
    # no network: an unreachable proxy makes any download fail at once
    env.update(http_proxy="http://127.0.0.1:9", https_proxy="http://127.0.0.1:9", ALL_PROXY="http://127.0.0.1:9")
    run = subprocess.run([str(BIN / "pre-commit"), "run", "--all-files", "--color", "never"], cwd=repo, env=env,
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert "mlops-lint" in run.stdout and "Failed" in run.stdout, run.stdout + run.stderr
    assert "MLN002" in run.stdout  # our hook ran and found the default notebook name
