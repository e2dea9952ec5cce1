"""What `mlops-lint report` does, apart from parsing its options: make or merge cards, render, write.

Kept out of `cli.py` so the command stays a thin layer and this is tested directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mlops_lint.api import Overrides
from mlops_lint.registry import metas
from mlops_lint.reporters.github import write_scorecard_summary
from mlops_lint.scorecard import Card
from mlops_lint.scorecard.badge import badge_svg
from mlops_lint.scorecard.build import build_card
from mlops_lint.scorecard.card import ScorecardError, dumps, load
from mlops_lint.scorecard.fleet import fleet_html, fleet_text
from mlops_lint.scorecard.html import report_html
from mlops_lint.scorecard.page import score_text
from mlops_lint.scorecard.since import previous_card, since_summary
from mlops_lint.scorecard.tables import markdown_table, text_table

FORMATS = ("html", "json", "markdown", "text")
_ONE: Mapping[str, Callable[[Card], str]] = {
    "html": lambda card: report_html(card, metas()),
    "json": dumps,
    "markdown": markdown_table,
    "text": text_table,
}


@dataclass(frozen=True)
class Request:
    paths: Sequence[Path]
    overrides: Overrides = field(default_factory=Overrides)
    output: Path | None = None  # None: stdout
    output_format: str | None = None  # None: html into a file, text on stdout
    badge: Path | None = None
    merge: bool = False
    since: str | None = None


@dataclass
class Outcome:
    stdout: str = ""
    messages: list[str] = field(default_factory=list)  # for stderr
    exit_code: int = 0


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ScorecardError(f"{path}: cannot be written ({exc.strerror or exc})") from exc


def _deliver(outcome: Outcome, request: Request, rendered: str, summary: str) -> None:
    if request.output is None:
        outcome.stdout = rendered
    else:
        _write(request.output, rendered)
        outcome.stdout = summary
        outcome.messages.append(f"wrote {request.output}")


def _merge(request: Request, chosen: str) -> Outcome:
    if not request.paths:
        raise ScorecardError("--merge needs the scorecard files to merge (written by `report --output-format json`)")
    if chosen not in ("html", "text"):
        raise ScorecardError(f"--merge writes html or text, not {chosen}")
    cards = [load(path) for path in request.paths]
    outcome = Outcome()
    text = fleet_text(cards)
    rendered = fleet_html(cards, [str(p) for p in request.paths]) if chosen == "html" else text
    _deliver(outcome, request, rendered, text)
    return outcome


def run(request: Request) -> Outcome:
    chosen = request.output_format or ("html" if request.output else "text")
    if chosen not in FORMATS:
        raise ScorecardError(f"unknown report format {chosen!r} (one of {', '.join(FORMATS)})")
    if request.merge:
        if request.since or request.badge:
            raise ScorecardError("--merge cannot be combined with --since or --badge")
        return _merge(request, chosen)
    card, report = build_card(request.paths, request.overrides)
    if request.since:
        before = previous_card(
            Path(report.root), request.since, request.paths, request.overrides, card["repository"]["name"]
        )
        card["since"] = since_summary(before, request.since)
    outcome = Outcome(exit_code=2 if report.errors else 0)
    outcome.messages += [f"notice: {notice}" for notice in report.notices]
    outcome.messages += [f"rule {e.code} crashed on {e.location.path}: {e.error}" for e in report.errors]
    _deliver(outcome, request, _ONE[chosen](card), text_table(card))
    if request.badge is not None:
        _write(request.badge, badge_svg(card))
        outcome.messages.append(f"wrote {request.badge} ({score_text(card['overall']['score'])}/10)")
    write_scorecard_summary(markdown_table(card), os.environ)
    return outcome
