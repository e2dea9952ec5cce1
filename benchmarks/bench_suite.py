"""The benchmark suite: `mlops-lint check` on four trees, next to floors measured in the same run.

    python benchmarks/bench_suite.py                         # all four trees (two wheels downloaded once)
    python benchmarks/bench_suite.py --trees ml-repo,history  # some of them
    python benchmarks/bench_suite.py --quick                 # tiny generated trees, seconds (the smoke test)
    python benchmarks/bench_suite.py --fixit                 # also time Fixit's default rules on `framework`
    python benchmarks/bench_suite.py --trees diffusers=/tmp/diffusers  # a checkout of your own (NAME=PATH)

Trees (built once into benchmarks/.cache, or --cache-dir):
  framework      keras 3.10.0 unpacked from its wheel on PyPI (591 .py files, 5.4 MB; pure Python)
  transformers   transformers 4.57.6 from its wheel (2,214 .py files, 52 MB; pure Python)
  ml-repo        benchmarks/make_ml_repo.py: 300 .py files, 30 notebooks, DVC, experiments, planted findings
  history        benchmarks/make_history_repo.py: 10,000 commits (the tree bench_history.py uses)

For each tree: files (what git lists, tracked and untracked), .py files, bytes; the floors: `ast.parse`
and `libcst.parse_module` of every .py file (1 process, and libcst over all cores), plus `git rev-list
--objects --all | git cat-file --batch-check` for the history tree; then `mlops-lint check` cold (cache
folder removed), warm (cache from the cold run, nothing changed), after changing one .py file, and
with 1 process and with all cores (`--jobs`, cache off), the peak memory and the number of findings.

Every time is the wall time of a child process, interpreter start-up included, for the floors too
(`python -m mlops_lint.cli check --exit-zero --output-format json ...`, cwd = the tree). Ratios: to the
libcst floor on as many processes as the check used (history: to the git floor). Peak memory: the
largest process (`/usr/bin/time -f %M` when present, else /proc VmHWM sampled) and the whole process
tree (sum of /proc PSS, sampled every 0.1 s). `--jobs` is used when this version of mlops-lint has it
(`jobs` in `api.Overrides` and `--jobs` in `check --help`); before that the per-core columns say n/a.
The findings of cold, warm and the `--jobs` runs are compared ("same"). A check that runs past
--timeout or holds more than --max-memory is stopped and shown as `>N s`; the tree's remaining checks
are then skipped. ruff is not run (`--ignore ruff`) unless --with-ruff. This is a script, not a test:
timings depend on the machine.

Also measured: `ruff check --select ALL --no-cache` on the tree (the Rust linter we compare with), the
`git log -p -U0 --full-history --all` floor (what gitleaks reads) when the tree has commits, the number
of files libcst parsed (the `--jobs 1` run, from the MLOPS_LINT_STATS line the engine prints), and the
one-file latency: a warm `check path/to/one_file.py`, start-up included.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import venv
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path[:0] = [str(HERE), str(PROJECT)]  # the generators and mlops-lint are imported lazily: the floor
# children run this file too and must not pay for importing mlops-lint

TREES = ("framework", "transformers", "ml-repo", "history")
WHEELS = {"framework": "keras==3.10.0", "transformers": "transformers==4.57.6"}
CORES = os.cpu_count() or 1
TOUCH = "\n# benchmark: one changed line\n"


@dataclass
class Run:
    """One measured child process."""

    seconds: float
    rss_mib: float  # the largest single process (GNU time's %M, else sampled VmHWM)
    tree_mib: float  # the sum over the process tree (PSS), sampled
    timed_out: bool = False  # stopped: past the timeout or over the memory cap
    output: bytes = b""
    why: str = ""
    errors: bytes = b""  # stderr (the MLOPS_LINT_STATS line)


@dataclass
class Result:
    tree: str
    files: int = 0
    py_files: int = 0
    size: int = 0
    floors: dict[str, float] = field(default_factory=dict)  # ast, libcst, libcst-N, git
    runs: dict[str, Run] = field(default_factory=dict)  # cold, warm, changed, jobs-1, jobs-N
    findings: int | None = None
    same: str = "-"
    libcst_parsed: int | None = None  # files libcst parsed in the `--jobs 1` run (cold, cache off)
    note: str = ""


# --- measuring child processes ------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def _proc_kib(pid: int, name: str, field: str) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


TIME = Path("/usr/bin/time")


def measure(command: Sequence[str], cwd: Path, timeout: float, max_mib: float = float("inf")) -> Run:
    """Run `command`, return its wall time, peak memory and stdout; stop it after `timeout` seconds
    or when its process tree holds more than `max_mib` (so a runaway check cannot exhaust the machine)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
    env["MLOPS_LINT_STATS"] = "1"  # the engine prints how many files libcst parsed
    tree_peak, process_peak = [0.0], [0.0]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".time") as gnu_time,
    ):
        # ru_maxrss of our own child is useless here: Linux carries the parent's high-water mark across
        # fork+exec. GNU time's child is forked from a small process, so its %M is the command's own peak.
        wrapper = [str(TIME), "-f", "%M", "-o", gnu_time.name] if TIME.exists() else []
        start = time.perf_counter()
        child = subprocess.Popen([*wrapper, *command], cwd=cwd, stdout=out, stderr=err, env=env, start_new_session=True)
        done = threading.Event()
        fired = threading.Event()
        why: list[str] = []

        def sample() -> None:
            while not done.wait(0.1):
                pids = _descendants(child.pid)[1 if wrapper else 0 :]
                tree_peak[0] = max(tree_peak[0], sum(_proc_kib(p, "smaps_rollup", "Pss:") for p in pids) / 1024)
                hwm = max((_proc_kib(p, "status", "VmHWM:") for p in pids), default=0)
                process_peak[0] = max(process_peak[0], hwm / 1024)
                if tree_peak[0] > max_mib:
                    why.append(f"over {max_mib:.0f} MiB")
                    stop()

        def stop() -> None:
            if not why:
                why.append(f"past {timeout:.0f} s")
            fired.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, stop)
        timer.start()
        _pid, status, _usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        timer.cancel()
        timed_out = fired.is_set()
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0 and not timed_out:
            raise SystemExit(f"failed ({child.returncode}): {' '.join(command)}\n{err.read().decode()[-3000:]}")
        with contextlib.suppress(ValueError, IndexError):
            process_peak[0] = int(gnu_time.read().split()[-1]) / 1024  # exact, pool workers included once reaped
        return Run(elapsed, process_peak[0], tree_peak[0], timed_out, out.read(), why[0] if why else "", err.read())


