"""Two `check` runs and a `fix` on one repository at once, as pre-commit starts them (issue 10, item 5).

All three share `.mlops_lint_cache/` (per-file results, the history scan, ruff's cache) while the
fix rewrites files under the checks' feet. Each file is replaced atomically, so a check sees every
file either before or after the fix, but not all files from the same moment: its findings are
compared file by file with a sequential run on the original tree and one on the fixed tree, and
each file's findings must equal one of the two. The fix must write exactly what a fix alone
writes, every cache entry must stay whole JSON with no temporary file left behind, and at the end
a warm run must report what a run without the cache reports.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.cache import STALE_TEMP_SECONDS, Cache
from mlops_lint.config import RuffSettings
from mlops_lint.ruff_bridge import RuffRun
from tests.helpers import commit_all, git, git_init, write_files

ROUNDS = 4
MODULES = 30  # above `parallel.MIN_FILES`: with `-j 2` each process forks its pool


NOTEBOOK_CELL = {
    "cell_type": "code",
    "id": "a1",
    "execution_count": None,
    "metadata": {},
    "outputs": [],
    "source": ["import pandas as pds\n", "pds.read_csv('data.csv')\n"],
}


def _files() -> dict[str, str | None]:
    files: dict[str, str | None] = {
        "dvc.yaml": "stages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - data.csv\n",
        "src/train.py": (
            "import pandas as pds\nfrom sklearn.model_selection import train_test_split\n\n"
            "frame = pds.read_csv('data.csv')\nframe.dropna()\nx_train, x_test = train_test_split(frame)\n"
        ),
        "notebooks/explore.ipynb": json.dumps(
            {"cells": [NOTEBOOK_CELL], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
        ),
    }
    for n in range(MODULES):
        # findings with and without fixes, and clean modules the fix leaves alone
        body = "import numpy as nmp\n\nnmp.zeros(1)\n" if n % 3 else "import numpy as np\n\nnp.zeros(1)\n"
        files[f"src/pkg/mod_{n:02d}.py"] = body + ("if x == np.nan:\n    pass\n" if n % 5 == 0 else "")
    return files


def _script() -> str:
    script = Path(sys.executable).parent / "mlops-lint"
    if not script.exists():
        pytest.skip("the mlops-lint console script is not installed next to this interpreter")
    return str(script)


def build_project(root: Path) -> None:
    """A project with fixable and unfixable findings in 30+ Python files, a notebook, dvc.yaml and a
    key in its history: every part of a run (pool, history scan, ruff, cache) has work to do."""
    git_init(root)
    # history for the history rules (and their cache entry): a key committed, then deleted
    write_files(root, {".env": "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"})
    commit_all(root, "setup")
    write_files(root, {".env": None, **_files()})
    commit_all(root, "the project")


def _start(root: Path, *args: str) -> subprocess.Popen[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return subprocess.Popen(
        [_script(), *args], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    with process:
        stdout, stderr = process.communicate(timeout=180)
    return process.returncode, stdout, stderr


def _check(root: Path, *args: str) -> list[dict]:
    code, stdout, stderr = _finish(_start(root, "check", "--output-format", "json", *args))
    assert code == 1, stderr
    return json.loads(stdout)


def _by_file(findings: list[dict]) -> dict[str, list[str]]:
    """Findings of each file, compactly and in report order (what a reader of one file sees)."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for item in findings:
        where = f"{item['line']}:{item['column']}:{item['cell']}"
        grouped[item["path"]].append(f"{where}: {item['code']} {item['message']}")
    return dict(grouped)


def _tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file() and ".git" not in path.parts and ".mlops_lint_cache" not in path.parts
    }


def _restore(root: Path, tree: dict[str, bytes]) -> None:
    for rel, data in tree.items():
        (root / rel).write_bytes(data)


