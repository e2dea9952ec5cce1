"""Many repositories' cards on one page: a row per repository, the worst practices across the fleet.

Rows start worst first (lowest overall score; repositories without any applicable practice last), so
the page answers "which repository needs attention first" without JavaScript; a click on a column
header sorts by it. A practice's fleet score is the mean over the repositories where it applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from mlops_lint.scorecard import Card
from mlops_lint.scorecard.page import document, grade_class, score_text
from mlops_lint.scorecard.practices import PRACTICES
from mlops_lint.scorecard.score import grade
from mlops_lint.scorecard.svg import Row, Segment, bar_chart


def _score(card: Card, practice_id: str) -> dict[str, Any] | None:
    return next((p for p in card["practices"] if p["id"] == practice_id), None)


def worst_practices(cards: Sequence[Card]) -> list[dict[str, Any]]:
    """Per practice: the mean score where it applies, how many repositories it applies to, how many are
    poor (below 5); lowest mean first, practices that apply nowhere last."""
    rows = []
    for practice in PRACTICES:
        scores = [p["score"] for card in cards if (p := _score(card, practice.id)) and p["applicable"]]
        mean = round(sum(scores) / len(scores), 1) if scores else None
        rows.append({"id": practice.id, "title": practice.title, "short": practice.short, "mean": mean,
                     "applies": len(scores), "poor": sum(s < 5 for s in scores)})  # fmt: skip
    return sorted(rows, key=lambda r: (r["mean"] is None, r["mean"] if r["mean"] is not None else 0, r["id"]))


def order(cards: Sequence[Card]) -> list[Card]:
    def key(card: Card) -> tuple[bool, float, str]:
        total = card["overall"]["score"]
        return (total is None, total if total is not None else 0.0, card["repository"]["name"])

    return sorted(cards, key=key)


def _cell(score: float | None, label: str) -> str:
    value = -1 if score is None else score
    return (
        f'<td class="num {grade_class(grade(score))}" data-label="{escape(label)}" data-value="{value}">'
        f"{score_text(score)}</td>"
    )


def _th(title: str, kind: str, tip: str = "") -> str:
    numeric = ' class="num"' if kind == "num" else ""
    hint = f' title="{escape(tip)}"' if tip else ""
    return f'<th scope="col" data-sort="{kind}"{numeric}{hint}>{escape(title)}</th>'


def _worst_section(cards: Sequence[Card]) -> str:
    worst = worst_practices(cards)
    rows = [Row(w["short"], (Segment(w["mean"] or 0, grade(w["mean"]), f"mean {score_text(w['mean'])}"),),
                f"{score_text(w['mean'])}/10") for w in worst]  # fmt: skip
    words = "; ".join(f"{w['title']}: mean {score_text(w['mean'])} over {w['applies']} repositories" for w in worst)
    chart = bar_chart("chart-fleet", "Mean score per practice across the fleet, worst first", words, rows, 10)
    body = "".join(
        f'<tr><td data-label="Practice">{escape(w["title"])}</td>{_cell(w["mean"], "Mean")}'
        f'<td class="num" data-label="Repositories">{w["applies"]}</td>'
        f'<td class="num" data-label="Poor">{w["poor"]}</td></tr>'
        for w in worst
    )
    head = _th("Practice", "text") + _th("Mean", "num") + _th("Repositories", "num") + _th("Poor (<5)", "num")
    return (
        f'<section id="worst"><h2>Worst practices across the fleet</h2><figure>{chart}<figcaption>Mean score of '
        "each practice over the repositories where it applies; numbers in the table.</figcaption></figure>"
        f'<table id="worst-table" class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        "</section>"
    )


def _repos_section(cards: Sequence[Card]) -> str:
    body = []
    for card in order(cards):
        repo = card["repository"]
        cells = "".join(_cell((_score(card, p.id) or {}).get("score"), p.short) for p in PRACTICES)
        commit = f"<br><code>{escape(repo['commit'][:7])}</code>" if repo["commit"] else ""
        body.append(
            f'<tr><th scope="row" data-label="Repository">{escape(repo["name"])}{commit}</th>'
            f"{_cell(card['overall']['score'], 'Overall')}{cells}"
            f'<td class="num" data-label="Findings">{len(card["findings"])}</td>'
            f'<td data-label="Date">{escape(card["date"][:10])}</td></tr>'
        )
    head = (
        _th("Repository", "text")
        + _th("Overall", "num")
        + "".join(_th(p.short, "num", p.title) for p in PRACTICES)
        + _th("Findings", "num")
        + _th("Date", "text")
    )
    return (
        '<section id="repos"><h2>Repositories</h2><p class="muted">Click a column header to sort. '
        'n/a: not applicable.</p><table id="fleet-table" class="sortable stack">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def fleet_html(cards: Sequence[Card], sources: Sequence[str]) -> str:
    first = order(cards)[0]["repository"]["name"] if cards else ""
    nav = '<li><a href="#worst">Worst practices</a></li><li><a href="#repos">Repositories</a></li>'
    page = (
        f"<header><h1>mlops-lint fleet: {len(cards)} repositories</h1>"
        f'<p class="meta">Merged from {len(sources)} scorecards. Worst first: start with '
        f"<strong>{escape(first)}</strong>.</p><nav><ul>{nav}</ul></nav></header>"
        f"<main>{_worst_section(cards)}{_repos_section(cards)}</main>"
        "<footer>Scores as defined by each card's mlops-lint version; the formula is in the README, "
        "section Scorecard.</footer>"
    )
    return document(f"mlops-lint fleet: {len(cards)} repositories", page, f"Scorecards of {len(cards)} repositories")


def fleet_text(cards: Sequence[Card]) -> str:
    head = f"{'repository':<36} {'overall':>7} " + " ".join(f"{p.short[:8]:>8}" for p in PRACTICES)
    lines = [head]
    for card in order(cards):
        scores = " ".join(f"{score_text((_score(card, p.id) or {}).get('score')):>8}" for p in PRACTICES)
        lines.append(f"{card['repository']['name'][:36]:<36} {score_text(card['overall']['score']):>7} {scores}")
    lines.append(
        "worst practices: " + ", ".join(f"{w['title']} {score_text(w['mean'])}" for w in worst_practices(cards)[:3])
    )
    return "\n".join(lines) + "\n"
