"""Smoke test of the benchmark scripts: the generators run on tiny sizes and the suite prints its table.

Not a timing test: it only checks that the scripts run end to end and print what the closing note needs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
COLUMNS = [
    "tree", "files", ".py", "MB", "ast floor", "libcst floor 1 / N proc", "git floor", "cold", "warm",
    "1 file changed", "1 proc", "all cores", "peak MiB (largest / tree)", "findings", "same",
]  # fmt: skip


def _script(name: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(BENCHMARKS / name), *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, cwd=cwd, timeout=60)


def _head(root: Path) -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()


def test_generated_ml_repo_is_deterministic_and_has_every_kind_of_file(tmp_path: Path) -> None:
    sizes = ["--py-files", "12", "--notebooks", "2", "--experiments", "2"]
    _script("make_ml_repo.py", str(tmp_path / "a"), *sizes)
    _script("make_ml_repo.py", str(tmp_path / "b"), *sizes)
    assert _head(tmp_path / "a") == _head(tmp_path / "b")
    tracked = subprocess.run(["git", "ls-files"], cwd=tmp_path / "a", capture_output=True, text=True).stdout.split()
    assert len([p for p in tracked if p.endswith(".py")]) == 12
    assert len([p for p in tracked if p.endswith(".ipynb")]) == 2
    for expected in ("dvc.yaml", "dvc.lock", "params.yaml", "data/raw/customers.csv.dvc", "requirements.txt"):
        assert expected in tracked
    assert len([p for p in tracked if p.endswith("/experiment.yaml")]) == 2
    assert ".env" not in tracked  # it lives in the first commit only


def test_generated_history_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        _script("make_history_repo.py", str(tmp_path / name), "--commits", "20", "--pool", "30")
    assert _head(tmp_path / "a") == _head(tmp_path / "b")


def test_quick_suite_prints_the_table(tmp_path: Path) -> None:
    result = _script("bench_suite.py", "--quick", "--trees", "ml-repo", "--cache-dir", str(tmp_path))
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("| tree |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    for column in COLUMNS:
        assert column in columns
    rows = [line for line in lines if line.startswith("| ml-repo |")]
    assert len(rows) == 1
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert len(cells) == len(columns)
    row = dict(zip(columns, cells, strict=True))
    assert int(row["findings"]) > 0
    assert row["same"] == "yes"
    assert row["cold"].endswith("x)")


def test_precision_ledger_counts_a_pinned_clone(tmp_path: Path) -> None:
    """The ledger script runs the default check on a one-repository list and prints counts and a sample."""
    clone = tmp_path / "repos" / "tiny"
    clone.mkdir(parents=True)
    (clone / "requirements.txt").write_text("numpy\n", encoding="utf-8")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=clone, check=True, capture_output=True)
    config = tmp_path / "repos.toml"
    entry = f'[[repo]]\nname = "tiny"\nurl = "https://example.invalid/tiny"\ncommit = "{_head(clone)}"\n'
    config.write_text(entry, encoding="utf-8")
    options = ["--repos", str(tmp_path / "repos"), "--config", str(config), "--save", str(tmp_path / "out")]
    result = _script("precision/ledger.py", *options, "--sample", "5")
    assert "## tiny (" in result.stdout and "MLR005" in result.stdout
    assert "requirements.txt:1: " in result.stdout and "| numpy" in result.stdout
    assert "Total: " in result.stdout and "warning/error" in result.stdout
    assert "warning:" not in result.stderr  # the clone is at the pinned commit
    assert json.loads((tmp_path / "out" / "tiny.json").read_text(encoding="utf-8"))
