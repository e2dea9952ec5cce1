"""Turn a RunReport into text for people or machines; one module per output format."""

from __future__ import annotations

from collections.abc import Callable

from mlops_lint.reporters import json_format, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
}
