"""The report of one repository as one self-contained HTML page (see `page.py` for what that means).

Order: the overall score, the scores per practice (chart and table), one card per practice with "why
this score" and its checks, findings by family and severity, where the findings are, every finding,
how scores are computed, and the documentation of every check the page links to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from mlops_lint.catalogue import RuleMeta
from mlops_lint.scorecard import Card
from mlops_lint.scorecard.page import delta_text, document, grade_class, score_text
from mlops_lint.scorecard.rule_docs import rule_details
from mlops_lint.scorecard.score import RUFF_CHECK, WEIGHTS
from mlops_lint.scorecard.svg import Row, Segment, bar_chart, legend
from mlops_lint.scorecard.tallies import SEVERITIES, by_family, hotspots, location

MAX_ROWS = 2000  # findings listed on the page; the JSON card has all of them
_STATUS = {"pass": "pass", "fail": "fail", "off": "off"}


def _since(card: Card, practice_id: str | None = None) -> float | None:
    since = card.get("since")
    if not since:
        return None
    return since["overall"] if practice_id is None else since["practices"].get(practice_id)


def _header(card: Card) -> str:
    repo, run, total = card["repository"], card["run"], card["overall"]
    commit = f"commit <code>{escape(repo['commit'][:12])}</code> · " if repo["commit"] else ""
    history = {"all": "all history read", "none": "git history not read", "staged": "staged files only"}.get(
        run["history"], "history range only"
    )
    applicable = sum(p["applicable"] for p in card["practices"])
    change = ""
    if card.get("since"):
        text, cls = delta_text(total["score"], _since(card))
        change = f'<span class="{cls}">{escape(text)} since {escape(card["since"]["ref"])}</span>'
    parts = [
        f"<header><h1>mlops-lint scorecard: {escape(repo['name'])}</h1>",
        f'<p class="meta">{commit}{escape(card["date"])} · mlops-lint {escape(card["tool"]["version"])} · '
        f"{run['files_checked']} files checked · {len(card['findings'])} findings · {history}</p>",
        f'<div class="overall"><span class="big {grade_class(total["grade"])}">{score_text(total["score"])}</span>'
        f"<span>of 10 overall: the mean of the {applicable} applicable practices</span>{change}</div>",
    ]
    if card["empty"]:
        parts.append('<p class="notice">This repository has no files to check: every practice is not applicable.</p>')
    for notice in run["notices"]:
        parts.append(f'<p class="notice">{escape(notice)}</p>')
    if run["rule_errors"]:
        parts.append(f'<p class="notice">{run["rule_errors"]} rule(s) crashed: their findings are missing.</p>')
    nav = [("scores", "Scores"), ("practices", "Practices"), ("families", "By family"), ("where", "Where"),
           ("findings", "Findings"), ("formula", "How scores are computed"), ("rules", "Rule docs")]  # fmt: skip
    parts.append("<nav><ul>" + "".join(f'<li><a href="#{i}">{t}</a></li>' for i, t in nav) + "</ul></nav></header>")
    return "".join(parts)


def _scores(card: Card) -> str:
    practices = card["practices"]
    rows = [
        Row(p["short"], (Segment(p["score"] or 0, p["grade"], f"{p['title']} {score_text(p['score'])}"),),
            "n/a" if p["score"] is None else f"{p['score']:.1f}/10")
        for p in practices
    ]  # fmt: skip
    words = "; ".join(f"{p['title']}: {score_text(p['score'])}" for p in practices)
    chart = bar_chart(
        "chart-scores", "Score per practice, 0 to 10", f"Scores out of 10 (n/a: not applicable). {words}.", rows, 10
    )
    since = bool(card.get("since"))
    head = ["Practice", "Score", *(["Change"] if since else []), "Err.", "Warn.", "Info", "Size"]
    sort = ["text", "num", *(["num"] if since else []), "num", "num", "num", "num"]
    body = []
    for p in practices:
        value = p["score"] if p["score"] is not None else -1
        cells = [
            f'<td data-label="Practice"><a href="#p-{p["id"]}">{escape(p["title"])}</a></td>',
            f'<td class="num {grade_class(p["grade"])}" data-label="Score" data-value="{value}">'
            f"<strong>{score_text(p['score'])}</strong></td>",
        ]
        if since:
            text, cls = delta_text(p["score"], _since(card, p["id"]))
            cells.append(f'<td class="num {cls}" data-label="Change">{escape(text)}</td>')
        cells += [f'<td class="num" data-label="{s.title()}">{p["counts"][s]}</td>' for s in SEVERITIES]
        cells.append(f'<td class="num" data-label="Size">{p["size"]}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = ""
    if since:
        before = card["since"]
        commit = f" ({escape(before['commit'][:12])})" if before.get("commit") else ""
        caption = f"<caption>Change since {escape(before['ref'])}{commit}, scored {escape(before['date'])}</caption>"
    return (
        '<section id="scores"><h2>Scores per practice</h2>'
        f"<figure>{chart}<figcaption>The same scores are in the table below; "
        "the bar colour says good (8 and up), fair (5 to 8) or poor (below 5).</figcaption></figure>"
        + _table("scores-table", head, sort, body, caption)
        + "</section>"
    )


_ABBREVIATIONS = {"Err.": "errors", "Warn.": "warnings"}


def _table(
    table_id: str, head: Sequence[str], sort: Sequence[str], body: Sequence[str], caption: str = "", stack: bool = False
) -> str:
    """A sortable table; `stack` turns its rows into cards on narrow screens (for tables too wide for a phone)."""
    ths = "".join(
        f'<th scope="col" data-sort="{kind}"{" class=num" if kind == "num" else ""}>'
        + (f'<abbr title="{_ABBREVIATIONS[title]}">{title}</abbr>' if title in _ABBREVIATIONS else escape(title))
        + "</th>"
        for title, kind in zip(head, sort, strict=True)
    )
    return (
        f'<table id="{table_id}" class="sortable{" stack" if stack else ""}">{caption}<thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _practice_card(card: Card, practice: Mapping[str, Any]) -> str:
    checks = []
    for check in practice["checks"]:
        status = _STATUS[check["status"]]
        name = escape(check["name"])
        target = f'<a href="#rule-{escape(check["code"])}">{escape(check["code"])}</a> {name}'
        if check["code"] == RUFF_CHECK:
            target = f'{name} <span class="muted">({escape(check["summary"])})</span>'

        count = f" — {check['findings']} finding{'s' if check['findings'] != 1 else ''}" if check["findings"] else ""
        label = {"pass": "pass", "fail": "fail", "off": "off"}[status]
        checks.append(
            f'<li><span class="st {status}">{label}</span><span>{target}{count}'
            f"{' (not enabled)' if status == 'off' else ''}</span></li>"
        )
    before = _since(card, practice["id"])
    change = ""
    if card.get("since"):
        text, cls = delta_text(practice["score"], before)
        change = f'<p class="{cls}">Was {score_text(before)} at {escape(card["since"]["ref"])} ({escape(text)}).</p>'
    return (
        f'<article class="practice" id="p-{practice["id"]}"><h3><span>{escape(practice["title"])}</span>'
        f'<span class="{grade_class(practice["grade"])}">{score_text(practice["score"])}</span></h3>'
        f'<p class="muted">{escape(practice["question"])}</p>'
        f"<p><strong>Why this score:</strong> {escape(practice['why'])}</p>{change}"
        f"<details open><summary>Checks ({sum(c['status'] == 'fail' for c in practice['checks'])} failing)</summary>"
        f'<ul class="checks">{"".join(checks)}</ul></details></article>'
    )


def _families(card: Card) -> str:
    rows = by_family(card["findings"])
    if not rows:
        return '<section id="families"><h2>Findings by family and severity</h2><p>No findings.</p></section>'
    widest = max(sum(counts.values()) for _family, counts in rows)
    chart_rows = [
        Row(family, tuple(Segment(counts[s], s, f"{counts[s]} {s}") for s in SEVERITIES), str(sum(counts.values())))
        for family, counts in rows
    ]
    words = "; ".join(f"{family}: " + ", ".join(f"{counts[s]} {s}" for s in SEVERITIES) for family, counts in rows)
    chart = bar_chart("chart-families", "Findings by family and severity", words, chart_rows, widest)
    body = [
        f'<tr><td data-label="Family">{escape(family)}</td>'
        + "".join(f'<td class="num" data-label="{s.title()}">{counts[s]}</td>' for s in SEVERITIES)
        + f'<td class="num" data-label="Total">{sum(counts.values())}</td></tr>'
        for family, counts in rows
    ]
    table = _table("families-table", ["Family", "Err.", "Warn.", "Info", "Total"], ["text", *["num"] * 4], body)
    return (
        f'<section id="families"><h2>Findings by family and severity</h2><figure>{chart}{legend(SEVERITIES)}'
        f"<figcaption>Stacked bars: errors, warnings, info per family (numbers in the table).</figcaption></figure>"
        f"{table}</section>"
    )


def _where(card: Card) -> str:
    folders, files = hotspots(card["findings"])
    if not folders and not files:
        return '<section id="where"><h2>Where the findings are</h2><p>No findings in files.</p></section>'
    out = ['<section id="where"><h2>Where the findings are</h2>']
    if folders:
        rows = [Row(path, (Segment(count, "count", f"{count} findings"),), str(count)) for path, count in folders]
        words = "; ".join(f"{path}: {count}" for path, count in folders)
        chart = bar_chart("chart-folders", "Folders with the most findings", words, rows, folders[0][1])
        out.append(f"<h3>Folders</h3><figure>{chart}<figcaption>A folder counts the findings of everything "
                   "inside it.</figcaption></figure>")  # fmt: skip
    if files:
        body = [
            f'<tr><td data-label="File"><code>{escape(p)}</code></td>'
            f'<td class="num" data-label="Findings">{n}</td></tr>'
            for p, n in files
        ]
        out.append("<h3>Files</h3>" + _table("files-table", ["File", "Findings"], ["text", "num"], body))
    return "".join(out) + "</section>"


def _findings(card: Card) -> str:
    findings = card["findings"]
    if not findings:
        return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
    titles = {p["id"]: p["title"] for p in card["practices"]}
    body = []
    for f in findings[:MAX_ROWS]:
        practice = titles.get(f["practice"] or "", "not scored")
        help_line = f'<div class="help">help: {escape(f["help"])}</div>' if f.get("help") else ""
        rule = (
            f'<a href="#rule-{escape(f["code"])}">{escape(f["code"])}</a>'
            if f["code"][:2] == "ML"
            else escape(f["code"])
        )
        body.append(
            f'<tr data-severity="{f["severity"]}" data-practice="{escape(f["practice"] or "")}">'
            f'<td data-label="Severity" data-value="{SEVERITIES.index(f["severity"])}">'
            f'<span class="sev {f["severity"]}">{f["severity"]}</span></td>'
            f'<td data-label="Rule">{rule} {escape(f["name"])}</td><td data-label="Practice">{escape(practice)}</td>'
            f'<td data-label="Where"><code>{escape(location(f))}</code></td>'
            f'<td data-label="Message">{escape(f["message"])}{help_line}</td></tr>'
        )
    options = "".join(f'<option value="{i}">{escape(t)}</option>' for i, t in titles.items())
    filters = (
        '<div class="filters" id="filters" hidden><label>Severity <select name="severity"><option value="">all</option>'
        + "".join(f'<option value="{s}">{s}</option>' for s in SEVERITIES)
        + f'</select></label><label>Practice <select name="practice"><option value="">all</option>{options}</select>'
        '</label><label>Search <input name="q" type="search"></label>'
        f'<span aria-live="polite"><span id="shown">{min(len(findings), MAX_ROWS)}</span> shown</span></div>'
    )
    more = f"<p>{len(findings) - MAX_ROWS} more findings are in the JSON card.</p>" if len(findings) > MAX_ROWS else ""
    table = _table(
        "findings-table",
        ["Severity", "Rule", "Practice", "Where", "Message"],
        ["num", "text", "text", "text", "text"],
        body,
        stack=True,
    )
    return f'<section id="findings"><h2>Findings ({len(findings)})</h2>{filters}{table}{more}</section>'


def _formula(card: Card) -> str:
    weights = ", ".join(f"{s} {WEIGHTS[s]:g}" for s in SEVERITIES)
    return (
        '<section id="formula"><h2>How scores are computed</h2>'
        f"<p>Each finding adds a penalty by its severity ({weights}) to the practice of its rule family. "
        "A practice's <em>size</em> is what the repository has of it: files for naming and git hygiene, "
        "Python files and notebooks for code quality, experiment folders and MLflow files for experiment tracking, "
        "DVC pointers, pipeline files and git-lfs files for data, code, dependency files and experiments for "
        "reproducibility, notebooks for notebooks.</p>"
        "<p><code>score = 10 &times; size / (size + penalty)</code>, one decimal. No findings: 10. "
        "One penalty point per unit of size halves the score. "
        "A practice of size 0 without findings is <em>not applicable</em> (n/a), never 0. "
        "The overall score is the mean of the applicable practices. Findings of the <code>internal</code> family "
        "(a file that cannot be parsed) are listed but not scored. Each practice card above shows its numbers.</p>"
        "</section>"
    )


def _rule_docs(card: Card, metas: Mapping[str, RuleMeta]) -> str:
    codes = sorted({c["code"] for p in card["practices"] for c in p["checks"]} | {f["code"] for f in card["findings"]})
    docs = "".join(rule_details(metas[code]) for code in codes if code in metas)
    return (
        '<section id="rules"><h2>Rule documentation</h2><p class="muted">As '
        f"<code>mlops-lint rules explain CODE</code> prints it.</p>{docs}</section>"
    )


def report_html(card: Card, metas: Mapping[str, RuleMeta]) -> str:
    practices = "".join(_practice_card(card, p) for p in card["practices"])
    body = (
        _header(card)
        + "<main>"
        + _scores(card)
        + f'<section id="practices"><h2>Practices</h2><div class="cards">{practices}</div></section>'
        + _families(card)
        + _where(card)
        + _findings(card)
        + _formula(card)
        + _rule_docs(card, metas)
        + "</main>"
        + f"<footer>Made by mlops-lint {escape(card['tool']['version'])}; the same data: "
        "<code>mlops-lint report --output-format json</code>.</footer>"
    )
    name = card["repository"]["name"]
    total = score_text(card["overall"]["score"])
    return document(f"mlops-lint scorecard: {name}", body, f"{name}: {total} of 10 overall")
