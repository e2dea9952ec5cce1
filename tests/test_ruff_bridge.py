"""ruff's findings in the same report: merged, fixable, configurable, and failing softly."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mlops_lint import api, ruff_bridge, ruff_project
from mlops_lint.context import flake8_config, lint_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.helpers import compact, git_init, make_notebook, write_files


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
    assert (f401.name, str(f401.family), str(f401.severity)) == ("unused-import", "code-quality", "info")


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


# --- the repository's own lint configuration narrows ruff's findings, never widens them ---

UNUSED = "import os\n\n\ndef f():\n    x = 1\n"
REPEAT = "[tool.mlops-lint.ruff]\ndefer-to-project-linter = false\n"  # to see what the project's settings narrow


def placed(root: Path, *select: str) -> list[str]:
    """`path[:cell N]:line:col: CODE` of each finding, without the message."""
    return [re.match(r"^(.*?: [A-Z]+[0-9]+)", line).group(1) for line in lint(root, select=select)]  # type: ignore[union-attr]


def test_the_projects_ruff_ignore_survives_our_selection(tmp_path: Path) -> None:
    """`--select` once cancelled the project's `ignore`: F841 came back that `ruff check` hid."""
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "train.py": UNUSED + "import numpy as np\nnp.float(1)\n",
            "pyproject.toml": REPEAT + "[tool.ruff.lint]\nignore = ['F841', 'NPY']\n",
        },
    )
    assert lint(tmp_path, select=("ruff",)) == ["train.py:1:8: F401 `os` imported but unused"]


def test_the_projects_ignores_from_extend_and_the_legacy_top_level(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "train.py": "import pandas as pd\n\ndf = pd.DataFrame()\ndf.isnull()\ndf.notnull()\n",
            "base.toml": "[lint]\nignore = ['PD003']\n",
            "ruff.toml": "extend = 'base.toml'\nextend-ignore = ['PD004']\n",
        },
    )
    assert lint(tmp_path, select=("ruff",)) == []
    (tmp_path / "ruff.toml").write_text("extend = 'base.toml'\n", encoding="utf-8")
    assert lint(tmp_path, select=("ruff",)) == [
        "train.py:5:1: PD004 `.notna` is preferred to `.notnull`; functionality is equivalent"
    ]


def test_a_required_version_of_another_ruff_no_longer_silences_ruff(tmp_path: Path) -> None:
    """ruff refuses to start under a `required-version` it does not meet; the project's table is
    copied without that key, so its ignores, per-file-ignores and excludes still hold."""
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "train.py": "import yaml\nyaml.load(open('a'), Loader=yaml.Loader)\nimport numpy as np\nnp.float(1)\n",
            "skip/old.py": "import numpy as np\nnp.int(1)\n",
            "legacy/old.py": "import numpy as np\nnp.int(1)\n",
            "pyproject.toml": "[tool.ruff]\nrequired-version = '==0.0.1'\nextend-exclude = ['skip']\n"
            "[tool.ruff.lint]\nignore = ['S506']\n[tool.ruff.lint.per-file-ignores]\n'legacy/*' = ['NPY']\n",
        },
    )
    found = lint(tmp_path, select=("ruff", "MLX002"))
    assert [line.split(" ", 2)[:2] for line in found] == [["train.py:4:1:", "NPY001"]], found


def test_a_ruff_setting_that_the_copy_cannot_hold_is_reported_not_hidden(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path, {"a.py": "x = 1\n", "ruff.toml": "required-version = '==0.0.1'\n[lint]\nselect = ['NOTARULE']\n"}
    )
    assert lint(tmp_path, select=("ruff", "MLX002")) == [
        ".: MLX002 ruff's findings are missing: ruff failed (exit 2):   Cause: Unknown rule selector `NOTARULE` "
        "in `select` from `ruff.toml (read without its `required-version`)`"
    ]


def test_flake8_ignores_in_setup_cfg_tox_ini_and_dot_flake8(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "pyproject.toml": REPEAT,
            "a.py": UNUSED,
            "tests/test_a.py": UNUSED,
            "notebooks/n.py": UNUSED,
            "setup.cfg": "[flake8]\nextend-ignore = E203,F841\nper-file-ignores =\n    tests/*: F401\n"
            "exclude = .git,notebooks\n",
        },
    )
    assert lint(tmp_path, select=("ruff",)) == ["a.py:1:8: F401 `os` imported but unused"]
    for name in ("tox.ini", ".flake8"):
        (tmp_path / "setup.cfg").unlink(missing_ok=True)
        write_files(tmp_path, {name: "[flake8]\nignore = F4\n"})
        assert [line[-4:] for line in placed(tmp_path, "ruff")] == ["F841"] * 3, name
        (tmp_path / name).unlink()


