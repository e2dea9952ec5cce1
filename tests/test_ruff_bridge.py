"""ruff's findings in the same report: merged, fixable, configurable, and failing softly."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api, ruff_bridge
from tests.helpers import compact, git_init, write_files


def lint(root: Path, **overrides: object) -> list[str]:
    return [compact(d) for d in api.lint([root], api.Overrides(**overrides)).diagnostics]  # type: ignore[arg-type]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "train.py": "import os\nimport numpy as npy\n\nx = npy.random.rand(3)\n",
            "notes.txt": "not python\n",
        },
    )
    return tmp_path


def test_ruff_findings_are_merged_with_ruff_codes(repo: Path) -> None:
    assert lint(repo) == [
        "train.py:1:8: F401 `os` imported but unused",
        "train.py:2:8: MLN004 Import numpy as 'np' (found 'npy')",
    ]
    report = api.lint([repo])
    f401 = next(d for d in report.diagnostics if d.code == "F401")
    assert (f401.name, str(f401.family), str(f401.severity)) == ("unused-import", "code-quality", "warning")


def test_ruff_can_be_deselected_like_a_rule(repo: Path) -> None:
    assert all("MLN004" in line for line in lint(repo, ignore=("ruff",)))
    assert all("MLN004" in line for line in lint(repo, select=("naming",)))
    assert any("F401" in line for line in lint(repo, select=("code-quality",)))


def test_ruff_rule_set_and_the_users_ruff_settings(repo: Path) -> None:
    write_files(
        repo,
        {
            "pyproject.toml": "[tool.mlops-lint.ruff]\nselect = ['F']\n\n"
            "[tool.ruff.lint.per-file-ignores]\n'train.py' = ['F401']\n",
        },
    )
    assert lint(repo) == ["train.py:2:8: MLN004 Import numpy as 'np' (found 'npy')"]


def test_fix_applies_ruffs_safe_fixes_with_ours(repo: Path) -> None:
    report = api.fix([repo])
    assert report.touched == ["train.py"]
    assert (repo / "train.py").read_text(encoding="utf-8") == "import numpy as np\n\nx = np.random.rand(3)\n"
    assert api.fix([repo]).touched == []


def test_missing_ruff_is_one_internal_finding(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ruff_bridge, "ruff_binary", lambda: None)
    assert lint(repo) == [
        ".: MLX002 ruff's findings are missing: the ruff binary was not found (is the `ruff` package installed?)",
        "train.py:2:8: MLN004 Import numpy as 'np' (found 'npy')",
    ]


def test_a_file_that_crashes_ruff_costs_only_its_own_findings(repo: Path) -> None:
    """ruff overflows its stack (SIGABRT) on a 20,000-term expression; bisection finds that file
    and the other files keep ruff's findings. Run twice: the reruns must not spoil ruff's cache."""
    write_files(repo, {f"pkg/m{i}.py": "import os\n" for i in range(5)})
    write_files(repo, {"pkg/chain.py": "a = 1\nx = " + " + ".join(["a"] * 20_000) + "\n"})
    for _run in range(2):
        found = lint(repo, history="none")
        crashed = [line for line in found if "MLX002" in line]
        assert len(crashed) == 1, found
        assert crashed[0].startswith(
            "pkg/chain.py: MLX002 ruff's findings are missing: ruff crashed on this file (exit "
        )
        assert sum(": F401 " in line for line in found) == 6, found  # train.py and pkg/m0..m4.py: nothing lost