def _cache_is_whole(root: Path) -> None:
    folder = root / ".mlops_lint_cache"
    entries = sorted(folder.glob("*.json"))
    assert entries, "the runs wrote no cache entry"
    for entry in entries:
        document = json.loads(entry.read_text(encoding="utf-8"))  # raises on a torn write
        assert {"version", "key", "data"} <= document.keys(), entry.name
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, f"temporary files left in the cache: {leftovers}"
    assert (folder / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_two_checks_and_a_fix_at_once(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    build_project(root)
    original = _tree(root)

    # the two states a check can see, file by file, and what a fix alone writes (no cache)
    before = _by_file(_check(root, "--no-cache"))
    alone = tmp_path / "alone"
    shutil.copytree(root, alone)
    started = time.monotonic()
    code, _out, stderr = _finish(_start(alone, "fix", "--unsafe-fixes", "--no-cache"))
    fix_time = time.monotonic() - started
    assert code in (0, 1), stderr
    fixed = _tree(alone)
    after = _by_file(_check(alone, "--no-cache"))
    assert fixed != original and before != after  # the fix has work to do, or the test is vacuous
    assert "MLG005" in {line.split(": ", 1)[1].split()[0] for lines in before.values() for line in lines}

    for round_number in range(ROUNDS):
        _restore(root, original)
        # one check starts with the fix, the other later each round: across the rounds its start
        # sweeps the fix's run, so some round reads files while the fix replaces them
        fixer = _start(root, "fix", "--unsafe-fixes", "-j", "2")
        first = _start(root, "check", "--output-format", "json", "-j", "2")
        time.sleep(fix_time * round_number / ROUNDS)
        second = _start(root, "check", "--output-format", "json", "-j", "2")
        results = [_finish(process) for process in (first, second, fixer)]
        for _code, _stdout, stderr in results:
            assert "Traceback" not in stderr, stderr
        fix_code, _fix_out, fix_err = results[2]
        assert fix_code in (0, 1), fix_err
        assert _tree(root) == fixed, f"round {round_number}: the fix wrote something else than a fix alone"
        for code, stdout, stderr in results[:2]:
            assert code == 1, stderr
            seen = _by_file(json.loads(stdout))
            for path in sorted(set(seen) | set(before) | set(after)):
                got = seen.get(path, [])
                assert got in (before.get(path, []), after.get(path, [])), f"round {round_number}: {path}: {got}"
        _cache_is_whole(root)

    warm = _check(root)
    assert _check(root) == warm  # served from the cache the rounds left
    assert _check(root, "--no-cache") == warm
    assert _by_file(warm) == after


WRITER = """
import sys
from pathlib import Path
from mlops_lint.cache import Cache
cache, tag = Cache(Path(sys.argv[1])), sys.argv[2]
for n in range(40):
    cache.write("shared", "k", {"writer": tag, "n": n, "rows": [tag * 50] * 4000})
"""


def test_readers_see_a_whole_entry_while_two_processes_rewrite_it(tmp_path: Path) -> None:
    """The cache's own promise, under load: entries of ~400 kB rewritten 80 times by two processes
    while this one reads; every read is a complete entry of one writer, never torn, never missing."""
    Cache(tmp_path).write("shared", "k", {"writer": "seed", "n": -1, "rows": []})
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), tag], env=env, stderr=subprocess.PIPE)
        for tag in ("a", "b")
    ]
    seen, reads = set(), 0
    while any(writer.poll() is None for writer in writers):
        entry = Cache(tmp_path).read("shared", "k")
        assert entry is not None, "a reader found no entry while writers replaced it"
        assert entry["rows"] in ([], [entry["writer"] * 50] * 4000)
        seen.add(entry["writer"])
        reads += 1
    for writer in writers:
        with writer:
            assert writer.wait() == 0, writer.stderr.read() if writer.stderr else ""
    assert reads > 0 and seen & {"a", "b"}
    assert not list((tmp_path / ".mlops_lint_cache").glob("*.tmp"))


def test_an_entry_json_cannot_hold_is_skipped_without_a_trace(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.write("ok", "k", {"a": 1})
    fds = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    cache.write("bad", "k", {"a": {1, 2}})  # a set: json.dumps raises TypeError
    cache.write("bad", "k", {"a": float("nan"), "b": object()})
    assert cache.read("bad", "k") is None and cache.read("ok", "k") == {"a": 1}
    assert sorted(p.name for p in cache.folder.iterdir()) == [".gitignore", "CACHEDIR.TAG", "ok.json"]
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds  # no descriptor left open by the failed writes


def test_prune_drops_temporaries_of_killed_runs_but_not_a_live_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for n in range(6):
        cache.write(f"files-{n}", "k", {"n": n})
        os.utime(cache.folder / f"files-{n}.json", (1000 + n, 1000 + n))
    killed = cache.folder / ".files-9.abc123.tmp"  # what a run killed between write and rename leaves
    killed.write_text('{"version"', encoding="utf-8")
    old = time.time() - 2 * STALE_TEMP_SECONDS
    os.utime(killed, (old, old))
    live = cache.folder / ".files-8.def456.tmp"  # another run writing right now
    live.write_text("{", encoding="utf-8")
    cache.prune("files-", 4)
    assert sorted(p.name for p in cache.folder.glob("files-*.json")) == [f"files-{n}.json" for n in (2, 3, 4, 5)]
    assert not killed.exists() and live.exists()


def test_ruff_findings_describe_the_text_the_run_read(tmp_path: Path) -> None:
    """A file replaced after the run read it and before ruff did (a concurrent `fix`) is linted by
    ruff again from the bytes the run read: ruff's findings never describe another version."""
    git_init(tmp_path)
    read = {"a.py": b"\n\nimport os\n", "b.py": b"import sys\n"}
    write_files(tmp_path, {"a.py": "import os\n", "b.py": "import sys\n"})  # a.py "fixed" in between
    run = RuffRun(tmp_path, ["a.py", "b.py"], RuffSettings(), read=read)
    found = sorted((d.location.path, d.location.span.start_line, d.code) for d in run.result().diagnostics)
    assert found == [("a.py", 3, "F401"), ("b.py", 1, "F401")]


def test_a_warm_run_after_a_history_rewrite_cites_only_commits_that_exist(tmp_path: Path) -> None:
    """The history cache entry names the commit that introduced each leaked key. After a rewrite
    (rebase, filter-repo) that commit is gone; the warm run must report what a cold run reports."""
    key = "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"

    def leak_and_remove(subject: str) -> None:
        write_files(tmp_path, {".env": key, "train.py": "print(1)\n"})
        commit_all(tmp_path, subject)
        write_files(tmp_path, {".env": None})
        commit_all(tmp_path, "remove the key")

    def messages(**overrides: object) -> list[str]:
        report = api.lint([tmp_path], api.Overrides(only=("MLG005",), **overrides))  # type: ignore[arg-type]
        return [d.message for d in report.diagnostics]

    git_init(tmp_path)
    leak_and_remove("first setup")
    assert "first setup" in messages()[0]  # cached with its introducing commit
    git(tmp_path, "checkout", "-q", "--orphan", "rewritten")
    git(tmp_path, "rm", "-rq", "--cached", ".")
    leak_and_remove("second setup")
    git(tmp_path, "branch", "-D", "main")
    cold = messages(cache=False)
    assert len(cold) == 1 and "second setup" in cold[0]
    assert messages() == cold
    assert messages() == cold  # and the entry the warm run rewrote is right too
