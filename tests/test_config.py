"""Configuration: where it is found, selection semantics, per-file ignores, inline suppression."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.config import Config, ConfigError, build_config
from mlops_lint.registry import metas
from mlops_lint.selection import enabled_codes
from tests.helpers import compact, git_init, write_files

METAS = metas()


def codes(config: Config) -> set[str]:
    """Enabled codes, leaving out the engine's own (always on unless ignored)."""
    return {code for code in enabled_codes(METAS, config) if not code.startswith("MLX")}


def test_internal_findings_stay_on_unless_ignored() -> None:
    assert {"MLX001", "MLX002"} <= set(enabled_codes(METAS, Config(select=("MLN004",))))
    assert "MLX001" not in enabled_codes(METAS, Config(ignore={"internal": ""}))


def test_default_set_leaves_opt_in_rules_off() -> None:
    enabled = codes(Config())
    assert "MLN004" in enabled and "MLN001" not in enabled


def test_most_specific_selector_wins() -> None:
    assert codes(Config(select=("naming",), ignore={"MLN001": ""})) == {
        c for c, m in METAS.items() if m.family.value == "naming"
    } - {"MLN001"}
    assert codes(Config(select=("ALL",), ignore={"naming": ""}, extend_select=("MLN002",))) & {
        c for c, m in METAS.items() if m.family.value == "naming"
    } == {"MLN002"}
    assert codes(Config(select=("nonstandard-import-alias",))) == {"MLN004"}
    assert codes(Config(select=("MLN00",))) >= {"MLN001", "MLN002", "MLN004"}


def test_ignore_table_with_reasons() -> None:
    config = build_config({"ignore": {"MLN003": "artifact names are managed by the registry"}}, METAS, "x", None)
    assert "MLN003" not in codes(config)
    assert config.ignore == {"MLN003": "artifact names are managed by the registry"}


def test_unknown_selector_in_file_is_refused() -> None:
    with pytest.raises(ConfigError, match="'MLQ' matches no rule"):
        codes(Config(ignore={"MLQ": ""}))


def lint(root: Path, *paths: str) -> list[str]:
    report = api.lint([root / p for p in paths] or [root], api.Overrides(ignore=("ruff",)))
    return [compact(d) for d in report.diagnostics]


def test_dedicated_file_wins_over_pyproject(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[tool.mlops-lint]\nselect = ["MLN002"]\n',
            ".mlops-lint.toml": 'select = ["MLN004"]\n',
            "a.py": "import numpy as npy\nnpy.ones(1)\n",
            "Untitled.ipynb": "{}",
        },
    )
    assert [line.split(": ")[1].split()[0] for line in lint(tmp_path)] == ["MLN004"]


def test_pyproject_without_our_table_is_not_a_config(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n", "a.py": "import numpy as npy\nnpy.ones(1)\n"})
    assert len(lint(tmp_path)) == 1


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            ".mlops-lint.toml": 'extend-exclude = ["vendor/"]\n[per-file-ignores]\n"tests/**" = ["MLN004"]\n',
            "tests/test_a.py": "import numpy as npy\nnpy.ones(1)\n",
            "vendor/lib.py": "import numpy as npy\nnpy.ones(1)\n",
            "src/a.py": "import numpy as npy\nnpy.ones(1)\n",
        },
    )
    assert lint(tmp_path) == ["src/a.py:1:8: MLN004 Import numpy as 'np' (found 'npy')"]
    # an explicitly named excluded file stays excluded (pre-commit passes file names)
    assert lint(tmp_path, "vendor/lib.py") == []


def test_inline_suppressions(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "a.py": "import numpy as npy  # mlops-lint: ignore[MLN004]\n"
            "import pandas as pds  # noqa: MLN004\n"
            "import seaborn as sb  # noqa\n"
            "import polars as pols  # mlops-lint: ignore[MLN002]\n"
            "import tensorflow as tflow  # mlops-lint: ignore[nonstandard-import-alias]\n",
            "b.py": "# mlops-lint: ignore-file[MLN004]\nimport numpy as npy\n",
        },
    )
    assert lint(tmp_path) == ["a.py:4:8: MLN004 Import polars as 'pl' (found 'pols')"]
    report = api.lint([tmp_path], api.Overrides(ignore=("ruff",)))
    assert report.suppressed == 5


