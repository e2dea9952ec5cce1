"""Paths as a terminal or an editor resolves them: relative to the working folder.

Findings carry paths relative to the project root (baselines, fingerprints, JSON and SARIF keep that
documented form). The formats people click on, text, GitHub annotations and JUnit, show them from
the folder the command ran in, as ruff does: `mlops-lint check examples/` from the checkout prints
`examples/src/churn/train.py`, which the terminal opens, and GitHub resolves against the workspace.
A project outside the working folder keeps root-relative paths (a `../` walk would be no clearer).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from mlops_lint.diagnostics import Diagnostic, RunReport

CWD_RELATIVE_FORMATS = frozenset({"text", "github", "junit"})


def from_working_folder(report: RunReport, cwd: Path) -> RunReport:
    """The report with every path shown from `cwd`, when the project root lies inside it."""
    root = Path(report.root).resolve()
    try:
        prefix = root.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return report
    if prefix in ("", "."):
        return report

    def moved(diagnostic: Diagnostic) -> Diagnostic:
        path = diagnostic.location.path
        shown = prefix if path in ("", ".") else f"{prefix}/{path}"
        return replace(diagnostic, location=replace(diagnostic.location, path=shown))

    errors = tuple(replace(e, location=replace(e.location, path=f"{prefix}/{e.location.path}")) for e in report.errors)
    return replace(
        report,
        diagnostics=tuple(moved(d) for d in report.diagnostics),
        errors=errors,
        root=os.fspath(cwd.resolve()),
    )
