"""Re-run the default `mlops-lint check` on the ledger's pinned repositories and print what it found.

The precision ledger (see PRECISION.md and `judged-before.md`) judges every warning/error finding of
a default run on real ML repositories. Tools and repositories drift, so this script re-runs the
check exactly as a user would (`mlops-lint check --output-format json --no-cache`, no other flags)
and prints counts by code and severity per repository, so anyone can see what changed since the
table was judged. `--sample N` prints a deterministic sample (every code first, then evenly spread)
of warning/error findings with the flagged source line, ready to be judged again.

Usage: python benchmarks/precision/ledger.py [--repos DIR] [--config repos.toml] [--save DIR | --load DIR]
       [--sample N] [--only NAME]
The repositories are not part of the project: clone them yourself (the warning says how).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - tomli is a dependency of mlops-lint on Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ACTED_ON = ("error", "warning")  # the severities the ledger judges; info is advice by definition

Finding = dict[str, Any]


@dataclass(frozen=True)
class Repo:
    """One pinned repository of the ledger."""

    name: str
    url: str
    commit: str
    kind: str


def load_repos(config: Path) -> list[Repo]:
    """Read the `[[repo]]` tables of the ledger's TOML file, in file order."""
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return [Repo(r["name"], r["url"], r["commit"], r.get("kind", "")) for r in data.get("repo", [])]


def pin_warning(repo: Repo, clone: Path) -> str | None:
    """Say how to get the pinned commit when the clone is missing or elsewhere; None when it is right."""
    how = f"git clone {repo.url} {clone} && git -C {clone} checkout {repo.commit}"
    if not clone.is_dir():
        return f"{repo.name}: no clone at {clone}; get it with: {how}"
    head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True)
    actual = head.stdout.strip()
    if head.returncode != 0 or actual != repo.commit:
        return (
            f"{repo.name}: HEAD is {actual or 'unknown'}, the ledger pins {repo.commit}; counts will drift. "
            f"Run: git -C {clone} fetch && git -C {clone} checkout {repo.commit}"
        )
    return None


def _command() -> list[str]:
    """The console script next to this interpreter, as a user runs it; else the CLI's entry point."""
    script = Path(sys.executable).with_name("mlops-lint")
    if script.exists():
        return [str(script)]
    found = shutil.which("mlops-lint")
    if found:
        return [found]
    return [sys.executable, "-c", "from mlops_lint.cli import main; main()"]


def run_check(clone: Path) -> list[Finding]:
    """Run the default check in the clone and return its JSON findings (exit 1 only means findings)."""
    command = [*_command(), "check", "--output-format", "json", "--no-cache"]
    result = subprocess.run(command, cwd=clone, capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"mlops-lint exited {result.returncode} in {clone}: {result.stderr.strip()[-2000:]}")
    findings: list[Finding] = json.loads(result.stdout or "[]")
    return findings


def _saved(path: Path) -> list[Finding]:
    """Findings of an earlier `--save` (or any `--output-format json` run)."""
    findings: list[Finding] = json.loads(path.read_text(encoding="utf-8"))
    return findings


def _order(finding: Finding) -> tuple[str, int, int, str]:
    return (finding["path"] or "", finding.get("line") or 0, finding.get("column") or 0, finding["code"])


def sample(findings: list[Finding], size: int) -> list[Finding]:
    """Every code at least once, then quotas dealt round-robin; within a code, evenly spaced picks.

    Deterministic (sorted, no randomness), so two people judging the same run read the same lines.
    """
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=_order):
        by_code[finding["code"]].append(finding)
    codes = sorted(by_code)
    quota = Counter({code: 1 for code in codes})
    budget = max(size, len(codes)) - len(codes)
    while budget > 0 and any(quota[c] < len(by_code[c]) for c in codes):
        for code in codes:
            if budget and quota[code] < len(by_code[code]):
                quota[code] += 1
                budget -= 1
    picked: list[Finding] = []
    for code in codes:
        items, want = by_code[code], quota[code]
        picked += [items[(i * len(items)) // want] for i in range(want)]
    return sorted(picked, key=_order)


def source_line(clone: Path, finding: Finding) -> str:
    """The flagged line: of the file, or of the notebook cell (1-based over all cells) for notebooks."""
    path, line = clone / (finding["path"] or ""), finding.get("line") or 0
    try:
        if finding.get("cell"):
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
            source = cells[finding["cell"] - 1]["source"]
            lines = ("".join(source) if isinstance(source, list) else source).splitlines()
            line = finding.get("cell_line") or line
        else:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return ""
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def where(finding: Finding) -> str:
    """path:line, with the notebook cell when there is one."""
    cell = f" (cell {finding['cell']})" if finding.get("cell") else ""
    return f"{finding['path']}:{finding.get('line') or 0}{cell}"


def report(repo: Repo, findings: list[Finding]) -> Counter[str]:
    """Print one repository's counts by code and severity; return its counts by severity."""
    severities: Counter[str] = Counter(f["severity"] for f in findings)
    acted = sum(severities[s] for s in ACTED_ON)
    print(f"\n## {repo.name} ({repo.commit[:12]}): {acted} warning/error, {len(findings)} in all")
    for (code, severity), count in sorted(Counter((f["code"], f["severity"]) for f in findings).items()):
        print(f"  {code:8} {severity:8} {count:5}")
    return severities


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=Path, default=Path("/work/repos"), help="folder holding one clone per repo")
    parser.add_argument("--config", type=Path, default=HERE / "repos.toml", help="the ledger's repository list")
    parser.add_argument("--save", type=Path, help="write each repository's JSON findings to DIR/<name>.json")
    parser.add_argument("--sample", type=int, default=0, help="print N warning/error findings per repo to judge")
    parser.add_argument("--load", type=Path, help="read DIR/<name>.json (an earlier --save) instead of running")
    parser.add_argument("--only", action="append", default=[], help="run only this repository (repeatable)")
    args = parser.parse_args(argv)

    totals: Counter[str] = Counter()
    for repo in load_repos(args.config):
        if args.only and repo.name not in args.only:
            continue
        clone = args.repos / repo.name
        warning = pin_warning(repo, clone)
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
            if not clone.is_dir():
                continue
        try:
            findings = _saved(args.load / f"{repo.name}.json") if args.load else run_check(clone)
        except (OSError, ValueError, RuntimeError) as error:
            print(f"warning: {repo.name}: skipped: {error}", file=sys.stderr)
            continue
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{repo.name}.json").write_text(json.dumps(findings, indent=2) + "\n", encoding="utf-8")
        totals += report(repo, findings)
        if args.sample:
            acted = [f for f in findings if f["severity"] in ACTED_ON]
            for finding in sample(acted, args.sample):
                print(f"    {finding['code']} {finding['severity']} {where(finding)}: {finding['message']}")
                print(f"        | {source_line(clone, finding)}")
    acted_total = sum(totals[s] for s in ACTED_ON)
    counts = f"{totals['error']} error, {totals['warning']} warning"
    print(f"\nTotal: {acted_total} warning/error ({counts}), {totals['info']} info")
    return 0


if __name__ == "__main__":
    sys.exit(main())
