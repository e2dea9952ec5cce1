"""The command line as users meet it: exit codes, output formats, configuration errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint.cli import main
from tests.helpers import git_init, write_files

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
JSON_FIELDS = {
    "code", "name", "family", "severity", "message", "path", "line", "column",
    "end_line", "end_column", "cell", "cell_line", "commit", "fix", "help",
}  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def examples_copy(tmp_path: Path) -> Path:
    """The bundled example repository, copied so that fixes cannot touch the checkout."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    git_init(target)
    return target


def test_check_examples_prints_findings_and_exits_1() -> None:
    code, out, _ = run("check", str(EXAMPLES))
    assert code == 1
    assert "src/churn/train.py:4:8: MLN004 [*] info: Import pandas as 'pd' (found 'pds')" in out
    assert "help: Rename 'pds' to 'pd'" in out
    assert "scripts/legacy_export.py:4:1: MLX001" in out
    assert "Found " in out and "fixable with `mlops-lint fix`" in out


def test_default_command_is_check() -> None:
    assert run(str(EXAMPLES))[0] == 1


def test_json_output_is_a_list_of_findings_with_every_field() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--output-format", "json")
    assert code == 1
    findings = json.loads(out)
    assert findings and all(set(f) == JSON_FIELDS for f in findings)
    alias = next(f for f in findings if f["code"] == "MLN004")
    assert alias["family"] == "naming" and alias["severity"] == "info"
    assert (alias["line"], alias["column"], alias["end_line"], alias["end_column"]) == (4, 8, 4, 21)
    assert alias["fix"]["applicability"] == "safe"
    assert {"kind": "replace", "path": "src/churn/train.py", "start_line": 4, "start_column": 18,
            "end_line": 4, "end_column": 21, "content": "pd"} in alias["fix"]["edits"]  # fmt: skip
    internal = next(f for f in findings if f["code"] == "MLX001")
    assert internal["family"] == "internal" and internal["line"] == 4
    assert internal["help"] and alias["help"] is None  # the catalogue's help where the finding has no fix title


def test_exit_zero() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--exit-zero")
    assert code == 0 and "MLN004" in out


def test_statistics() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--statistics")
    assert code == 1
    assert "1\tMLN004\t[*] nonstandard-import-alias" in out.splitlines()


def test_select_and_ignore_on_the_command_line() -> None:
    code, out, _ = run("check", str(EXAMPLES), "--select", "MLN004")
    fired = {line.split(": ")[1].split()[0] for line in out.splitlines() if ": ML" in line}
    assert code == 1 and fired == {"MLN004", "MLX001"}  # internal findings stay on unless ignored
    code, out, _ = run("check", str(EXAMPLES), "--select", "naming", "--ignore", "MLN004,MLN001")
    assert "MLN004" not in out and "MLN001" not in out and "MLN002" in out and "MLX001" in out


def test_unknown_selector_is_a_usage_error() -> None:
    code, _, err = run("check", str(EXAMPLES), "--select", "MLN9")
    assert code == 2
    assert "'MLN9' matches no rule" in err


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selct = ["naming"]\n', "tool.mlops-lint.selct: unknown key"),
        ('select = "naming"\n', "tool.mlops-lint.select: expected array, got str"),
        ("[tool.mlops-lint.rules.MLN004]\naliases = 1\n", "tool.mlops-lint.rules.MLN004.aliases: expected object"),
        ("[tool.mlops-lint.rules.MLN004]\naliasez = {}\n", "tool.mlops-lint.rules.MLN004.aliasez: unknown key"),
        ("[tool.mlops-lint.rules.MLN998]\n", "tool.mlops-lint.rules.MLN998: no such rule"),
        ("ignore = 3\n", "tool.mlops-lint.ignore: expected array or object, got int"),
        ('fail-on = "warn"\n', "tool.mlops-lint.fail-on: 'warn' is not one of ['error', 'warning', 'info']"),
        ('[[tool.mlops-lint.naming.conventions]]\nglob = "a/"\npattern = "("\n',
         "tool.mlops-lint.naming.conventions[0].pattern: invalid regular expression"),
    ],
)  # fmt: skip
def test_malformed_configuration_exits_2_with_one_line_naming_the_key(tmp_path: Path, table: str, message: str) -> None:
    git_init(tmp_path)
    header = "" if table.startswith("[") else "[tool.mlops-lint]\n"
    write_files(tmp_path, {"pyproject.toml": header + table, "train.py": "import pandas as pds\n"})
    code, out, err = run("check", str(tmp_path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert message in lines[0]


def test_invalid_toml_exits_2(tmp_path: Path) -> None:
    write_files(tmp_path, {".mlops-lint.toml": "select = [\n"})
    code, _, err = run("check", str(tmp_path))
    assert code == 2 and ".mlops-lint.toml: invalid TOML" in err


def test_syntax_error_is_an_internal_finding_and_other_files_are_still_checked(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"broken.py": "def f(:\n    pass\n", "ok.py": "import numpy as npy\n\nnpy.ones(1)\n"})
    code, out, _ = run("check", str(tmp_path), "--output-format", "json")
    findings = json.loads(out)
    assert code == 1
    assert [(f["code"], f["path"], f["line"], f["family"]) for f in findings] == [
        ("MLX001", "broken.py", 1, "internal"),
        ("MLN004", "ok.py", 1, "naming"),
    ]


def test_clean_repository_exits_0(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"src/pkg/__init__.py": "", "src/pkg/train.py": "import numpy as np\n\nnp.ones(1)\n"})
    code, out, _ = run("check", str(tmp_path))
    assert (code, out) == (0, "All checks passed (2 files).\n")


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "nope.py"))
    assert code == 2 and "path does not exist" in err


