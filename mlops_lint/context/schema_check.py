"""A parsed document checked against a shipped JSON Schema, one short message per problem.

Formats that have their own validator (DVC's voluptuous schemas, nbformat's JSON Schemas) are
judged by the same schema, run by jsonschema, rather than by a hand-written walk: what their tool
loads passes, what it refuses is reported. This module turns jsonschema's errors into findings a
person can act on: the key path of the offending value (an unknown key is pointed at itself), and
a message that never prints a whole sub-document (an output cell can hold megabytes of base64).

For `anyOf`/`oneOf`, jsonschema reports that no branch matched; we descend into the branch the
author evidently meant (the caller's discriminator, else the only branch of the value's type), as
nbformat's `better_validation_error` does for cells and outputs.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_lint.resources import schema

if TYPE_CHECKING:  # imported where used: jsonschema costs a tenth of a second at start-up
    import jsonschema

Path = tuple[str | int, ...]
# picks the branch of an anyOf/oneOf meant for a value: (value, branch schemas) -> index or None
Discriminator = Callable[[Any, list[dict[str, Any]]], int | None]

_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}
_NAME = re.compile(r"[A-Za-z_][\w-]*")
_PY_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    path: Path  # where the finding points (an unknown key: the key itself)
    subject: Path  # the value the text is about (an unknown key: its mapping)
    text: str  # what is wrong, without the subject

    @property
    def message(self) -> str:
        return f"{where(self.subject)}: {self.text}" if self.subject else self.text


@functools.cache
def validator(
    name: str, transform: Callable[[dict[str, Any]], dict[str, Any]] | None = None, ref: str | None = None
) -> Any:
    """The compiled validator of a shipped schema (static data, so cached for the process);
    `transform` adapts a copy of the schema first (nbformat's relaxations for future minors);
    `ref` validates against one of its definitions (`#/definitions/code_cell`) instead."""
    import jsonschema

    loaded = schema(name)
    if transform is not None:
        loaded = transform(json.loads(json.dumps(loaded)))
    if ref is not None:
        loaded = {**loaded, "$ref": ref}  # beside `$ref`, older drafts ignore the other keywords
        loaded.pop("properties", None), loaded.pop("required", None), loaded.pop("additionalProperties", None)
    return jsonschema.validators.validator_for(loaded)(loaded)


def problems(checker: Any, value: Any, pick: Discriminator | None = None, prefix: Path = ()) -> list[SchemaProblem]:
    """Every problem of `value`, sorted by key path (so never dependent on dict or set order);
    `prefix` is where `value` sits in a larger document."""
    found: dict[tuple[Path, str], SchemaProblem] = {}
    for error in checker.iter_errors(value):
        for problem in (p for e in _specific(checker, error, pick) for p in _describe(checker, e)):
            if prefix:
                problem = SchemaProblem((*prefix, *problem.path), (*prefix, *problem.subject), problem.text)
            found.setdefault((problem.path, problem.message), problem)
    return sorted(found.values(), key=lambda p: ([(isinstance(k, str), str(k).zfill(9)) for k in p.path], p.message))


def where(path: Path) -> str:
    """`stages.train.outs[0].cache` for a key path."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif _NAME.fullmatch(str(key)):
            text += f".{key}" if text else str(key)
        else:
            text += f"[{json.dumps(str(key), ensure_ascii=False)}]"
    return text


def _type_of(value: Any) -> str:
    return "null" if value is None else _PY_TYPES.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else _TYPE_NAMES.get(_type_of(value), "a value")


def _resolve(checker: Any, sub: dict[str, Any]) -> dict[str, Any]:
    """A branch schema with its local `$ref`/`allOf: [$ref]` indirection followed (to read its `type`)."""
    for _ in range(8):
        if isinstance(sub, dict) and isinstance(sub.get("$ref"), str) and sub["$ref"].startswith("#/"):
            target: Any = checker.schema
            for part in sub["$ref"][2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            sub = target
        elif isinstance(sub, dict) and len(sub.get("allOf", ())) == 1 and "type" not in sub:
            sub = sub["allOf"][0]
        else:
            break
    return sub if isinstance(sub, dict) else {}


def _types(sub: dict[str, Any]) -> list[str]:
    kind = sub.get("type")
    return [kind] if isinstance(kind, str) else list(kind or [])


def _fits(kind: str, types: list[str]) -> bool:
    return not types or kind in types or (kind == "integer" and "number" in types)


def _likeness(instance: dict[str, Any], branch: dict[str, Any]) -> tuple[int, int]:
    """How evidently a mapping is meant for an object branch: its tag fields (`cell_type: code`
    against an `enum`/`const`) first, then the fewest required keys missing (a stage with
    `foreach` is a foreach stage, one with `cmd` and no `matrix` a plain stage)."""
    tags = 0
    for key, sub in branch.get("properties", {}).items():
        allowed = _allowed(sub)
        if allowed is not None and key in instance:
            tags += 1 if instance[key] in allowed else -1
    missing = sum(1 for key in branch.get("required", ()) if key not in instance)
    return tags, -missing


@dataclass(frozen=True, slots=True)
class _TagError:
    """An `enum` failure made up for a tag that no branch of an anyOf/oneOf accepts."""

    absolute_path: Path
    instance: Any
    validator_value: list[Any]
    validator: str = "enum"
    schema: dict[str, Any] | None = None
    message: str = ""


def _tag_error(error: Any, branches: list[dict[str, Any]]) -> _TagError:
    for key, sub in branches[0].get("properties", {}).items():
        if isinstance(sub, dict) and ("enum" in sub or "const" in sub) and key in error.instance:
            allowed = [v for b in branches for v in _allowed(b.get("properties", {}).get(key)) or ()]
            return _TagError((*error.absolute_path, key), error.instance[key], list(dict.fromkeys(allowed)))
    return _TagError(tuple(error.absolute_path), error.instance, [])


def _allowed(sub: Any) -> list[Any] | None:
    """The values an `enum`/`const` schema allows, or None."""
    if not isinstance(sub, dict):
        return None
    return list(sub["enum"]) if "enum" in sub else ([sub["const"]] if "const" in sub else None)


def _specific(checker: Any, error: jsonschema.ValidationError, pick: Discriminator | None) -> list[Any]:
    """For a failed anyOf/oneOf: the errors of the branch meant for the value (else the error itself)."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches = [_resolve(checker, sub) for sub in error.validator_value]
    chosen = pick(error.instance, branches) if pick is not None else None
    if chosen is None:
        kind = _type_of(error.instance)
        fitting = [i for i, sub in enumerate(branches) if _fits(kind, _types(sub))]
        if len(fitting) > 1 and isinstance(error.instance, dict):
            scores = {i: _likeness(error.instance, branches[i]) for i in fitting}
            best = max(scores.values())
            if best[0] < 0:  # its tag (`output_type: weird`) names no branch: say that
                return [_tag_error(error, [branches[i] for i in fitting])]
            fitting = [i for i in fitting if scores[i] == best]
        chosen = fitting[0] if fitting else None  # ties: the first form the schema lists
    if chosen is None:
        return [error]
    mine = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == chosen]
    if not mine:
        return [error]
    return [inner for e in mine for inner in _specific(checker, e, pick)]


def _describe(checker: Any, error: Any) -> Iterator[SchemaProblem]:
    path: Path = tuple(error.absolute_path)
    instance, kind, value = error.instance, error.validator, error.validator_value
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = set(error.schema.get("properties", {}))
        for key in sorted((k for k in instance if k not in known), key=str):
            yield SchemaProblem((*path, key), path, f"unknown key '{key}'")
        return
    if kind == "required" and isinstance(instance, dict):
        for key in (k for k in value if k not in instance):
            yield SchemaProblem(path, path, f"no '{key}'")
        return
    yield SchemaProblem(path, path, _text(checker, error))


def _text(checker: Any, error: Any) -> str:
    """What is wrong with the value, in words (never the whole value: it may be megabytes)."""
    instance, kind, value = error.instance, error.validator, error.validator_value
    actual = _TYPE_NAMES.get(_type_of(instance), "this")
    if kind in ("anyOf", "oneOf", "type"):
        subs = [_resolve(checker, sub) for sub in value] if kind != "type" else [error.schema]
        names = [_TYPE_NAMES.get(t, t) for sub in subs for t in _types(sub)]
        expected = " or ".join(dict.fromkeys(names)) or "one of the allowed forms"
        return f"must be {expected}, not {actual}"
    if kind in ("const", "enum"):
        allowed = [value] if kind == "const" else value
        return f"must be {' or '.join(_show(v) for v in allowed)}, not {_show(instance)}"
    if kind == "pattern":
        return f"{_show(instance)} must be {error.schema.get('errorMessage') or 'of the form ' + value}"
    if kind == "minimum":
        return f"{_show(instance)} is less than {value}"
    if kind in ("minLength", "maxLength"):
        return f"{_show(instance)} is {'shorter' if kind == 'minLength' else 'longer'} than {value} characters"
    if kind == "maxProperties":
        return f"may hold {value} entry at most"
    if kind == "uniqueItems":
        return "has duplicate items"
    return error.message if len(error.message) <= 100 else f"is not valid ({kind})"
