"""`rules explain` text as HTML, for the docs a report embeds: the small Markdown subset it uses
(headings, paragraphs, `-` lists with indented continuation lines, fenced code, inline code)."""

from __future__ import annotations

import re
from html import escape

from mlops_lint.catalogue import RuleMeta
from mlops_lint.docs import explain

_INLINE_CODE = re.compile(r"`([^`]+)`")
_URL = re.compile(r"(https?://[^\s<>\"')]+)")


def _inline(text: str) -> str:
    parts = _INLINE_CODE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{escape(part)}</code>")
        else:
            out.append(_URL.sub(r'<a href="\1">\1</a>', escape(part, quote=False)))
    return "".join(out)


def markdown_html(text: str) -> str:
    """HTML of `text`; the first `#` heading is dropped (the caller shows the rule's name)."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>")
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.startswith("```"):
            flush()
            code = []
            while index < len(lines) and not lines[index].startswith("```"):
                code.append(lines[index])
                index += 1
            index += 1
            html.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
        elif line.startswith("## "):
            flush()
            html.append(f"<h4>{escape(line[3:])}</h4>")
        elif line.startswith("# "):
            flush()
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return "".join(html)


def rule_details(meta: RuleMeta) -> str:
    """One rule's documentation, folded; links to `#rule-CODE` open it."""
    return (
        f'<details class="rule" id="rule-{escape(meta.code)}"><summary>{escape(meta.code)} {escape(meta.name)}'
        f' <span class="muted">({escape(str(meta.family))}, {escape(str(meta.severity))})</span></summary>'
        f"{markdown_html(explain(meta))}</details>"
    )
