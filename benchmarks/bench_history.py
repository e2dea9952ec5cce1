"""Time the git-history rules on a generated 10,000-commit repository next to git's own floor.

    python benchmarks/bench_history.py                 # builds benchmarks/.cache/history-10000 once
    python benchmarks/bench_history.py --commits 2000  # a smaller one
    python benchmarks/bench_history.py --repo /path/to/a/real/clone

Printed: commits, blobs, two floors: the listing (`git rev-list --objects --all | git cat-file
--batch-check`, what the large-blob rule needs) and the patch floor (`git log -p -U0 --full-history
--all`, what gitleaks reads and what secrets are looked for in), the history rules cold (no cache)
as a ratio to the patch floor (target: at most 1.5x), warm (cache from the cold run, nothing
changed) and after one new commit (incremental), and the findings (the generator plants a deleted
checkpoint, a deleted `.env` with a W&B key and a Hugging Face token that lived in a notebook for
three commits). The file rules are not selected: this measures history. A script, not a test:
timings depend on the machine.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_history_repo import main as make_repo

from mlops_lint import api
from mlops_lint.cache import CACHE_DIR
from mlops_lint.engine import check_repo

CACHE = Path(__file__).resolve().parent / ".cache"


def best_of(runs: int, action: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(runs):
        before()
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def best_inner(runs: int, action: Callable[[], float], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(runs):
        before()
        times.append(action())
    return min(times)


def floor(repo: Path) -> None:
    subprocess.run(
        "git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(objectname) %(objectsize) %(rest)'"
        " > /dev/null",
        shell=True, cwd=repo, check=True,
    )  # fmt: skip


def log_floor(repo: Path) -> None:
    subprocess.run("git log -p -U0 --full-history --all > /dev/null", shell=True, cwd=repo, check=True)


def history_rules(repo: Path) -> float:
    """Seconds spent in the history rules alone (their one scan included), not in discovery or start-up."""
    session = api.open_session([repo], api.Overrides(only=("MLG003", "MLG005")))
    start = time.perf_counter()
    check_repo(session.repo(), session.rules)
    return time.perf_counter() - start


def history_check(repo: Path) -> api.RunReport:
    return api.lint([repo], api.Overrides(select=("MLG003", "MLG005")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="best of N for each timing")
    parser.add_argument("--repo", type=Path, help="an existing clone instead of the generated repository")
    args = parser.parse_args(argv)
    repo = args.repo or CACHE / f"history-{args.commits}"
    if not repo.is_dir():
        CACHE.mkdir(exist_ok=True)
        print(f"generating {repo} ...", flush=True)
        make_repo([str(repo), "--commits", str(args.commits)])
    commits = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True, text=True)
    listing = subprocess.run(
        "git rev-list --objects --all | git cat-file --batch-check='%(objecttype) %(rest)' | grep -c '^blob'",
        shell=True, cwd=repo, capture_output=True, text=True,
    )  # fmt: skip
    print(f"repository: {repo}\ncommits: {commits.stdout.strip()}  blobs: {listing.stdout.strip()}")

    def drop_cache() -> None:
        shutil.rmtree(repo / CACHE_DIR, ignore_errors=True)

    t_floor = best_of(args.runs, lambda: floor(repo))
    # the patch floor and the cold run alternate, so that a busy machine slows both alike
    logs, colds = [], []
    for _ in range(args.runs):
        logs.append(best_of(1, lambda: log_floor(repo)))
        colds.append(best_inner(1, lambda: history_rules(repo), before=drop_cache))
    t_log, t_cold = min(logs), min(colds)
    t_warm = best_inner(args.runs, lambda: history_rules(repo))

    def add_commit() -> None:
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "bench: one more commit"], cwd=repo, check=True)

    if args.repo is None:  # never commit into someone's clone
        t_incremental = best_inner(1, lambda: history_rules(repo), before=add_commit)
        subprocess.run(["git", "reset", "-q", "--hard", "HEAD~1"], cwd=repo, check=True)
    else:
        t_incremental = float("nan")
    t_command_cold = best_of(1, lambda: history_check(repo), before=drop_cache)
    t_command_warm = best_of(args.runs, lambda: history_check(repo))
    report = history_check(repo)
    print(f"listing floor (rev-list --objects --all | cat-file --batch-check): {t_floor:6.2f} s")
    print(f"patch floor (git log -p -U0 --full-history --all):                {t_log:6.2f} s")
    print(f"history rules, cold (no cache):   {t_cold:6.2f} s  = {t_cold / t_log:4.2f} x patch floor "
          f"({t_cold / t_floor:4.2f} x listing floor)")  # fmt: skip
    print(f"history rules, warm (cache):      {t_warm:6.2f} s  = {t_warm / t_cold:6.1%} of cold")
    print(f"history rules, one new commit:    {t_incremental:6.2f} s  = {t_incremental / t_cold:6.1%} of cold")
    print(f"whole `check --select MLG003,MLG005` (start-up, discovery, syntax check of every .py included): "
          f"cold {t_command_cold:.2f} s, warm {t_command_warm:.2f} s")  # fmt: skip
    print(f"findings: {len(report.diagnostics)}")
    for diagnostic in report.diagnostics:
        print(f"  {diagnostic.location.path}: {diagnostic.code} {diagnostic.message[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