def best(runs: int, action: Callable[[], Run], before: Callable[[], object] = lambda: None) -> Run:
    results = []
    for _ in range(runs):
        before()
        results.append(action())
        if results[-1].timed_out:
            break
    return min(results, key=lambda r: r.seconds)


# --- floors, run in a child process: `bench_suite.py --floor KIND --jobs N LISTING` -----------------


def _parse_ast(path: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(Path(path).read_text(encoding="utf-8", errors="replace"))


def _parse_libcst(path: str) -> None:
    import libcst

    with contextlib.suppress(Exception):  # a syntax libcst does not know is still work done
        libcst.parse_module(Path(path).read_text(encoding="utf-8", errors="replace"))


def floor_main(kind: str, jobs: int, listing: Path) -> int:
    parse = {"ast": _parse_ast, "libcst": _parse_libcst}[kind]
    paths = listing.read_text(encoding="utf-8").splitlines()
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for _ in pool.imap_unordered(parse, paths, chunksize=8):
                pass
    else:
        for path in paths:
            parse(path)
    return 0


# --- trees ---------------------------------------------------------------------------------------


def fetch_wheel(requirement: str, cache: Path) -> Path:
    """The wheel's files, unpacked once into the cache (no install, no dependencies), in a fresh git repo."""
    import zipfile

    target = cache / requirement.replace("==", "-")
    if target.is_dir():
        return target
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
             "--dest", download, requirement],
            check=True,
        )  # fmt: skip
        (wheel,) = Path(download).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    subprocess.run(["git", "init", "-q", str(target)], check=True)
    return target


def prepare(name: str, cache: Path, quick: bool) -> Path:
    from make_history_repo import main as make_history_repo
    from make_ml_repo import main as make_ml_repo

    cache.mkdir(parents=True, exist_ok=True)
    if name in WHEELS:
        return fetch_wheel(WHEELS[name], cache)
    if name == "ml-repo":
        sizes = ["--py-files", "12", "--notebooks", "3", "--experiments", "3"] if quick else []
        target = cache / ("ml-repo-quick" if quick else "ml-repo-300")
        if not target.is_dir():
            make_ml_repo([str(target), *sizes])
        return target
    commits = 30 if quick else 10_000
    target = cache / f"history-{commits}"
    if not target.is_dir():
        print(f"  generating {target} ...", flush=True)
        extra = ["--pool", "40", "--files-per-commit", "2"] if quick else []
        make_history_repo([str(target), "--commits", str(commits), *extra])
    return target


