"""Make a scorecard: run the ordinary check (one `api` session: same configuration, cache, selection)
and add what the formula needs, the repository's size per practice and which rules ran."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mlops_lint import __version__
from mlops_lint.api import Overrides, Session, lint_session, open_session
from mlops_lint.diagnostics import Diagnostic, RunReport
from mlops_lint.git_gateway import GitGateway
from mlops_lint.reporters.json_format import finding
from mlops_lint.scorecard import FORMAT, FORMAT_VERSION, Card
from mlops_lint.scorecard.practices import inventory
from mlops_lint.scorecard.score import grade, overall, practice_of, score_practices

_REMOTE_NAME = re.compile(r"[:/]([^/:]+/[^/]+?)(?:\.git)?/?$")


def _git(root: Path) -> tuple[str, str | None]:
    """(the `origin` remote's URL or "", HEAD's commit), read from `.git` by the gateway."""
    gateway = GitGateway(root)
    try:
        return gateway.config('remote "origin"', "url") or "", gateway.head_commit()
    finally:
        gateway.close()


def repository_name(root: Path) -> str:
    """`owner/name` from the `origin` remote when there is one (what a fleet page lists), else the folder."""
    url = _git(root)[0]
    if ("://" not in url and not re.match(r"^[\w.-]+@[\w.-]+:", url)) or url.startswith("file:"):
        return root.name  # a clone of a local folder: its path names no repository
    match = _REMOTE_NAME.search(url)
    return match.group(1) if match else root.name


def run_date() -> str:
    """Now in UTC, or `SOURCE_DATE_EPOCH` when set (reproducible documentation builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.fromtimestamp(int(epoch), timezone.utc) if epoch and epoch.isdigit() else datetime.now(timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _enabled(session: Session) -> list[str]:
    rules = session.rules
    codes = [s.meta.code for group in (rules.path_rules, rules.python_rules, rules.repo_rules) for s, _c in group]
    return sorted({*codes, *rules.engine_rules})


def card_finding(diagnostic: Diagnostic, session: Session) -> dict[str, Any]:
    """A finding of the findings JSON, plus its practice and a `help` line (fix title or rule summary)."""
    data = finding(diagnostic)
    meta = session.metas.get(diagnostic.code)
    data["practice"] = practice_of(data)
    data["help"] = diagnostic.fix.title if diagnostic.fix else meta.summary if meta else None
    return data


def card_from_run(session: Session, report: RunReport, name: str | None = None) -> Card:
    """The card of a finished run: every finding, each practice's score and the facts behind them."""
    measure = inventory(session.repo())
    findings = [card_finding(d, session) for d in report.diagnostics]
    practices = score_practices(findings, measure, session.metas.values(), _enabled(session), session.ruff_active)
    total = overall(practices)
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "repository": {
            "name": name or repository_name(session.root),
            "commit": _git(session.root)[1],
        },
        "date": run_date(),
        "tool": {"name": "mlops-lint", "version": __version__},
        "run": {
            "history": session.run_options.history.kind,
            "files_checked": report.files_checked,
            "suppressed": report.suppressed,
            "baselined": report.baselined,
            "rule_errors": len(report.errors),
            "enabled_rules": len(_enabled(session)),
            "ruff": session.ruff_active,
            "notices": list(report.notices),
        },
        "empty": measure["files"] == 0,
        "inventory": measure,
        "overall": {"score": total, "grade": grade(total)},
        "practices": practices,
        "findings": findings,
        "since": None,
    }


def build_card(paths: Sequence[Path], overrides: Overrides, name: str | None = None) -> tuple[Card, RunReport]:
    session = open_session(paths, overrides)
    report = lint_session(session)
    return card_from_run(session, report, name), report
