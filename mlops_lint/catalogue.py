"""The catalogue: one YAML file per rule in `rules/`, validated and turned into `RuleMeta`.

Everything a person reads about a rule (summary, message template, docs, examples) lives in its
YAML file; the class in `mlops_lint/checks/` holds only the logic. `registry()` joins the two by
code and refuses a catalogue where they do not match one to one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mlops_lint.catalogue_compiled import copy_for, read_copy, write_copy
from mlops_lint.diagnostics import Family, Severity
from mlops_lint.fixes import Applicability
from mlops_lint.resources import rules_dir, schema

if TYPE_CHECKING:  # imported where used: jsonschema costs a tenth of a second at start-up
    import jsonschema


def _safe_load(text: str) -> Any:
    """`yaml.safe_load`, through libyaml's safe loader when PyYAML has it (its wheels do): the
    catalogue is read on every run and the C loader is about ten times faster, just as safe."""
    if hasattr(yaml, "CSafeLoader"):
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


class CatalogueError(Exception):
    """The shipped catalogue is broken: a developer error, reported with the file at fault."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    code: str
    name: str
    family: Family
    summary: str
    message: str
    severity: Severity
    default: bool
    fix_applicability: Applicability | None
    fix_title: str | None
    help: str | None = None  # what to do, a template with the message's arguments: for findings without a fix title
    options_schema: Mapping[str, Any]
    docs: Mapping[str, Any]
    examples: tuple[Mapping[str, Any], ...] = field(default=())
    source: str = ""
    # What the rule declares so that the engine, CLI and reporters never name a code (schema: rule.schema.json)
    needs: tuple[str, ...] = ()  # `history`: the run scans git history for it; `--no-history` silences it
    opt_in: str | None = None  # `check-data`: the `check --check-data` flag adds it to the selection
    security_severity: float | None = None  # SARIF `security-severity` (code scanning's high/critical)
    formerly: tuple[str, ...] = ()  # codes it had before: they still select, ignore and suppress it

    @property
    def fixable(self) -> bool:
        return self.fix_applicability in (Applicability.SAFE, Applicability.UNSAFE)

    def default_options(self) -> dict[str, Any]:
        props = self.options_schema.get("properties", {})
        return {key: spec["default"] for key, spec in props.items()}

    def format_message(self, **args: Any) -> str:
        return self.message.format(**args)

    def format_help(self, **args: Any) -> str | None:
        return None if self.help is None else self.help.format(**args)


def _meta_from_entry(entry: Mapping[str, Any], source: Path) -> RuleMeta:
    fix = entry["fix"]
    applicability = None if fix["applicability"] == "none" else Applicability(fix["applicability"])
    return RuleMeta(
        code=entry["code"],
        name=entry["name"],
        family=Family(entry["family"]),
        summary=entry["summary"],
        message=entry["message"],
        severity=Severity(entry["severity"]),
        default=entry["default"],
        fix_applicability=applicability,
        fix_title=fix.get("title"),
        help=entry.get("help"),
        options_schema=entry["options"],
        docs=entry["docs"],
        examples=tuple(entry["examples"]),
        source=source.name,
        needs=tuple(entry.get("needs", ())),
        opt_in=entry.get("opt-in"),
        security_severity=None if entry.get("security-severity") is None else float(entry["security-severity"]),
        formerly=tuple(entry.get("formerly", ())),
    )


@cache
def _entry_validator() -> jsonschema.Draft202012Validator:
    """One validator for all entries: building it (and resolving its schema) once, not 67 times."""
    import jsonschema

    return jsonschema.Draft202012Validator(schema("rule.schema.json"))


def load_entry(path: Path, validate: bool = True, parsed: Any = None) -> RuleMeta:
    """Read one catalogue file; with `validate`, check it against the rule schema first.

    The shipped catalogue is checked by the test suite, so a normal run skips the schema (it was a
    third of a warm run's time); an entry that still fails to build is validated then, so a broken
    edit is reported with the schema's precise message rather than a KeyError. `parsed`: the
    file's YAML already parsed (from `catalogue_compiled.py`)."""
    try:
        entry = _safe_load(path.read_text(encoding="utf-8")) if parsed is None else parsed
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path.name}: not valid YAML: {exc}") from exc
    if validate:
        _validate(entry, path)
    try:
        meta = _meta_from_entry(entry, path)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        _validate(entry, path)
        raise CatalogueError(f"{path.name}: cannot be read: {exc!r}") from exc
    expected_prefix = f"{meta.code}-{meta.name}.yaml"
    if path.name != expected_prefix:
        raise CatalogueError(f"{path.name}: file must be named {expected_prefix}")
    return meta


def _validate(entry: Any, path: Path) -> None:
    import jsonschema

    error = jsonschema.exceptions.best_match(_entry_validator().iter_errors(entry))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        raise CatalogueError(f"{path.name}: {where}: {error.message}")
    jsonschema.Draft202012Validator.check_schema(entry["options"])


@cache
def load_catalogue(directory: Path | None = None) -> dict[str, RuleMeta]:
    """All catalogue entries by code, in code order (the shipped ones unvalidated: see `load_entry`)."""
    shipped = directory is None
    directory = directory or rules_dir()
    paths = sorted(directory.glob("*.yaml"))
    parsed = _parsed_copy(paths) if shipped else [None] * len(paths)
    metas: dict[str, RuleMeta] = {}
    for path, entry in zip(paths, parsed, strict=True):
        meta = load_entry(path, validate=not shipped, parsed=entry)
        if meta.code in metas:
            raise CatalogueError(f"{path.name}: code {meta.code} is also used by {metas[meta.code].source}")
        metas[meta.code] = meta
    names = [m.name for m in metas.values()]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CatalogueError(f"rule names used twice: {sorted(duplicates)}")
    return metas


def _parsed_copy(paths: list[Path]) -> list[Any]:
    """The shipped files' YAML, parsed: from the user's cache when this exact catalogue was parsed
    before (`catalogue_compiled.py`), else parsed now and kept there for the next run."""
    files = [(path.name, path.read_bytes()) for path in paths]
    copy = copy_for(files)
    entries = read_copy(copy)
    if entries is not None and len(entries) == len(files):
        return entries
    try:
        entries = [_safe_load(raw.decode("utf-8")) for _name, raw in files]
    except (yaml.YAMLError, UnicodeDecodeError):
        return [None] * len(files)  # `load_entry` reads each file again and names the broken one
    write_copy(copy, entries)
    return entries
