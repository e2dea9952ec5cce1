"""The practice scores as a plain-text table (the terminal) and as Markdown (the GitHub job summary)."""

from __future__ import annotations

from collections.abc import Sequence

from mlops_lint.scorecard import Card
from mlops_lint.scorecard.page import delta_text, score_text


def _change(card: Card, practice_id: str | None) -> str:
    since = card.get("since")
    if not since:
        return ""
    if practice_id is None:
        return delta_text(card["overall"]["score"], since["overall"])[0]
    now = next(p["score"] for p in card["practices"] if p["id"] == practice_id)
    return delta_text(now, since["practices"].get(practice_id))[0]


def text_table(card: Card) -> str:
    repo = card["repository"]
    since = card.get("since")
    commit = f" (commit {repo['commit'][:12]})" if repo["commit"] else ""
    lines = [f"mlops-lint scorecard: {repo['name']}{commit}"]
    if card["empty"]:
        lines.append("This repository has no files to check: every practice is not applicable.")
    change_head = f" {'change':>7}" if since else ""
    lines.append(f"{'practice':<32} {'score':>5}{change_head}  {'err':>4} {'warn':>4} {'info':>4}  size")
    for p in card["practices"]:
        counts = p["counts"]
        change = f" {_change(card, p['id']):>7}" if since else ""
        lines.append(
            f"{p['title']:<32} {score_text(p['score']):>5}{change}  {counts['error']:>4} {counts['warning']:>4} "
            f"{counts['info']:>4}  {p['size']}"
        )
    change = f" {_change(card, None):>7}" if since else ""
    lines.append(f"{'overall':<32} {score_text(card['overall']['score']):>5}{change}")
    if since:
        lines.append(f"change since {since['ref']}" + (f" ({since['commit'][:12]})" if since.get("commit") else ""))
    lines.append("n/a: not applicable (the repository has none of it). How: README, section Scorecard.")
    return "\n".join(lines) + "\n"


def _md(value: str) -> str:
    return value.replace("|", "\\|").replace("<", "&lt;")


def markdown_table(card: Card) -> str:
    """The job summary block: a heading with the overall score and one row per practice."""
    since = card.get("since")
    total = score_text(card["overall"]["score"])
    head = ["Practice", "Score", *(["Change"] if since else []), "Errors", "Warnings", "Info", "Size"]
    lines = [
        f"## mlops-lint scorecard: {_md(card['repository']['name'])}: {total}/10",
        "",
        "| " + " | ".join(head) + " |",
        "|---|" + "---:|" * (len(head) - 1),
    ]
    for p in card["practices"]:
        cells: Sequence[str] = [
            _md(p["title"]),
            f"**{score_text(p['score'])}**",
            *([_change(card, p["id"])] if since else []),
            *(str(p["counts"][s]) for s in ("error", "warning", "info")),
            str(p["size"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if card["empty"]:
        lines += ["", "This repository has no files to check: every practice is not applicable."]
    if since:
        lines += ["", f"Change since `{_md(since['ref'])}`."]
    return "\n".join(lines) + "\n"
