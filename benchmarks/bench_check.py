"""Time `mlops-lint check` on a real, sizeable Python tree next to the parse floors.

The tree is the source of a published ML package, unpacked from its wheel on PyPI (no install,
no dependencies), so CI and any machine with access to the registry can reproduce the figures:

    python benchmarks/bench_check.py                       # scikit-learn (about 900 files)
    python benchmarks/bench_check.py --package transformers==4.46.3

Printed: files, bytes, the `ast.parse` and `libcst.parse_module` floors for the same files, and
mlops-lint's wall time (with and without ruff) as files per second and as a ratio to the libcst
floor. This is a script, not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import sys
import time
import warnings
from pathlib import Path

import libcst as cst

from mlops_lint import api

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_suite import fetch_wheel

CACHE = Path(__file__).resolve().parent / ".cache"


def fetch_tree(requirement: str) -> Path:
    """The package's wheel unpacked once into the cache (shared with the suite: `bench_suite.fetch_wheel`)."""
    CACHE.mkdir(exist_ok=True)
    return fetch_wheel(requirement.replace("/", "_"), CACHE)


def python_files(tree: Path) -> list[Path]:
    return sorted(p for p in tree.rglob("*.py") if ".dist-info" not in p.parts)


def timed(label: str, action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    print(f"  {label:<44} {elapsed:7.2f} s")
    return elapsed


def parse_all_ast(texts: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for text in texts:
            with contextlib.suppress(SyntaxError):
                ast.parse(text)


def parse_all_libcst(texts: list[str]) -> None:
    for text in texts:
        with contextlib.suppress(cst.ParserSyntaxError):
            cst.parse_module(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="scikit-learn==1.5.2", help="requirement of a wheel on PyPI")
    parser.add_argument("--tree", type=Path, help="lint this folder instead of downloading a package")
    args = parser.parse_args()

    tree = args.tree or fetch_tree(args.package)
    files = python_files(tree)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    size = sum(len(t.encode("utf-8")) for t in texts)
    print(f"tree: {tree}\n  files: {len(files)} Python files, {size / 1e6:.1f} MB")

    ast_floor = timed("floor: ast.parse of every file", lambda: parse_all_ast(texts))
    cst_floor = timed("floor: libcst.parse_module of every file", lambda: parse_all_libcst(texts))
    no_ruff = timed("mlops-lint check (without ruff)", lambda: api.lint([tree], api.Overrides(ignore=("ruff",))))
    with_ruff = timed("mlops-lint check (with ruff)", lambda: api.lint([tree]))
    report = api.lint([tree], api.Overrides(ignore=("ruff",)))
    print(f"  findings (without ruff): {len(report.diagnostics)}")
    print(
        f"  files/s: {len(files) / no_ruff:.0f} without ruff, {len(files) / with_ruff:.0f} with ruff; "
        f"ratio to the libcst floor: {no_ruff / cst_floor:.2f}x (ast floor {ast_floor:.2f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