def listed_files(root: Path) -> list[Path]:
    """What git lists in the tree: tracked and untracked, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root, capture_output=True, check=True,
    ).stdout  # fmt: skip
    return [root / name for name in sorted(set(out.decode().split("\0")) - {""})]


# --- the suite -----------------------------------------------------------------------------------


def jobs_supported() -> bool:
    from mlops_lint import api

    if "jobs" not in getattr(api.Overrides, "__dataclass_fields__", {}):
        return False
    help_text = subprocess.run(
        [sys.executable, "-m", "mlops_lint.cli", "check", "--help"], capture_output=True, text=True, cwd=PROJECT
    ).stdout
    return "--jobs" in help_text


def bench_tree(name: str, root: Path, args: argparse.Namespace, jobs: bool) -> Result:
    from mlops_lint.cache import CACHE_DIR

    files = [p for p in listed_files(root) if p.is_file()]
    python = [p for p in files if p.suffix == ".py"]
    result = Result(name, files=len(files), py_files=len(python), size=sum(p.stat().st_size for p in files))
    print(f"\n{name}: {root}\n  {result.files} files, {result.py_files} .py, {result.size / 1e6:.1f} MB", flush=True)

    def show(label: str, run: Run) -> Run:
        memory = f"  {run.rss_mib:6.0f} MiB largest process, {run.tree_mib:6.0f} MiB tree"
        print(f"  {label:<46} {_seconds(run):>9}{memory}", flush=True)
        return run

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(str(p) for p in python))
    try:
        floor_command = [sys.executable, str(Path(__file__).resolve()), "--floor"]
        for kind, procs in (("ast", 1), ("libcst", 1), ("libcst", CORES)):
            if procs == 1 or CORES > 1:
                key = kind if procs == 1 else f"{kind}-N"
                command = [*floor_command, kind, "--jobs", str(procs), listing.name]
                run = best(args.runs, lambda command=command: measure(command, root, 1e9))
                result.floors[key] = show(f"floor: {kind} parse, {procs} proc", run).seconds
    finally:
        os.unlink(listing.name)
    if name == "history":
        pipeline = "git rev-list --objects --all | git cat-file --batch-check > /dev/null"
        run = best(args.runs, lambda: measure(["sh", "-c", pipeline], root, 1e9))
        result.floors["git"] = show("floor: rev-list | cat-file", run).seconds
    ruff = ruff_binary()
    if ruff is not None:
        command = [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "-q", "."]
        run = best(args.runs, lambda: measure(command, root, 1e9))
        result.floors["ruff"] = show("ruff check --select ALL --no-cache", run).seconds
    if has_commits(root):
        log = "git log -p -U0 --full-history --all > /dev/null"  # what gitleaks reads
        run = best(args.runs, lambda: measure(["sh", "-c", log], root, 1e9))
        result.floors["log"] = show("floor: git log -p -U0 --full-history --all", run).seconds

    base = [sys.executable, "-m", "mlops_lint.cli", "check", "--exit-zero", "--output-format", "json"]
    if not args.with_ruff:
        base += ["--ignore", "ruff"]

    def check(*extra: str) -> Run:
        return measure([*base, *extra, "."], root, args.timeout, args.max_memory)

    def drop_cache() -> None:
        shutil.rmtree(root / CACHE_DIR, ignore_errors=True)

    outputs: dict[str, bytes] = {}
    plan: list[tuple[str, Callable[[], Run], Callable[[], object]]] = [
        ("cold", check, drop_cache),
        ("warm", check, lambda: None),
    ]
    target = sorted(python, key=lambda p: (p.stat().st_size, str(p)))[len(python) // 2] if python else None
    original = target.read_bytes() if target else b""
    if target:
        plan.append(("changed", check, lambda: target.write_bytes(original + TOUCH.encode())))
    if target:
        one = str(target.relative_to(root))
        one_file = [*base, one]
        # warm: once untimed first (after the changed run, the restored file is parsed again)
        warm_up = [False]

        def once_first() -> None:
            if not warm_up[0]:
                warm_up[0] = True
                measure(one_file, root, args.timeout, args.max_memory)

        plan.append(("one-file", lambda: measure(one_file, root, args.timeout, args.max_memory), once_first))
    if jobs:
        plan += [("jobs-1", lambda: check("--no-cache", "--jobs", "1"), lambda: None)]
        if CORES > 1:
            plan += [("jobs-N", lambda: check("--no-cache", "--jobs", str(CORES)), lambda: None)]
    labels = {
        "cold": "check, cold (cache removed)",
        "warm": "check, warm (nothing changed)",
        "changed": f"check, one file changed ({target.name if target else '-'})",
        "one-file": f"check {target.name if target else '-'} (one file, warm)",
        "jobs-1": "check --no-cache --jobs 1",
        "jobs-N": f"check --no-cache --jobs {CORES}",
    }
    try:
        for key, action, before in plan:
            run = best(1 if key == "changed" else args.runs, action, before)  # a second "changed" run is warm
            if key == "changed" and target:
                target.write_bytes(original)
            result.runs[key] = show(labels[key], run)
            if run.timed_out:
                result.note = f"{key} stopped ({run.why}, after {run.seconds:.0f} s); later checks skipped"
                break
            if key == "jobs-1":
                result.libcst_parsed = _parsed(run.errors)
            if key not in ("changed", "one-file"):
                outputs[key] = run.output
    finally:
        if target:
            target.write_bytes(original)
    canonical = {key: _canonical(out) for key, out in outputs.items()}
    if "cold" in canonical:
        result.findings = len(json.loads(outputs["cold"] or b"[]"))
        result.same = (
            "yes"
            if len(set(canonical.values())) == 1
            else "NO: " + ", ".join(key for key, value in canonical.items() if value != canonical["cold"])
        )
        print(f"  findings: {result.findings}; identical across {', '.join(canonical)}: {result.same}", flush=True)
    return result


def _parsed(stderr: bytes) -> int | None:
    for line in stderr.decode(errors="replace").splitlines():
        if line.startswith("mlops-lint stats: libcst-parsed "):
            return int(line.rsplit(" ", 1)[1])
    return None


def ruff_binary() -> str | None:
    found = shutil.which("ruff") or shutil.which("ruff", path=str(Path(sys.executable).parent))
    return found


def has_commits(root: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root, capture_output=True).returncode == 0


def _canonical(output: bytes) -> str:
    findings = json.loads(output or b"[]")
    return json.dumps(sorted(findings, key=lambda f: json.dumps(f, sort_keys=True)), sort_keys=True)


def _seconds(run: Run | None) -> str:
    if run is None:
        return "-"
    return f">{run.seconds:.1f} s" if run.timed_out else f"{run.seconds:.2f} s"


def _ratio(run: Run | None, floor: float | None) -> str:
    if run is None:
        return "-"
    if not floor:
        return _seconds(run)
    return f"{_seconds(run)} ({'>' if run.timed_out else ''}{run.seconds / floor:.1f}x)"


def table(results: Sequence[Result], jobs: bool) -> str:
    """The Markdown table for the closing note."""
    head = [
        "tree", "files", ".py", "MB", "ast floor", "libcst floor 1 / N proc", "ruff ALL", "git floor",
        "git log -p floor", "cold", "cold / ast / ruff ALL", "warm", "warm % of cold", "1 file changed",
        "1-file check", "1 proc", "all cores", "libcst parsed", "peak MiB (largest / tree)", "findings", "same",
    ]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        floor_1 = r.floors.get("git") or r.floors.get("libcst")
        floor_n = r.floors.get("git") or r.floors.get("libcst-N", r.floors.get("libcst"))
        floor_default = floor_n if jobs else floor_1
        runs = r.runs.values()
        rss = max((x.rss_mib for x in runs), default=0)
        tree_mib = max((x.tree_mib for x in runs), default=0)
        libcst = f"{r.floors.get('libcst', 0):.2f} / {r.floors.get('libcst-N', r.floors.get('libcst', 0)):.2f} s"
        cold, warm = r.runs.get("cold"), r.runs.get("warm")
        against = "-"
        if cold is not None and r.floors.get("ast") and r.floors.get("ruff"):
            against = f"{cold.seconds / r.floors['ast']:.1f}x / {cold.seconds / r.floors['ruff']:.1f}x"
        share = f"{100 * warm.seconds / cold.seconds:.1f}%" if cold and warm and cold.seconds else "-"
        cells = [
            r.tree, str(r.files), str(r.py_files), f"{r.size / 1e6:.1f}", f"{r.floors.get('ast', 0):.2f} s", libcst,
            f"{r.floors['ruff']:.2f} s" if "ruff" in r.floors else "-",
            f"{r.floors['git']:.2f} s" if "git" in r.floors else "-",
            f"{r.floors['log']:.2f} s" if "log" in r.floors else "-",
            _ratio(cold, floor_default), against, _ratio(warm, floor_default), share,
            _ratio(r.runs.get("changed"), floor_default), _seconds(r.runs.get("one-file")),
            _ratio(r.runs.get("jobs-1"), floor_1) if jobs else "n/a",
            _ratio(r.runs.get("jobs-N"), floor_n) if jobs else "n/a",
            "-" if r.libcst_parsed is None else f"{r.libcst_parsed} of {r.py_files}",
            f"{rss:.0f} / {tree_mib:.0f}", "-" if r.findings is None else str(r.findings), r.same,
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bench_fixit(root: Path, timeout: float) -> str:
    """Time `fixit lint` (default rules) on the tree, from a throw-away virtual environment."""
    with tempfile.TemporaryDirectory(prefix="bench-fixit-") as tmp:
        venv.create(tmp, with_pip=True)
        python = Path(tmp) / "bin" / "python"
        install = subprocess.run([python, "-m", "pip", "install", "--quiet", "fixit"], capture_output=True, text=True)
        if install.returncode != 0:
            return f"Fixit: could not install ({install.stderr.strip().splitlines()[-1:] or ['no message']})"
        version = subprocess.run([python, "-m", "fixit", "--version"], capture_output=True, text=True).stdout.strip()
        fixit = Path(tmp) / "bin" / "fixit"
        start = time.perf_counter()
        try:
            subprocess.run([fixit, "lint", "."], cwd=root, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"Fixit ({version}): `fixit lint .` did not finish in {timeout:.0f} s"
        return f"Fixit ({version}): `fixit lint .` (default rules) {time.perf_counter() - start:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default=",".join(TREES), help=f"comma-separated, from {', '.join(TREES)}")
    parser.add_argument("--quick", action="store_true", help="tiny generated trees (wheel trees are skipped)")
    parser.add_argument("--runs", type=int, default=1, help="best of N for each timing (default 1)")
    parser.add_argument("--timeout", type=float, default=900, help="stop a check after this many seconds")
    parser.add_argument("--max-memory", type=float, default=8192, help="stop a check whose processes hold more MiB")
    parser.add_argument("--cache-dir", type=Path, default=HERE / ".cache", help="where trees are built")
    parser.add_argument("--with-ruff", action="store_true", help="let the check run ruff as well")
    parser.add_argument("--fixit", action="store_true", help="also time `fixit lint` on the framework tree")
    parser.add_argument("--floor", nargs=1, choices=["ast", "libcst"], help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("listing", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor:
        return floor_main(args.floor[0], args.jobs, args.listing)
    names = [n.strip() for n in args.trees.split(",") if n.strip()]
    local = dict(n.split("=", 1) for n in names if "=" in n)  # NAME=PATH: a checkout of your own (it writes a cache)
    names = [n.split("=", 1)[0] for n in names]
    unknown = sorted(set(names) - set(TREES) - set(local))
    if unknown:
        parser.error(f"unknown trees: {', '.join(unknown)} (choose from {', '.join(TREES)})")
    jobs = jobs_supported()
    print(f"mlops-lint from {PROJECT}; {CORES} cores; --jobs {'available' if jobs else 'not available (n/a)'}; "
          f"ruff {'on' if args.with_ruff else 'off'}; best of {args.runs}")  # fmt: skip
    results = []
    for name in names:
        if args.quick and name in WHEELS:
            print(f"\n{name}: skipped in --quick (it downloads a wheel)")
            continue
        tree = Path(local[name]).resolve() if name in local else prepare(name, args.cache_dir, args.quick)
        results.append(bench_tree(name, tree, args, jobs))
    fixit_line = ""
    if args.fixit and not args.quick:
        fixit_line = bench_fixit(prepare("framework", args.cache_dir, False), args.timeout)
        print(f"\n{fixit_line}")
    print("\n" + table(results, jobs))
    print(
        f"\nTimes are wall seconds of a child process (start-up included); (Nx) = ratio to the libcst floor on"
        f" as many processes as the check used (history: to the git floor). All cores = {CORES}; the floors"
        " parse the .py files only; n/a: this mlops-lint has no --jobs."
    )
    for r in results:
        if r.note:
            print(f"{r.tree}: {r.note}")
    if fixit_line:
        print(fixit_line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
