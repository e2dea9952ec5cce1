"""Runs close what they open, and fork before they start threads (issue 10: `-X dev` acceptance).

The suite itself turns every ResourceWarning into an error (see `conftest.py`), which covers what
the tests run in-process. The CLI runs in its own interpreter, so here it runs under
`python -X dev -W error::ResourceWarning` on a project that exercises everything that opens
something: the process pool, the history scan's git pipes and thread, ruff, the cache, `fix`.

The engine forks its process pool before it starts the history thread: a fork while another thread
runs can copy a held lock into the child (Python 3.12+ warns about it). The warning is made an error
here on every Python that has it, and the order itself is checked on any Python by counting the
threads alive at each fork.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import git
from tests.test_concurrency import build_project

STRICT = ["-X", "dev", "-W", "error::ResourceWarning", "-W", "error:This process:DeprecationWarning"]


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    return subprocess.run(
        [sys.executable, *STRICT, "-m", "mlops_lint.cli", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )


def test_cli_runs_leave_nothing_open_under_dev_mode(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    build_project(root)
    (root / "src/train.py").write_text("import pandas as pds\n", encoding="utf-8")
    git(root, "add", "src/train.py")
    runs = [
        ("check", "-j", "2"),  # cold: pool, history thread, ruff, cache writes
        ("check", "-j", "2"),  # warm: everything from the cache
        ("check", "--staged", "--output-format", "sarif"),
        ("check", "--changed-since", "HEAD", "--no-cache"),
        ("fix", "--unsafe-fixes", "-j", "2", "--no-cache"),
    ]
    for args in runs:
        result = _cli(root, *args)
        assert result.returncode in (0, 1), (args, result.stderr)
        assert "Warning" not in result.stderr and "Exception ignored" not in result.stderr, (args, result.stderr)


FORK_PROBE = """
import json, os, sys, threading
from pathlib import Path
events = []
os.register_at_fork(before=lambda: events.append("fork"))
start = threading.Thread.start
def recorded(self):
    events.append("thread " + self.name)
    return start(self)
threading.Thread.start = recorded
from mlops_lint import api
report = api.lint([Path(sys.argv[1])], api.Overrides(cache=False, jobs=2))
print(json.dumps({"events": events, "codes": sorted({d.code for d in report.diagnostics})}))
"""


def test_the_pool_is_forked_before_any_thread_starts(tmp_path: Path) -> None:
    """Every fork (the pool's workers) comes before the first thread start (the history scan's, the
    pool's own manager): by the order of events, whether or not a thread happens to be alive."""
    root = tmp_path / "repo"
    build_project(root)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run(
        [sys.executable, "-c", FORK_PROBE, str(root)], env=env, capture_output=True, text=True, check=True, timeout=180
    )
    probe = json.loads(result.stdout)
    events = probe["events"]
    assert "fork" in events, "no worker was forked: the pool did not run, so the order was not tested"
    threads = [n for n, event in enumerate(events) if event.startswith("thread")]
    assert threads, "no thread started: the history scan did not run"
    last_fork = max(n for n, event in enumerate(events) if event == "fork")
    assert last_fork < threads[0], f"a thread started before a fork: {events}"
    assert "MLG005" in probe["codes"]  # the history thread did its work