def test_rules_json_lists_every_rule_with_its_fields() -> None:
    code, out, _ = run("rules", "--output-format", "json")
    rules = json.loads(out)
    assert code == 0
    assert all({"code", "name", "family", "severity", "fixable", "summary"} <= set(r) for r in rules)
    naming = [r for r in rules if r["family"] == "naming"]
    assert len(naming) >= 5
    assert next(r for r in rules if r["code"] == "MLN004")["fixable"] is True


def test_rules_family_filter() -> None:
    code, out, _ = run("rules", "--family", "internal")
    assert code == 0 and "\nMLX001 " in out and "MLN" not in out


def test_rules_explain_renders_the_docs_in_order() -> None:
    code, out, _ = run("rules", "explain", "MLN004")
    assert code == 0
    order = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options", "## Fix safety"]
    positions = [out.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert run("rules", "explain", "nonstandard-import-alias")[1] == out
    assert run("rules", "explain", "MLN000")[0] == 2


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("mlops-lint, version ")


def test_fix_diff_previews_and_writes_nothing(examples_copy: Path) -> None:
    before = (examples_copy / "src/churn/train.py").read_text(encoding="utf-8")
    code, out, _ = run("fix", str(examples_copy), "--diff")
    assert code == 1
    assert (
        out.startswith("--- a/dvc.yaml\n+++ b/dvc.yaml\n")
        and "\n--- a/src/churn/train.py\n+++ b/src/churn/train.py\n" in out
    )
    assert "-import pandas as pds\n+import pandas as pd\n" in out
    assert "\n-    frame = pds.read_csv(path)\n" in out and "\n+    frame = pd.read_csv(path)\n" in out
    assert (examples_copy / "src/churn/train.py").read_text(encoding="utf-8") == before


def test_fix_applies_then_second_fix_changes_nothing(examples_copy: Path) -> None:
    code, out, _ = run("fix", str(examples_copy))
    assert "Fixed 4 findings in 3 files (2 more with --unsafe-fixes)." in out
    assert code == 1  # unfixable findings remain
    assert "MLN004" not in out
    text = (examples_copy / "src/churn/train.py").read_text(encoding="utf-8")
    assert "import pandas as pd\n" in text and "pds" not in text
    code, out, _ = run("fix", str(examples_copy))
    assert "Fixed 0 findings in 0 files (2 more with --unsafe-fixes)." in out
    code, out, err = run("fix", str(examples_copy), "--diff")
    assert (code, out) == (0, "") and err.strip() == "Would fix 0 findings in 0 files (2 more with --unsafe-fixes)."


def test_fix_diff_ends_with_a_summary_on_stderr(examples_copy: Path) -> None:
    code, out, err = run("fix", str(examples_copy), "--diff")
    assert code == 1 and out.startswith("--- a/")
    assert err.strip().splitlines()[-1] == "Would fix 4 findings in 3 files (2 more with --unsafe-fixes)."
    code, out, err = run("fix", str(examples_copy), "--diff", "--unsafe-fixes")
    assert err.strip().splitlines()[-1] == "Would fix 6 findings in 3 files."


def test_fix_honours_no_color(examples_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    from mlops_lint import cli

    assert cli._colour() is False
    monkeypatch.delenv("NO_COLOR")
    assert cli._colour() is True


def test_statistics_as_json_and_when_clean(tmp_path: Path) -> None:
    _, out, _ = run("check", str(EXAMPLES), "--statistics", "--output-format", "json")
    rows = json.loads(out)
    assert {"code": "MLN004", "name": "nonstandard-import-alias", "count": 1, "fixable": True} in rows
    git_init(tmp_path)
    write_files(tmp_path, {"a.py": "import numpy as np\n\nnp.ones(1)\n"})
    assert run("check", str(tmp_path), "--statistics") == (0, "All checks passed (1 file).\n", "")


def test_a_family_without_rules_yet_is_a_valid_selector() -> None:
    assert run("check", str(EXAMPLES), "--select", "notebooks", "--ignore", "internal")[0] == 0


def test_templates_are_not_linted_by_default(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"{{ cookiecutter.name }}/{{ cookiecutter.module }}/__init__.py": "{% if x %}\n"})
    assert run("check", str(tmp_path))[0] == 0


def test_long_expressions_are_analysed_and_pathological_nesting_is_one_finding(tmp_path: Path) -> None:
    git_init(tmp_path)
    # 2,000 chained additions: ast accepts it and libcst needs a deep stack (real Kaggle code has such lines)
    long = "import pandas as pd\n\ndf = pd.DataFrame()\nx = " + " + ".join(["df"] * 2000) + "\nprint(df.values)\n"
    deep = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"  # beyond what ast.parse accepts
    write_files(tmp_path, {"long.py": long, "deep.py": deep, "ok.py": "import numpy as npy\n\nnpy.ones(1)\n"})
    code, out, err = run("check", str(tmp_path), "--ignore", "ruff")
    assert code == 1, err
    assert "long.py:5:7: MLS009" in out
    assert "deep.py:1:" in out and "MLX001 error: File cannot be parsed" in out
    assert "ok.py:1:8: MLN004" in out
    assert "crashed" not in out + err


def test_code_libcst_refuses_is_one_internal_finding(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "a.py": "import numpy as npy\n\nx = 1.4 if npy.e else(1.0 if npy.pi else 0.6)\n",  # valid Python
            "b.py": "import numpy as npy\n\nnpy.ones(1)\n",
        },
    )
    code, out, err = run("check", str(tmp_path), "--ignore", "ruff")
    assert code == 1 and "crashed" not in out + err
    assert "a.py:1:1: MLX001 error: File cannot be parsed: libcst, which the Python rules use, rejects" in out
    assert "b.py:1:8: MLN004" in out


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("mln004", "# nonstandard-import-alias (MLN004)"),
        ("MLD013", "(MLD013 is now MLG001.)"),
        ("naming", "MLN002  untitled-or-copied-notebook"),
        ("MLS01", "MLS012  "),
        ("ruff", "# ruff's findings (ruff)"),
        ("F401", "# unused-import (F401)"),
    ],
)
def test_rules_explain_accepts_what_select_accepts(selector: str, expected: str) -> None:
    code, out, _ = run("rules", "explain", selector)
    assert code == 0 and expected in out


