"""Generate a large, deterministic git history for the history benchmark.

    python benchmarks/make_history_repo.py /tmp/history-repo --commits 10000 --files-per-commit 5

The repository looks like a long-lived ML project: Python modules, configs, small CSV samples
and notebooks edited commit after commit (every edit is a new blob, so 10,000 commits x 5 edits
give about 50,000 blobs), two feature branches, and a few things the history rules must find: a
large checkpoint committed then deleted, a `.env` with a W&B key that was removed later, a
Hugging Face token that lived in a notebook for a while. It is built with one `git fast-import`
stream (seconds, not minutes) and is identical on every run: fixed seed, fixed dates, fixed
author. The same input always gives the same commit ids.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

AUTHOR = b"Bench Author <bench@example.com>"
EPOCH = 1_600_000_000
WORDS = [
    "model",
    "data",
    "train",
    "loss",
    "epoch",
    "batch",
    "feature",
    "label",
    "split",
    "scaler",
    "tensor",
    "optimizer",
    "metric",
    "config",
    "seed",
    "sample",
    "frame",
    "column",
    "index",
    "weight",
    "layer",
    "dropout",
    "learning",
    "rate",
    "gradient",
]

# Planted findings: (commit number, path, content or None to delete)
CHECKPOINT = b"\x00PK" + bytes(range(256)) * (12 * 4096)  # 12 MiB of binary, a stand-in for weights
DOTENV = b"WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\nDATA_DIR=data/\n"
HF_CELL = b'{"cells": [{"cell_type": "code", "source": ["token = \\"hf_Xq3LmT8vRb2NwK5pZc7YhJ4dGs9FaE6uQo\\""]}]}\n'


def _paths(rng: random.Random, count: int) -> list[str]:
    folders = ["src/models", "src/data", "src/features", "configs", "notebooks", "data/samples", "tests"]
    suffix = {"configs": ".yaml", "notebooks": ".ipynb", "data/samples": ".csv"}
    return [
        f"{folder}/{rng.choice(WORDS)}_{i}{suffix.get(folder, '.py')}"
        for i, folder in ((i, rng.choice(folders)) for i in range(count))
    ]


def _content(rng: random.Random, path: str, version: int) -> bytes:
    lines = rng.randint(10, 60)
    if path.endswith(".csv"):
        body = "\n".join(",".join(str(rng.randint(0, 999)) for _ in range(6)) for _ in range(lines))
    elif path.endswith(".yaml"):
        body = "\n".join(f"{rng.choice(WORDS)}_{n}: {rng.random():.4f}" for n in range(lines))
    else:
        body = "\n".join(
            f"{rng.choice(WORDS)}_{n} = {rng.choice(WORDS)}({rng.randint(0, 99)})  # {rng.choice(WORDS)}"
            for n in range(lines)
        )
    return f"# {path} v{version}\n{body}\n".encode()


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload


def _commit(ref: str, mark: int, number: int, message: str, parent: int | None, changes: list[bytes]) -> bytes:
    when = b"%d +0000" % (EPOCH + number * 600)
    head = [
        b"commit " + ref.encode(),
        b"mark :%d" % mark,
        b"author " + AUTHOR + b" " + when,
        b"committer " + AUTHOR + b" " + when,
        _data(message.encode()),
    ]
    if parent is not None:
        head.append(b"from :%d" % parent)
    return b"\n".join(head + changes) + b"\n\n"


def stream(commits: int, per_commit: int, pool: int, seed: int) -> Iterator[bytes]:
    """The fast-import stream: `commits` commits on main, plus two short branches."""
    rng = random.Random(seed)
    paths = _paths(rng, pool)
    versions = dict.fromkeys(paths, 0)
    plants = {
        commits // 10: [("models/checkpoint_v1.pt", CHECKPOINT)],
        commits // 10 + 7: [("models/checkpoint_v1.pt", None)],
        commits // 5: [(".env", DOTENV)],
        commits // 5 + 40: [(".env", None)],
        commits // 2: [("notebooks/hub_upload.ipynb", HF_CELL)],
        commits // 2 + 3: [("notebooks/hub_upload.ipynb", None)],
    }
    mark = 0
    main_tip: int | None = None
    for number in range(1, commits + 1):
        changes: list[bytes] = []
        for path in rng.sample(paths, per_commit):
            versions[path] += 1
            changes.append(b"M 100644 inline " + path.encode() + b"\n" + _data(_content(rng, path, versions[path])))
        for path, payload in plants.get(number, []):
            if payload is None:
                changes.append(b"D " + path.encode())
            else:
                changes.append(b"M 100644 inline " + path.encode() + b"\n" + _data(payload))
        mark += 1
        yield _commit("refs/heads/main", mark, number, f"Change {number}: tune {rng.choice(WORDS)}", main_tip, changes)
        main_tip = mark
        if number in (commits // 3, (2 * commits) // 3):
            branch_from = main_tip
            for step in range(20):
                mark += 1
                path = rng.choice(paths)
                versions[path] += 1
                change = b"M 100644 inline " + path.encode() + b"\n" + _data(_content(rng, path, versions[path]))
                ref = f"refs/heads/experiment-{number}"
                yield _commit(ref, mark, number, f"Experiment {number} step {step}", branch_from, [change])
                branch_from = mark


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--files-per-commit", type=int, default=5)
    parser.add_argument("--pool", type=int, default=3_000, help="distinct file paths")
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    if args.target.exists():
        print(f"{args.target} exists; remove it first", file=sys.stderr)
        return 2
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(args.target)], check=True)
    importer = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=args.target, stdin=subprocess.PIPE)
    assert importer.stdin is not None
    for chunk in stream(args.commits, args.files_per_commit, args.pool, args.seed):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        return 1
    subprocess.run(["git", "checkout", "-q", "main"], cwd=args.target, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