def test_conventions_in_pyproject_report_the_team_message(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.mlops-lint]\n"
                "[[tool.mlops-lint.naming.conventions]]\n"
                'name = "snapshots"\n'
                'glob = "data/snapshots/*.parquet"\n'
                'pattern = "\\\\d{4}-\\\\d{2}-\\\\d{2}"\n'
                'target = "stem"\n'
                'message = "snapshots are named by their ISO date: data/snapshots/2024-05-14.parquet"\n'
            ),
            "data/snapshots/2024-05-14.parquet": "x",
            "data/snapshots/may.parquet": "x",
        },
    )
    assert lint(tmp_path) == [
        "data/snapshots/may.parquet: MLN007 data/snapshots/may.parquet breaks the naming convention 'snapshots': "
        "snapshots are named by their ISO date: data/snapshots/2024-05-14.parquet"
    ]


def test_shipped_config_template_is_valid() -> None:
    from mlops_lint.config import tomllib
    from mlops_lint.resources import templates_dir

    raw = tomllib.loads((templates_dir() / "mlops-lint.toml").read_text(encoding="utf-8"))
    config = build_config(raw, METAS, "mlops-lint.toml", None)
    assert config.rule_options["MLN001"] == {"paths": ["notebooks/**"]}


def _check(root: Path, *args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from mlops_lint.cli import main

    result = CliRunner().invoke(main, ["check", "--no-cache", "--no-history", *args, str(root)])
    return result.exit_code, result.stderr


def test_a_misspelt_table_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlops_lint]\nselect = ["MLN004"]\n', encoding="utf-8")
    code, err = _check(tmp_path)
    assert code == 2 and "[tool.mlops_lint] is not read: did you mean [tool.mlops-lint]?" in err


def test_dedicated_file_takes_either_form(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import pandas as pds\n", encoding="utf-8")
    (tmp_path / ".mlops-lint.toml").write_text('[tool.mlops-lint]\nselect = ["MLD"]\n', encoding="utf-8")
    assert _check(tmp_path)[0] == 0  # the header form is read: MLN004 is not selected
    (tmp_path / ".mlops-lint.toml").write_text('select = ["MLD"]\n', encoding="utf-8")
    assert _check(tmp_path)[0] == 0


def test_every_config_error_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.mlops-lint]\nselect = ["MLN9"]\n', encoding="utf-8")
    code, err = _check(tmp_path)
    assert code == 2 and "pyproject.toml: select: 'MLN9' matches no rule" in err
    (tmp_path / "pyproject.toml").write_text("[tool.mlops-lint]\nexlude = []\n", encoding="utf-8")
    code, err = _check(tmp_path)
    assert code == 2 and "pyproject.toml: tool.mlops-lint.exlude: unknown key (did you mean 'exclude'?)" in err
    (tmp_path / "pyproject.toml").write_text("[tool.mlops-lint]\n", encoding="utf-8")
    code, err = _check(tmp_path, "--select", "MLN9")
    assert code == 2 and "--select: 'MLN9' matches no rule" in err and "pyproject.toml" not in err


def test_baseline_named_in_config_is_written_and_applied(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mlops_lint.cli import main

    (tmp_path / "a.py").write_text("import pandas as pds\n", encoding="utf-8")
    (tmp_path / ".mlops-lint.toml").write_text('baseline = "ci/known.json"\n', encoding="utf-8")
    assert _check(tmp_path)[0] == 1  # not written yet: nothing is filtered
    written = CliRunner().invoke(
        main, ["baseline", "--no-cache", str(tmp_path)] if False else ["baseline", str(tmp_path)]
    )
    assert written.exit_code == 0 and (tmp_path / "ci/known.json").is_file(), written.output
    assert _check(tmp_path)[0] == 0