def test_rules_explain_suggests_a_near_miss() -> None:
    code, _, err = run("rules", "explain", "mln04")
    assert code == 2 and "did you mean 'MLN004'?" in err


def test_selectors_are_case_insensitive_and_near_misses_are_suggested(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / "a.py").write_text("import pandas as pds\n", encoding="utf-8")
    code, out, _ = run("check", str(tmp_path), "--no-cache", "--select", "mln004")
    assert code == 1 and "MLN004" in out
    code, _, err = run("check", str(tmp_path), "--no-cache", "--select", "MLN04")
    assert code == 2 and "did you mean 'MLN004'?" in err


def test_rules_columns_are_stable_and_say_default_and_fix() -> None:
    _, every, _ = run("rules")
    _, naming, _ = run("rules", "--family", "naming")
    header = every.splitlines()[0]
    assert header.split() == ["code", "name", "family", "severity", "default", "fix", "summary"]
    assert naming.splitlines()[0] == header  # a filter does not shift the columns
    row = next(line for line in every.splitlines() if line.startswith("MLR001"))
    assert row.split()[4:6] == ["on", "unsafe"]
    assert "[*]" not in every  # [*] means a safe fix in `check`; the column says safe/unsafe/none


def test_help_lists_every_command_untruncated() -> None:
    _, out, _ = run("--help")
    commands = out.split("Commands:")[1]
    assert "..." not in commands
    assert {line.split()[0] for line in commands.strip().splitlines()} >= {
        "baseline",
        "check",
        "fix",
        "init",
        "new",
        "rules",
    }


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    command = f"{sys.executable} -c 'from mlops_lint.cli import main; main()' rules | head -1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, check=False, cwd=ROOT)
    assert result.stdout.startswith("code") and "internal error" not in result.stderr


def test_paths_are_shown_from_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """text, GitHub and JUnit show paths a terminal resolves from where the command ran; JSON and SARIF
    keep project-relative paths (their documented form)."""
    project = tmp_path / "project"
    git_init(project)
    write_files(project, {"src/a.py": "import pandas as pds\nprint(pds)\n"})
    monkeypatch.chdir(tmp_path)
    out = run("check", "project", "--no-cache", "--select", "MLN004")[1]
    assert out.startswith("project/src/a.py:1:8: MLN004")
    github = run("check", "project", "--no-cache", "--select", "MLN004", "--output-format", "github")[1]
    assert "file=project/src/a.py" in github
    junit = run("check", "project", "--no-cache", "--select", "MLN004", "--output-format", "junit")[1]
    assert 'file="project/src/a.py"' in junit
    as_json = json.loads(run("check", "project", "--no-cache", "--select", "MLN004", "--output-format", "json")[1])
    assert as_json[0]["path"] == "src/a.py"
    monkeypatch.chdir(project)
    assert run("check", ".", "--no-cache", "--select", "MLN004")[1].startswith("src/a.py:1:8: MLN004")
