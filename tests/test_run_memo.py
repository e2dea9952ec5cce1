"""The whole-run memo and the stat-keyed digests: a run where nothing changed reuses every finding,
ruff's too, and any change to a listed file, the configuration or git's state is a miss."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mlops_lint import api, engine
from mlops_lint.cache import Cache
from mlops_lint.stat_cache import RACY_NS, StatDigests
from tests.helpers import commit_all, compact, git_init, write_files

FILES = {
    "train.py": (
        "import random\n\ndef main(model):\n    data = [1, 2]\n    random.shuffle(data)\n    model.fit(data)\n\n"
        "if __name__ == '__main__':\n    main(None)\n"
    ),
    "requirements.txt": "numpy\n",
    ".env": "WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_init(tmp_path)
    write_files(tmp_path, FILES)
    commit_all(tmp_path, "code")
    return tmp_path


def _findings(root: Path, ignore: tuple[str, ...] = ()) -> list[str]:
    report = api.lint([root], api.Overrides(select=("ALL",), ignore=ignore, history="none"))
    return sorted(compact(d) for d in report.diagnostics)


def _age(root: Path) -> None:
    """Every file's mtime moved out of the racy window, as if written long ago."""
    past = time.time() - 60
    for path in root.rglob("*"):
        if ".git" not in path.parts and path.is_file():
            os.utime(path, (past, past))


def test_a_run_where_nothing_changed_reuses_the_findings(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _age(repo)
    cold = _findings(repo)
    assert any("MLR002" in f for f in cold) and any("MLR005" in f for f in cold)
    ran: list[str] = []
    monkeypatch.setattr(engine, "run", lambda *args, **kwargs: ran.append("run"))  # would fail if called
    assert _findings(repo) == cold
    assert ran == []


def test_a_changed_file_or_configuration_is_a_miss(repo: Path) -> None:
    _age(repo)
    cold = _findings(repo)
    (repo / "requirements.txt").write_text("numpy==1.26.4\n")
    assert _findings(repo) == [f for f in cold if "MLR005" not in f]
    assert not any("MLR002" in f for f in _findings(repo, ignore=("MLR002",)))


def test_a_racy_file_is_hashed_again_even_with_the_same_stat(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n")
    cache = Cache(tmp_path)
    first = StatDigests(cache, tmp_path, 1 << 20)
    before = first.digest("a.txt")
    first.save(["a.txt"])
    status = (tmp_path / "a.txt").stat()
    (tmp_path / "a.txt").write_text("two\n")  # same size, and mtime put back: a same-tick rewrite
    os.utime(tmp_path / "a.txt", ns=(status.st_atime_ns, status.st_mtime_ns))
    second = StatDigests(cache, tmp_path, 1 << 20)
    assert second.digest("a.txt") != before  # written within RACY_NS of the first run: not trusted
    assert second.hashed == 1


def test_an_old_unchanged_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one\n")
    past = time.time_ns() - 10 * RACY_NS
    os.utime(tmp_path / "a.txt", ns=(past, past))
    cache = Cache(tmp_path)
    first = StatDigests(cache, tmp_path, 1 << 20)
    digest = first.digest("a.txt")
    first.save(["a.txt"])
    second = StatDigests(cache, tmp_path, 1 << 20)
    assert second.digest("a.txt") == digest
    assert second.hashed == 0
