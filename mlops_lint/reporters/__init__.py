"""Turn a RunReport into text for people or machines; one module per output format."""

from __future__ import annotations

from collections.abc import Callable

from mlops_lint.reporters import github, json_format, junit, sarif, text

FORMATS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
}