def test_flake8_arguments_of_a_pre_commit_hook(tmp_path: Path) -> None:
    """lightning-hydra-template switches F401 and F841 off in its flake8 hook's arguments."""
    git_init(tmp_path)
    hooks = (
        "repos:\n  - repo: https://github.com/PyCQA/flake8\n    rev: 6.0.0\n    hooks:\n      - id: flake8\n"
        '        args: ["--extend-ignore", "E203,E402,F401,F841", "--exclude", "logs/*"]\n'
    )
    write_files(tmp_path, {"pyproject.toml": REPEAT, "a.py": UNUSED, ".pre-commit-config.yaml": hooks})
    assert lint(tmp_path, select=("ruff",)) == []


def test_generic_findings_are_left_to_the_linter_the_repository_runs(tmp_path: Path) -> None:
    """flake8 (hook or config) lints .py files, not notebooks; ruff lints both; nbQA brings notebooks in."""
    git_init(tmp_path)
    notebook = make_notebook(["import os\nimport numpy as np\nnp.float(1)\n"])
    write_files(tmp_path, {"a.py": "import os\nimport numpy as np\nnp.float(1)\n", "n.ipynb": notebook})
    everything = ["a.py:1:8: F401", "a.py:3:1: NPY001", "n.ipynb:cell 1:1:8: F401", "n.ipynb:cell 1:3:1: NPY001"]
    assert placed(tmp_path, "ruff") == everything
    write_files(tmp_path, {".flake8": "[flake8]\nmax-line-length = 99\n"})
    assert placed(tmp_path, "ruff") == [everything[1], *everything[2:]]
    hooks = "repos:\n  - repo: https://github.com/nbQA-dev/nbQA\n    rev: 1.6.3\n    hooks:\n      - id: nbqa-flake8\n"
    write_files(tmp_path, {".pre-commit-config.yaml": hooks})
    assert placed(tmp_path, "ruff") == [everything[1], everything[3]]
    (tmp_path / ".flake8").unlink()
    (tmp_path / ".pre-commit-config.yaml").unlink()
    write_files(tmp_path, {"pyproject.toml": "[tool.ruff]\nline-length = 100\n"})
    assert placed(tmp_path, "ruff") == [everything[1], everything[3]]
    write_files(tmp_path, {"pyproject.toml": "[tool.ruff.format]\nquote-style = 'single'\n"})  # formatter only
    assert len(lint(tmp_path, select=("ruff",))) == 4


def test_a_nested_linter_configuration_covers_its_folder(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"a.py": UNUSED, "sub/a.py": UNUSED, "sub/.pylintrc": "[MESSAGES CONTROL]\ndisable=C\n"})
    assert placed(tmp_path, "ruff") == ["a.py:1:8: F401", "a.py:5:5: F841"]


def test_re_exports_in_init_are_not_unused_imports(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"pkg/__init__.py": "from .core import fit\nimport os\n", "pkg/core.py": "import os\n"})
    assert lint(tmp_path, select=("ruff",)) == ["pkg/core.py:1:8: F401 `os` imported but unused"]


def test_names_that_ipython_and_jupyter_provide_are_not_undefined(tmp_path: Path) -> None:
    git_init(tmp_path)
    notebook = make_notebook(
        [
            "%%capture captured\nprint(1)\n",
            "%store -r stored\n%time X_reduced = sorted([2, 1])\nprint(_, __, In[1], Out, _5, _i3)\n",
            "display(captured, stored, X_reduced, get_ipython())\nprint(missing)\n",
        ]
    )
    write_files(
        tmp_path,
        {
            "n.ipynb": notebook,
            "docker/jupyter_notebook_config.py": "c.ServerApp.ip = '0.0.0.0'\n",
            "ipython_config.py": "c = get_config()\nc.InteractiveShell.xmode = 'Plain'\n",
            "other_config.py": "c.Foo = 1\n",
        },
    )
    assert lint(tmp_path, select=("ruff",)) == [
        "n.ipynb:cell 3:2:7: F821 Undefined name `missing`",
        "other_config.py:1:1: F821 Undefined name `c`",
    ]


