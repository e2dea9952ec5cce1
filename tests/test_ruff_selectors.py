"""ruff's codes are first-class selectors: the codes we print can be selected, ignored, ignored per
file, suppressed inline, explained, and they are checked against ruff's own list."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.cli import main
from mlops_lint.config import ConfigError
from tests.helpers import git_init, make_notebook, write_files

SOURCE = "import os\nimport pandas as pds\n\n\ndef f():\n    unused = 1\n    return pds\n"


def _codes(root: Path, **overrides: object) -> list[str]:
    report = api.lint([root], api.Overrides(cache=False, history="none", **overrides))  # type: ignore[arg-type]
    return sorted(d.code for d in report.diagnostics)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_init(tmp_path)
    write_files(tmp_path, {"train.py": SOURCE, "nb.ipynb": make_notebook(["def g():\n    spare = 2\n    return 1"])})
    return tmp_path


def test_select_a_ruff_code_runs_only_that_code(repo: Path) -> None:
    assert _codes(repo, select=("F401",)) == ["F401"]
    assert _codes(repo, select=("f841",)) == ["F841", "F841"]  # case-insensitive, like our own codes


def test_ignore_a_ruff_code_or_prefix(repo: Path) -> None:
    everything = _codes(repo)
    assert "F401" in everything and "F841" in everything and "MLN004" in everything
    assert "F841" not in _codes(repo, ignore=("F841",))
    assert not any(code.startswith("F") for code in _codes(repo, ignore=("F",)))
    assert "MLN004" in _codes(repo, ignore=("F",))


def test_extend_select_adds_a_ruff_code_beside_ours(repo: Path) -> None:
    write_files(repo, {"long.py": "x = 1  \n"})
    assert "W291" in _codes(repo, extend_select=("W291",))
    assert "W291" not in _codes(repo)


def test_per_file_ignores_take_ruff_codes(repo: Path) -> None:
    write_files(repo, {".mlops-lint.toml": '[per-file-ignores]\n"*.ipynb" = ["F841"]\n'})
    report = api.lint([repo], api.Overrides(cache=False, history="none"))
    f841 = sorted(d.location.path for d in report.diagnostics if d.code == "F841")
    assert f841 == ["train.py"]


def test_inline_suppression_of_a_ruff_code(repo: Path) -> None:
    write_files(repo, {"train.py": SOURCE.replace("unused = 1", "unused = 1  # mlops-lint: ignore[F841]")})
    report = api.lint([repo], api.Overrides(cache=False, history="none"))
    assert [d.location.path for d in report.diagnostics if d.code == "F841"] == ["nb.ipynb"]


def test_an_unknown_code_is_still_an_error(repo: Path) -> None:
    with pytest.raises(ConfigError, match="'F9999' matches no rule"):
        _codes(repo, select=("F9999",))
    result = CliRunner().invoke(main, ["check", str(repo), "--ignore", "Q9999"])
    assert result.exit_code == 2 and "matches no rule" in result.stderr


def test_rules_explain_a_ruff_code_prints_ruffs_documentation() -> None:
    result = CliRunner().invoke(main, ["rules", "explain", "F401"])
    assert result.exit_code == 0 and "# unused-import (F401)" in result.stdout


def test_side_effect_imports_are_not_unused(tmp_path: Path) -> None:
    git_init(tmp_path)
    source = "from sklearn.experimental import enable_halving_search_cv\nimport this\nimport os\n"
    write_files(tmp_path, {"a.py": source})
    report = api.lint([tmp_path], api.Overrides(cache=False, history="none"))
    assert [d.message for d in report.diagnostics if d.code == "F401"] == ["`os` imported but unused"]
