"""Inline SVG charts: horizontal bars, plain or stacked. No script, no external font or stylesheet.

Every chart is `role="img"` with a `<title>` and a `<desc>` that say in words what the bars show
(its text alternative for screen readers and for anyone the picture fails); the page puts the same
numbers in a table next to it. Widths are percentages, so a chart stretches with its column and its text keeps its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

LABEL_END = 38  # percent of the chart's width: labels end here, bars start 1% later
BAR_END = 84  # bars end here; the value is written after them
ROW_H = 26
BAR_H = 16
TOP = 6

COLOURS = {
    "good": "#1a7f37",
    "fair": "#9a6700",
    "poor": "#cf222e",
    "n/a": "#8c959f",
    "error": "#cf222e",
    "warning": "#bf8700",
    "info": "#0969da",
    "count": "#57606a",  # a plain count, no judgement
}


@dataclass(frozen=True, slots=True)
class Segment:
    value: float
    colour: str  # a key of COLOURS
    label: str  # the segment in words, for the per-bar tooltip


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    segments: tuple[Segment, ...]
    value_text: str  # printed after the bar


def _clip(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def bar_chart(chart_id: str, title: str, description: str, rows: Sequence[Row], scale: float) -> str:
    """Bars of `rows`, each `segments` laid end to end, `scale` the value of a full-width bar.

    Positions are percentages of the chart's width and the height is in pixels, with no `viewBox`: the
    bars stretch with the column while the 12 px labels stay 12 px, readable at 375 px and at 1280 px."""
    bar_w = BAR_END - LABEL_END - 1
    height = TOP * 2 + ROW_H * max(len(rows), 1)
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'width="100%" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW_H
        parts.append(f"<g><title>{escape(row.label)}: {escape(row.value_text)}</title>")
        label = escape(_clip(row.label))
        parts.append(f'<text x="{LABEL_END}%" y="{y + BAR_H - 3}" text-anchor="end" class="lbl">{label}</text>')
        parts.append(f'<rect x="{LABEL_END + 1}%" y="{y}" width="{bar_w}%" height="{BAR_H}" class="track"/>')
        x = float(LABEL_END + 1)
        for segment in row.segments:
            width = bar_w * min(segment.value / scale, 1.0) if scale > 0 else 0.0
            if width <= 0:
                continue
            parts.append(
                f'<rect x="{x:.2f}%" y="{y}" width="{width:.2f}%" height="{BAR_H}" fill="{COLOURS[segment.colour]}">'
                f"<title>{escape(segment.label)}</title></rect>"
            )
            x += width
        parts.append(f'<text x="{BAR_END + 1}%" y="{y + BAR_H - 3}" class="val">{escape(row.value_text)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def legend(keys: Sequence[str]) -> str:
    """An HTML legend for colour keys (text, so it reflows and prints)."""
    items = "".join(
        f'<li><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="{COLOURS[k]}"/></svg> '
        f"{escape(k)}</li>"
        for k in keys
    )
    return f'<ul class="legend">{items}</ul>'
