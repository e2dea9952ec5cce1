"""The history scan end to end: scopes, the cache, shallow clones and repositories without git."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.cache import CACHE_DIR, Cache
from mlops_lint.context.git_history import (
    MISSING_NOTICE,
    PARTIAL_NOTICE,
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
    # only the blob whose added lines hold a secret marker is read (`git log -p`), not every text blob
    assert (first.from_cache, first.read) == (False, 1)
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
    assert _scan(tmp_path, cache=False).read == 1  # the one blob whose added lines hold a marker


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
        "git history not checked: not a git repository (the rules that read history, large blobs and secrets in past "
        "commits, need git).",
    )


def test_old_codes_still_select_the_moved_rules(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"checkpoints/last.pt": "w\n"})
    commit_all(tmp_path, "weights")
    report = api.lint([tmp_path], api.Overrides(select=("MLD013",)))
    assert [d.code for d in report.diagnostics] == ["MLG001"]
    write_files(tmp_path, {".mlops-lint.toml": 'per-file-ignores = {"checkpoints/*" = ["MLD013"]}\n'})
    assert api.lint([tmp_path], api.Overrides(select=("MLG001",))).diagnostics == ()


def _notices(root: Path) -> tuple[str, ...]:
    return api.lint([root], api.Overrides(select=("MLG003", "MLG005"))).notices


def test_partial_clone_gives_one_notice_also_from_the_cache(tmp_path: Path) -> None:
    origin = tmp_path / "origin"
    _history_repo(origin)
    git(origin, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{origin}", str(clone))
    expected = (PARTIAL_NOTICE.format(count="2 objects"),)  # the deleted .env and weights were never fetched
    assert _notices(clone) == expected
    assert _notices(clone) == expected  # the cached scan remembers what it could not read


def test_damaged_clone_names_the_missing_objects(tmp_path: Path) -> None:
    _history_repo(tmp_path)
    oid = git(tmp_path, "rev-parse", "HEAD~1:models/big.pt").strip()
    (tmp_path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    assert _notices(tmp_path) == (MISSING_NOTICE.format(count="1 object"),)


def test_a_clone_missing_objects_is_walked_again_only_when_git_gains_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partial or damaged clone lacks the same objects run after run: the cached scan answers
    (with its notice) until git has new objects, which may be the missing ones."""
    from mlops_lint.context import history_cache

    _history_repo(tmp_path)
    oid = git(tmp_path, "rev-parse", "HEAD~1:models/big.pt").strip()
    (tmp_path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    walks: list[int] = []
    real = history_cache.scan_everything
    monkeypatch.setattr(history_cache, "scan_everything", lambda *a, **k: walks.append(1) or real(*a, **k))
    expected = (MISSING_NOTICE.format(count="1 object"),)
    assert _notices(tmp_path) == expected
    assert _notices(tmp_path) == expected
    assert len(walks) == 1  # the second run came from the cache
    subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=tmp_path, input=b"a new object\n", check=True,
                   capture_output=True)  # fmt: skip
    assert _notices(tmp_path) == expected
    assert len(walks) == 2  # git gained an object: walked again


def _torch_archive(payload: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # the layout torch.save writes
        archive.writestr("archive/data.pkl", pickle.dumps({"w": "persistent id"}, protocol=2))
        archive.writestr("archive/data/0", payload)
    return buffer.getvalue()


def _write_bytes(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def test_models_under_other_names_are_recognised_by_their_bytes(tmp_path: Path) -> None:
    git_init(tmp_path)
    weights = [0.5] * 30_000
    _write_bytes(
        tmp_path,
        {
            "weights/pytorch_model.bin": _torch_archive(b"\0" * 200_000),
            "models/classifier": pickle.dumps({"coef": weights}, protocol=4),
            "models/finalized_model.sav": pickle.dumps({"coef": weights * 5}, protocol=5),  # 1.2 MB: not MLG002's
            "models/old.bin": pickle.dumps({"coef": weights}, protocol=2),
            "data/table.bin": b"\x80\x02" + b"\1" * 200_000,  # starts like a pickle, is not one
            "tests/data/tiny.bin": pickle.dumps([1.0] * 10, protocol=4),  # below the 100 KiB floor
        },
    )
    commit_all(tmp_path, "models")
    report = api.lint([tmp_path], api.Overrides(select=("MLG001", "MLG002")))
    assert [compact(d).split(" committed")[0] for d in report.diagnostics] == [
        "models/classifier: MLG001 Pickle file",
        "models/finalized_model.sav: MLG001 Pickle file",
        "models/old.bin: MLG001 Pickle file",
        "weights/pytorch_model.bin: MLG001 PyTorch checkpoint file",
    ]


def test_deleted_pickles_in_history_are_recognised_by_their_bytes(tmp_path: Path) -> None:
    git_init(tmp_path)
    _write_bytes(tmp_path, {"model.bin": pickle.dumps([0.5] * 30_000, protocol=4), "data.bin": b"\1" * 200_000})
    commit_all(tmp_path, "weights")
    git(tmp_path, "rm", "-q", "model.bin", "data.bin")
    commit_all(tmp_path, "drop them")
    report = api.lint([tmp_path], api.Overrides(select=("MLG003",)))
    assert [compact(d).split(" (")[0] for d in report.diagnostics] == ["model.bin: MLG003 model.bin"]


def test_large_text_corpus_is_data_but_a_vocabulary_is_not(tmp_path: Path) -> None:
    git_init(tmp_path)
    verse = "First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n\n"
    write_files(
        tmp_path,
        {
            "data/shakespeare_char/input.txt": verse * 14_000,  # 1.1 MB, like nanoGPT's
            "tokenizer/en.txt": "".join(f"token{n}\n" for n in range(150_000)),  # one token per line
            "docs/CHANGELOG.txt": verse * 14_000,
        },
    )
    commit_all(tmp_path, "data")
    report = api.lint([tmp_path], api.Overrides(select=("MLG002",)))
    assert [compact(d).split(" (")[0] for d in report.diagnostics] == [
        "data/shakespeare_char/input.txt: MLG002 Text data file committed to git"
    ]
