"""Stored cards: written as JSON, read back (for `--merge` and `--since`) only when they are ones we can read.

A file that is not JSON, not a scorecard, or written by a newer mlops-lint is refused with a message
that names the file; the command line turns that into exit code 2. The version is checked before
the schema, so a newer card says "upgrade" instead of pointing at a field this version never knew.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mlops_lint.resources import schema
from mlops_lint.scorecard import FORMAT, FORMAT_VERSION, Card


class ScorecardError(Exception):
    """A card that cannot be used; the message names the file."""


def dumps(card: Card) -> str:
    return json.dumps(card, indent=2, ensure_ascii=False) + "\n"


def validate(card: Any, source: str = "scorecard") -> Card:
    """Return `card` when it is a scorecard this version reads; raise ScorecardError saying why not."""
    if not isinstance(card, dict) or card.get("format") != FORMAT:
        raise ScorecardError(
            f"{source}: not an mlops-lint scorecard (write one with `mlops-lint report --output-format json`)"
        )
    version = card.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ScorecardError(f"{source}: the scorecard has no format version")
    if version > FORMAT_VERSION:
        raise ScorecardError(
            f"{source}: written by a newer mlops-lint (scorecard format version {version}; this one reads "
            f"version {FORMAT_VERSION}): upgrade mlops-lint to read it"
        )
    import jsonschema  # imported here: it costs a tenth of a second at start-up

    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema("scorecard.schema.json")).iter_errors(card)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top level"
        raise ScorecardError(f"{source}: not a valid scorecard at {where}: {error.message}")
    return card


def load(path: Path) -> Card:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScorecardError(f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc})") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ScorecardError(f"{path}: not JSON ({exc}); expected an mlops-lint scorecard") from exc
    return validate(data, str(path))
