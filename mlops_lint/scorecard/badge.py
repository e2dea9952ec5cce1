"""A shields.io-style badge of the overall score, for a README: `mlops-lint | 7.4/10`.

Text widths are estimated from per-character widths of 11 px Verdana (as shields does, without a
font file), so the badge needs nothing at render time; `textLength` keeps the text inside its box
in any fallback font.
"""

from __future__ import annotations

from html import escape

from mlops_lint.scorecard import Card
from mlops_lint.scorecard.svg import COLOURS

_NARROW = set("ijlt.,:;!|/'() ")
_WIDE = set("mwMW@%")


def _text_width(text: str) -> float:
    return sum(3.5 if c in _NARROW else 10.0 if c in _WIDE else 7.0 for c in text)


def badge_svg(card: Card, label: str = "mlops-lint") -> str:
    score = card["overall"]["score"]
    value = "n/a" if score is None else f"{score:.1f}/10"
    colour = COLOURS[card["overall"]["grade"]]
    left = round(_text_width(label) + 10)
    right = round(_text_width(value) + 10)
    total = left + right
    title = f"{label}: {value}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<rect width="{total}" height="20" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2:.1f}" y="14" textLength="{left - 10}">{escape(label)}</text>'
        f'<text x="{left + right / 2:.1f}" y="14" textLength="{right - 10}">{escape(value)}</text>'
        "</g></svg>\n"
    )
