"""Baselines: acknowledge today's findings, report only new ones, survive line moves, only shrink."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.cli import main
from tests.helpers import commit_all, git_init, write_files

# MLS009 (.values on a DataFrame) on every line: 100 findings in four files
BODY = "import pandas as pd\ndf = pd.DataFrame()\n" + "".join(f"v{i} = df.values\n" for i in range(25))


def _repo(root: Path) -> None:
    git_init(root)
    write_files(root, {f"src/m{n}.py": BODY for n in range(4)})
    write_files(root, {".mlops-lint.toml": 'select = ["MLS009"]\n'})
    commit_all(root, "legacy code")


def _check(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["check", "--no-history", *args, str(root)])


def test_only_new_findings_are_reported_even_after_lines_move(tmp_path: Path) -> None:
    _repo(tmp_path)
    assert len(api.lint([tmp_path], api.Overrides(history="none")).diagnostics) == 100
    written = CliRunner().invoke(main, ["baseline", "--file", str(tmp_path / "base.json"), str(tmp_path)])
    assert written.exit_code == 0 and "Wrote 100 findings" in written.stdout
    assert _check(tmp_path, "--baseline", str(tmp_path / "base.json")).exit_code == 0

    module = tmp_path / "src/m2.py"
    module.write_text(module.read_text() + "new = df.values\n")
    result = _check(tmp_path, "--baseline", str(tmp_path / "base.json"))
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if "MLS009" in line] == [
        f"{Path('src/m2.py')}:28:7: MLS009 [*] info: Use .to_numpy() instead of .values on a DataFrame".replace(
            "\\", "/"
        )
    ]
    assert "100 findings acknowledged in the baseline not shown." in result.stdout

    module.write_text("\n\n\n# moved down\n" + module.read_text())  # every old finding moves four lines
    moved = _check(tmp_path, "--baseline", str(tmp_path / "base.json"))
    assert moved.exit_code == 1
    assert [line.split(": ")[0] for line in moved.stdout.splitlines() if "MLS009" in line] == ["src/m2.py:32:7"]


def test_a_duplicate_of_an_acknowledged_line_is_new(tmp_path: Path) -> None:
    _repo(tmp_path)
    CliRunner().invoke(main, ["baseline", "--file", str(tmp_path / "b.json"), str(tmp_path)])
    module = tmp_path / "src/m0.py"
    module.write_text(module.read_text() + "v0 = df.values\n")  # the same text as an acknowledged line
    result = _check(tmp_path, "--baseline", str(tmp_path / "b.json"))
    assert result.exit_code == 1 and sum("MLS009" in line for line in result.stdout.splitlines()) == 1


def test_stale_entries_are_reported_and_prune_only_shrinks(tmp_path: Path) -> None:
    _repo(tmp_path)
    base = tmp_path / "b.json"
    CliRunner().invoke(main, ["baseline", "--file", str(base), str(tmp_path)])
    (tmp_path / "src/m3.py").write_text("import pandas as pd\n")  # 25 findings fixed
    (tmp_path / "src/m4.py").write_text(BODY)  # 25 new findings
    result = _check(tmp_path, "--baseline", str(base))
    assert "25 baseline entries no longer match any finding" in result.stderr
    pruned = CliRunner().invoke(main, ["baseline", "--prune", "--file", str(base), str(tmp_path)])
    assert "Wrote 75 findings" in pruned.stdout
    assert len(json.loads(base.read_text())["findings"]) == 75


def test_a_broken_baseline_is_a_usage_error(tmp_path: Path) -> None:
    _repo(tmp_path)
    (tmp_path / "b.json").write_text("{not json")
    result = _check(tmp_path, "--baseline", str(tmp_path / "b.json"))
    assert result.exit_code == 2 and "is not valid JSON" in result.stderr


def test_changed_since_limits_file_rules_to_changed_files(tmp_path: Path) -> None:
    _repo(tmp_path)
    (tmp_path / "src/m1.py").write_text(BODY + "w = df.values\n")
    write_files(tmp_path, {"src/new.py": "import pandas as pd\nx = pd.DataFrame().values\n"})
    report = api.lint([tmp_path], api.Overrides(history="none", changed_since="HEAD"))
    assert sorted({d.location.path for d in report.diagnostics}) == ["src/m1.py", "src/new.py"]
    bad = _check(tmp_path, "--changed-since", "no-such-rev")
    assert bad.exit_code == 2 and "--changed-since no-such-rev" in bad.stderr


def test_baseline_file_is_world_readable_and_one_stale_entry_reads_well(tmp_path: Path) -> None:
    _repo(tmp_path)
    base = tmp_path / "b.json"
    old = os.umask(0o022)
    try:
        CliRunner().invoke(main, ["baseline", "--file", str(base), str(tmp_path)])
    finally:
        os.umask(old)
    assert stat.S_IMODE(base.stat().st_mode) == 0o644  # committed and read by CI, not a private file
    module = tmp_path / "src/m3.py"
    module.write_text(BODY.replace("v24 = df.values\n", ""))  # one finding fixed
    result = _check(tmp_path, "--baseline", str(base))
    assert "1 baseline entry no longer matches any finding" in result.stderr
