"""MLE004 against real commit ids (which the catalogue examples cannot know in advance)."""

from __future__ import annotations

from pathlib import Path

from mlops_lint import api
from tests.helpers import assert_findings, commit_all, git, git_init, write_files

ONLY = api.Overrides(only=("MLE004",), options={})


def _experiment(commit: str) -> str:
    return f"id: exp-001\ncode:\n  commit: {commit}\n"


def test_head_commit_full_and_abbreviated_is_known(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"train.py": "print('train')\n"})
    commit_all(tmp_path, "code")
    head = git(tmp_path, "rev-parse", "HEAD").strip()
    write_files(
        tmp_path,
        {
            "experiments/exp-001/experiment.yaml": _experiment(head),
            "experiments/exp-002/experiment.yaml": _experiment(head[:10]),
        },
    )
    commit_all(tmp_path, "experiments")
    report = api.lint([tmp_path], ONLY)
    assert not report.errors
    assert_findings([], report.diagnostics)


def test_a_blob_id_is_not_a_commit(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"train.py": "print('train')\n"})
    commit_all(tmp_path, "code")
    blob = git(tmp_path, "rev-parse", "HEAD:train.py").strip()
    write_files(tmp_path, {"experiments/exp-001/experiment.yaml": _experiment(blob)})
    report = api.lint([tmp_path], ONLY)
    assert_findings([f"experiments/exp-001/experiment.yaml:3:3: MLE004 commit {blob} is not in"], report.diagnostics)


def test_shallow_clone_gives_one_note(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    git_init(origin)
    for number in range(3):
        write_files(origin, {"train.py": f"print({number})\n"})
        commit_all(origin, f"step {number}")
    first = git(origin, "rev-list", "--max-parents=0", "HEAD").strip()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    write_files(
        clone,
        {
            "experiments/exp-001/experiment.yaml": _experiment(first),
            "experiments/exp-002/experiment.yaml": _experiment("3c52c944bb440ddce81ac28fae11d7c00ef9698c"),
        },
    )
    report = api.lint([clone], ONLY)
    assert_findings(
        ["experiments/exp-001/experiment.yaml:3:3: MLE004 2 experiment commit(s) are not in this shallow clone"],
        report.diagnostics,
    )


def test_outside_git_is_silent(tmp_path: Path) -> None:
    write_files(
        tmp_path, {"experiments/exp-001/experiment.yaml": _experiment("3c52c944bb440ddce81ac28fae11d7c00ef9698c")}
    )
    report = api.lint([tmp_path], ONLY)
    assert_findings([], report.diagnostics)


def test_budget_skeleton_keeps_crlf_and_a_missing_final_newline(tmp_path: Path) -> None:
    git_init(tmp_path)
    path = tmp_path / "experiments/exp-001/experiment.yaml"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"id: exp-001\r\nstatus: planned")
    api.fix([tmp_path], api.Overrides(only=("MLR007",), options={}))
    assert path.read_bytes() == b"id: exp-001\r\nstatus: planned\r\nresources:\r\n  budget:\r\n    gpu_hours: TODO\r\n"
