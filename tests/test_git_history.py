"""The history scan end to end: scopes, the cache, shallow clones and repositories without git."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.cache import CACHE_DIR, Cache
from mlops_lint.context.git_history import (
    SHALLOW_NOTICE,
    HistoryScope,
    Interest,
    confident_prefilter,
    confident_secrets,
    scan_history,
)
from tests.helpers import commit_all, compact, git, git_init, write_files

KEY = "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"
TOKEN = 'login(token="hf_Xq3LmT8vRb2NwK5pZc7YhJ4dGs9FaE6uQo")\n'
INTEREST = Interest(min_bytes=40, artifact_min_bytes=40, artifact_suffixes=frozenset({".pt"}), secrets=True)


def _history_repo(root: Path) -> None:
    git_init(root)
    write_files(root, {".env": KEY, "models/big.pt": "w" * 64, "train.py": "print(1)\n"})
    commit_all(root, "first")
    write_files(root, {".env": None, "models/big.pt": None})
    commit_all(root, "clean up")


def _lint(root: Path, **overrides: object) -> list[str]:
    report = api.lint([root], api.Overrides(select=("MLG003", "MLG005"), options={"MLG003": {"min-bytes": 60}},
                                            **overrides))  # type: ignore[arg-type]  # fmt: skip
    return [compact(d).split(" was committed")[0] for d in report.diagnostics] + list(report.notices)


def _scan(root: Path, scope: HistoryScope | None = None, cache: bool = True):  # type: ignore[no-untyped-def]
    return scan_history(
        root, scope or HistoryScope(), INTEREST, confident_secrets, confident_prefilter, Cache(root, cache)
    )


def test_full_history_finds_deleted_weights_and_keys(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    assert _lint(tmp_path) == [".env:1:15: MLG005 W&B API key", "models/big.pt: MLG003 models/big.pt (64 bytes)"]


def test_second_run_reads_nothing_and_new_commits_are_read_incrementally(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    first = _scan(tmp_path)
    assert (first.from_cache, first.read) == (False, 3)
    again = _scan(tmp_path)
    assert (again.from_cache, again.enumerated, again.read) == (True, 0, 0)
    assert [b.path for b in again.blobs] == [b.path for b in first.blobs]
    write_files(tmp_path, {"notes.py": TOKEN})
    commit_all(tmp_path, "more")
    more = _scan(tmp_path)
    assert not more.from_cache and more.read == 1  # only the new blob's content
    assert sorted(s.path for s in more.secrets) == [".env", "notes.py"]
    assert (tmp_path / CACHE_DIR / ".gitignore").read_text().endswith("*\n")


def test_rewritten_history_is_enumerated_again_without_rereading_contents(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    _scan(tmp_path)
    git(tmp_path, "commit", "-q", "--amend", "-m", "clean up, reworded")
    rescanned = _scan(tmp_path)
    assert rescanned.enumerated > 0 and rescanned.read == 0
    assert [s.path for s in rescanned.secrets] == [".env"]


def test_no_cache_reads_everything(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    _scan(tmp_path)
    assert _scan(tmp_path, cache=False).read == 3


def test_range_reads_only_what_the_range_adds(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    write_files(tmp_path, {"keys.py": TOKEN})
    commit_all(tmp_path, "add a token")
    git(tmp_path, "rm", "-q", "keys.py")
    commit_all(tmp_path, "remove the token")
    assert _lint(tmp_path, history="HEAD~2..HEAD") == ["keys.py:1:14: MLG005 Hugging Face token"]


def test_staged_blobs_only(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    write_files(tmp_path, {"models/new.pt": "n" * 50, "conf.py": TOKEN})
    git(tmp_path, "add", "-A")
    report = api.lint(
        [tmp_path],
        api.Overrides(select=("MLG003", "MLG005"), history="staged", options={"MLG003": {"artifact-min-bytes": 40}}),
    )
    assert [compact(d) for d in report.diagnostics] == [
        "conf.py:1:14: MLG005 Hugging Face token is staged for commit; once committed it stays in every clone's "
        "history: unstage it and read the key from the environment",
        "models/new.pt: MLG003 models/new.pt (50 bytes) is staged for commit; once committed, every clone "
        "downloads it for ever: unstage it (git restore --staged models/new.pt) and version it with DVC or LFS",
    ]


def test_pre_push_range_comes_from_pre_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "abc")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "def")
    assert HistoryScope.from_environment() == HistoryScope("range", "abc..def")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "0" * 40)
    assert HistoryScope.from_environment() == HistoryScope("range", "def --not --remotes")


def test_no_history_reads_nothing(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    assert _lint(tmp_path, history="none") == []
    assert not (tmp_path / CACHE_DIR / "history.json").exists()


def test_unknown_range_is_a_notice(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    assert _lint(tmp_path, history="nope..HEAD") == [
        "git history not checked: unknown revision 'nope' in --history-range 'nope..HEAD'"
    ]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlops_lint.cli", *args], cwd=cwd, capture_output=True, text=True)


def test_shallow_clone_gives_one_notice_and_the_other_findings_decide_the_exit(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    _history_repo(origin)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    clean = _cli("check", "--select", "git-history", "--output-format", "json", ".", cwd=clone)
    assert (clean.returncode, json.loads(clean.stdout)) == (0, [])
    assert clean.stderr == f"mlops-lint: notice: {SHALLOW_NOTICE}\n"
    write_files(clone, {"models/w.pt": "x" * 200_000})
    dirty = _cli("check", "--select", "git-history", "--no-cache", ".", cwd=clone)
    assert dirty.returncode == 0 and dirty.stderr.count("notice") == 1  # untracked: MLG001 reports committed files
    git(clone, "add", "-A")
    commit_all(clone, "weights")
    committed = _cli("check", "--select", "git-history", ".", cwd=clone)
    assert committed.returncode == 1 and "MLG001" in committed.stdout and committed.stderr.count("notice") == 1


def test_outside_git_the_history_rules_give_a_notice(tmp_path: Path) -> None:
    write_files(tmp_path, {"train.py": "print(1)\n"})
    report = api.lint([tmp_path], api.Overrides(select=("MLG003",)))
    assert report.diagnostics == () and report.notices == (
        "git history not checked: not a git repository (the history rules MLG003, MLG005 need git).",
    )


def test_old_codes_still_select_the_moved_rules(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"checkpoints/last.pt": "w\n"})
    commit_all(tmp_path, "weights")
    report = api.lint([tmp_path], api.Overrides(select=("MLD013",)))
    assert [d.code for d in report.diagnostics] == ["MLG001"]
    write_files(tmp_path, {".mlops-lint.toml": 'per-file-ignores = {"checkpoints/*" = ["MLD013"]}\n'})
    assert api.lint([tmp_path], api.Overrides(select=("MLG001",))).diagnostics == ()
