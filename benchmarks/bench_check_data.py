"""Time `mlops-lint check --check-data` on a 1 GB DVC-tracked file and show that memory stays bounded.

    python benchmarks/bench_check_data.py            # 1 GiB (1024 MiB)
    python benchmarks/bench_check_data.py --mib 256

In a temporary git repository (deleted afterwards) the script streams a file of pseudo-random
1 MiB blocks to disk, hashing it as it goes, writes its DVC 3 pointer and `.gitignore` as `dvc add`
would, commits the pointer, and runs the CLI in a child process for four cases:

- baseline: `check` without `--check-data` (what MLD004 costs when it is off: nothing);
- match: `--check-data`, file matches its pointer (full streamed md5, no finding);
- size differs: one byte appended (a stat, no hashing; one finding);
- md5 differs: same size, last byte changed (full md5; one finding).

Printed per case: wall time, the child's peak RSS (`os.wait4` rusage) and the findings count.
This is a script, not a test: timings depend on the machine and on the page cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BLOCK = 1 << 20
PROJECT = Path(__file__).resolve().parent.parent  # run this checkout's mlops_lint, not an installed one


def write_data(path: Path, mib: int) -> str:
    block = bytearray(os.urandom(BLOCK))
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("wb") as handle:
        for index in range(mib):
            block[:8] = index.to_bytes(8, "little")  # every block differs
            digest.update(block)
            handle.write(block)
    return digest.hexdigest()


def run_cli(root: Path, *args: str) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MiB (this child only, via os.wait4) and the number of findings."""
    command = [sys.executable, "-m", "mlops_lint.cli", "check", "--output-format", "json", "--exit-zero", *args, "."]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        env = {**os.environ, "PYTHONPATH": str(PROJECT)}
        child = subprocess.Popen(command, cwd=root, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode not in (0, 1):
            raise SystemExit(f"mlops-lint failed: {err.read().decode()}")
        findings = json.loads(out.read() or b"[]")
    return elapsed, usage.ru_maxrss // 1024, len(findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024, help="size of the data file in MiB (default 1024)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-data-") as tmp:
        root = Path(tmp)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        data = root / "data"
        data.mkdir()
        start = time.perf_counter()
        md5 = write_data(data / "big.bin", args.mib)
        written = time.perf_counter() - start
        size = args.mib * BLOCK
        (data / ".gitignore").write_text("/big.bin\n")
        (data / "big.bin.dvc").write_text(f"outs:\n- md5: {md5}\n  size: {size}\n  hash: md5\n  path: big.bin\n")
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "dvc add"], cwd=root, check=True
        )
        print(f"data file: {size / 2**30:.2f} GiB written in {written:.1f} s (md5 {md5})")
        print(f"{'case':<14} {'wall s':>8} {'MB/s':>8} {'peak RSS MiB':>13} {'findings':>9}")
        cases = [("baseline", ()), ("match", ("--check-data",))]
        for name, flags in cases:
            elapsed, rss, found = run_cli(root, *flags)
            rate = f"{size / 2**20 / elapsed:8.0f}" if flags else f"{'-':>8}"
            print(f"{name:<14} {elapsed:8.2f} {rate} {rss:13d} {found:9d}")
        with (data / "big.bin").open("ab") as handle:
            handle.write(b"x")
        elapsed, rss, found = run_cli(root, "--check-data")
        print(f"{'size differs':<14} {elapsed:8.2f} {'-':>8} {rss:13d} {found:9d}")
        os.truncate(data / "big.bin", size)
        with (data / "big.bin").open("r+b") as handle:
            handle.seek(size - 1)
            handle.write(b"\xff")
        elapsed, rss, found = run_cli(root, "--check-data")
        print(f"{'md5 differs':<14} {elapsed:8.2f} {size / 2**20 / elapsed:8.0f} {rss:13d} {found:9d}")


if __name__ == "__main__":
    main()