def test_run_magic_makes_every_name_possible(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"n.ipynb": make_notebook(["%run setup.py\n", "print(model)\n"])})
    assert lint(tmp_path, select=("ruff",)) == []


def test_hidden_state_is_reported_once_by_mlj004_not_again_as_f821(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"n.ipynb": make_notebook(["print(total)\n", "total = 1\n"])})
    assert placed(tmp_path, "ruff", "MLJ004") == ["n.ipynb:cell 1:1:7: MLJ004"]
    assert placed(tmp_path, "ruff") == ["n.ipynb:cell 1:1:7: F821"]


def test_severities_say_what_a_maintainer_does_with_the_finding(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "a.py": "import os\nimport yaml\nyaml.load(open('a'), Loader=yaml.FullLoader)\n"
            "yaml.load(open('a'), Loader=yaml.Loader)\nprint(undefined)\n",
            "n.ipynb": make_notebook(["def f():\n    return 1\n", "def f():\n    return 2\n"]),
        },
    )
    report = api.lint([tmp_path], api.Overrides(select=("ruff",)))
    assert [(d.code, str(d.severity)) for d in report.diagnostics] == [
        ("F401", "info"),
        ("S506", "info"),
        ("S506", "warning"),
        ("F821", "error"),
        ("F811", "info"),
    ]


# --- the pieces, directly ---


def test_flake8_per_file_ignores_are_read_as_flake8_reads_them() -> None:
    config = flake8_config.from_options(
        {"per_file_ignores": "src/__init__.py:F401\n  tests/*: S101, F8\n  a.py b.py:E501", "exclude": "build,.git"},
        "setup.cfg [flake8]",
    )
    assert config.per_file == (
        ("src/__init__.py", ("F401",)),
        ("tests/*", ("S101", "F8")),
        ("a.py", ("E501",)),
        ("b.py", ("E501",)),
    )
    assert config.silences("tests/unit/test_x.py", "F811")  # `*` crosses folders, as in fnmatch
    assert config.silences("build/lib/m.py", "F401") and config.silences("pkg/build/m.py", "F401")
    assert config.silences("x/b.py", "E501") and not config.silences("x/b.py", "F401")
    assert not config.silences("src/pkg/__init__.py", "F401")


def test_flake8_arguments_in_both_spellings() -> None:
    config = flake8_config.from_arguments(
        ["--extend-ignore=E203,F401", "--ignore", "W503", "--max-line-length", "99"], "hook", (".py",)
    )
    assert config.ignore == ("W503", "E203", "F401")
    assert not config.silences("n.ipynb", "F401")


@pytest.mark.parametrize(
    ("required", "needed"),
    [(">=0.1", False), ("==0.0.1", True), ("0.0.1", True), ("<0.1", True), ("not a version", True)],
)
def test_required_version_is_read_as_ruff_reads_it(required: str, needed: bool) -> None:
    config = lint_config.RuffConfig(path="ruff.toml", table={"required-version": required})
    assert ruff_project.needs_override(config, "0.17.6") is needed


def test_the_settings_copy_is_the_same_toml(tmp_path: Path) -> None:
    table = {
        "required-version": "==0.1",
        "line-length": 100,
        "lint": {"ignore": ["F841"], "per-file-ignores": {'we"ird/*': ["F401"]}, "preview": True, "x": 1.5},
        "src": ["é", "tab\there\x7f"],
    }
    text = ruff_project.override_file_text(tmp_path, lint_config.RuffConfig(path="pyproject.toml", table=table))
    assert tomllib.loads(text) == {key: value for key, value in table.items() if key != "required-version"}


def test_only_the_projects_ignores_that_touch_our_codes_are_passed() -> None:
    chosen = ["F", "E9", "NPY201", "S506"]
    ignores = ["E501", "F841", "E", "NPY", "RST2", "S", "ANN101", "ALL", "not-a-code"]
    assert ruff_project.relevant_ignores(ignores, chosen) == ["F841", "E", "NPY", "S", "ALL"]


def test_a_numpy_compatibility_shim_is_not_a_numpy_2_finding(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "metrics.py": "import numpy as np\n\ntrapezoid = np.trapezoid if hasattr(np, 'trapezoid') else np.trapz\n"
            "area = np.trapz([1, 2])\n"
        },
    )
    assert placed(tmp_path, "ruff") == ["metrics.py:4:8: NPY201"]
