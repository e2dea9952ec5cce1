"""The scorecard: findings turned into a 0-10 score per MLOps practice, as data and as pages.

`score.py` holds the formula, `build.py` runs the ordinary check (the same `api` session) and
measures the repository, `card.py` reads and validates stored cards, and the other modules render
one card (HTML, SVG charts, badge, Markdown, text) or many (`fleet.py`). A card is the JSON
document itself (a dict valid against `schemas/scorecard.schema.json`): the same value is written,
merged, compared and rendered, so a stored card and a fresh one can never render differently.
"""

from __future__ import annotations

from typing import Any

Card = dict[str, Any]
FORMAT = "mlops-lint-scorecard"
FORMAT_VERSION = 1
