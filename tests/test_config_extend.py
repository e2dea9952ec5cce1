"""`extend`: a shared conventions file that many repositories build on, and `config show`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint.cli import main
from mlops_lint.config import ConfigError, load_config
from mlops_lint.registry import metas

META = metas()


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _org(tmp_path: Path) -> Path:
    """An organisation's conventions, in a folder beside the repository (a submodule, say)."""
    _write(tmp_path / "org" / "base.toml", 'select = ["naming"]\nextend-select = ["MLE006"]\n'
           'fail-on = "warning"\n[rules.MLN004]\naliases = {numpy = "np", pandas = "pd"}\n')  # fmt: skip
    return _write(
        tmp_path / "org" / "ml.toml",
        'extend = "base.toml"\nextend-exclude = ["vendor/"]\n[rules.MLN004]\naliases = {numpy = "np"}\n',
    )


def test_the_extending_file_overrides_the_base_key_by_key(tmp_path: Path) -> None:
    _org(tmp_path)
    repo = tmp_path / "repo"
    _write(repo / "pyproject.toml", '[tool.mlops-lint]\nextend = "../org/ml.toml"\nfail-on = "error"\n'
           '[tool.mlops-lint.rules.MLE006]\n')  # fmt: skip
    config = load_config(repo, META)
    assert config.select == ("naming",)  # from base.toml, two files up the chain
    assert config.extend_select == ("MLE006",)
    assert config.fail_on == "error"  # the repository's own value wins
    assert config.rule_options["MLN004"] == {"aliases": {"numpy": "np"}}  # ml.toml's value replaces base's
    assert "MLE006" in config.rule_options  # tables merge: the repository adds a rule's table
    assert config.exclude[-1] == "vendor/"
    assert config.source == str(repo / "pyproject.toml")


def test_extend_lists_add_up_unless_the_extending_file_starts_afresh(tmp_path: Path) -> None:
    _write(tmp_path / "base.toml", 'extend-select = ["MLE006"]\nextend-exclude = ["a/"]\n')
    _write(tmp_path / "add.toml", 'extend = "base.toml"\nextend-select = ["MLN001"]\nextend-exclude = ["b/"]\n')
    _write(tmp_path / "reset.toml", 'extend = "base.toml"\nselect = ["data"]\nexclude = ["c/"]\n')
    added = load_config(tmp_path, META, tmp_path / "add.toml")
    assert added.extend_select == ("MLE006", "MLN001")
    assert added.exclude[-2:] == ("a/", "b/")
    reset = load_config(tmp_path, META, tmp_path / "reset.toml")
    assert (reset.select, reset.extend_select, reset.exclude) == (("data",), (), ("c/",))


def test_a_cycle_is_an_error_that_names_the_chain(tmp_path: Path) -> None:
    _write(tmp_path / "a.toml", 'extend = "sub/b.toml"\n')
    _write(tmp_path / "sub" / "b.toml", 'extend = "../a.toml"\n')
    with pytest.raises(ConfigError, match=r"a.toml: extend cycle: .*a\.toml -> .*sub/b\.toml -> .*a\.toml$"):
        load_config(tmp_path, META, tmp_path / "a.toml")


def test_a_file_that_extends_itself_is_a_cycle(tmp_path: Path) -> None:
    _write(tmp_path / ".mlops-lint.toml", 'extend = "./.mlops-lint.toml"\n')
    with pytest.raises(ConfigError, match="extend cycle"):
        load_config(tmp_path, META)


def test_a_missing_base_names_the_extending_file(tmp_path: Path) -> None:
    _write(tmp_path / ".mlops-lint.toml", 'extend = "conventions/none.toml"\n')
    with pytest.raises(ConfigError, match=r"^\.mlops-lint\.toml: extend: conventions/none\.toml not found"):
        load_config(tmp_path, META)


def test_an_error_in_a_base_names_the_base(tmp_path: Path) -> None:
    _write(tmp_path / "base.toml", 'fail-on = "sometimes"\n')
    _write(tmp_path / ".mlops-lint.toml", 'extend = "base.toml"\n')
    with pytest.raises(ConfigError, match=r"^base\.toml: \(top level\)\.fail-on"):
        load_config(tmp_path, META)


def test_a_pyproject_base_is_read_from_its_tool_table(tmp_path: Path) -> None:
    _write(tmp_path / "shared" / "pyproject.toml", '[project]\nname = "x"\n[tool.mlops-lint]\nselect = ["data"]\n')
    _write(tmp_path / ".mlops-lint.toml", 'extend = "shared/pyproject.toml"\n')
    assert load_config(tmp_path, META).select == ("data",)


def test_config_show_prints_the_effective_table_with_origins(tmp_path: Path) -> None:
    _org(tmp_path)
    repo = tmp_path / "repo"
    _write(repo / ".mlops-lint.toml", 'extend = "../org/ml.toml"\nfail-on = "error"\n')
    result = CliRunner().invoke(main, ["config", "show", str(repo)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert 'fail-on = "error"  # .mlops-lint.toml' in out
    assert 'select = ["naming"]  # ' in out and "org/base.toml" in out
    assert "max-file-bytes = 33554432  # (default)" in out
    assert "[rules.MLN004]" in out
    as_json = json.loads(CliRunner().invoke(main, ["config", "show", str(repo), "--output-format", "json"]).stdout)
    assert as_json["files"][-1] == ".mlops-lint.toml" and len(as_json["files"]) == 3
    assert as_json["config"]["rules"]["MLN004"] == {"aliases": {"numpy": "np"}}
    assert as_json["origins"]["rules.MLN004.aliases"].endswith("org/ml.toml")
    assert as_json["origins"]["fail-on"] == ".mlops-lint.toml"


def test_config_show_refuses_a_broken_configuration_with_exit_2(tmp_path: Path) -> None:
    _write(tmp_path / ".mlops-lint.toml", 'extend = "."\n')
    result = CliRunner().invoke(main, ["config", "show", str(tmp_path)])
    assert result.exit_code == 2
    assert "invalid configuration" in result.stderr
