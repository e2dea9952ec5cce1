"""jsonschema's errors in words a person wrote.

jsonschema says `None is not valid under any of the given schemas` or `'Bigger Vocab' does not
match '^[a-z0-9][a-z0-9._-]{2,79}$'`: true, and no help to someone filling in a file. A schema of
ours says what it expects in an `x-expected` annotation on the property (JSON Schema ignores
keywords it does not know); the nearest one on the error's path gives the message "expected <that>,
found <value>", when it describes the value that failed (the failing schema's own, or a `oneOf`'s
around it); otherwise a sentence per kind of check (`expected 0 or more, found -2` for `seed[1]`,
rather than the whole seed's annotation); jsonschema's own text is the last resort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

EXPECTED = "x-expected"

_TYPE_WORDS = {
    "string": "a text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "nothing (null)",
}


def shown(value: Any) -> str:
    """A value as a person wrote it in YAML: `nothing (null)` rather than `None`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _expected_annotation(error: jsonschema.ValidationError) -> str | None:
    """The `x-expected` of the schema that failed, or of an enclosing one (a oneOf) about the same value."""
    current: jsonschema.ValidationError | None = error
    while current is not None and list(current.absolute_path) == list(error.absolute_path):
        schema = current.schema if isinstance(current.schema, dict) else {}
        if isinstance(schema.get(EXPECTED), str):
            return str(schema[EXPECTED])
        current = current.parent
    return None


def _types(value: Any) -> str:
    names = [value] if isinstance(value, str) else list(value)
    return " or ".join(_TYPE_WORDS.get(name, name) for name in names)


def in_words(error: jsonschema.ValidationError) -> str:
    """One error as 'expected ..., found ...' (or the like), without the key path."""
    instance, value, kind = error.instance, error.validator_value, error.validator
    if kind == "required":
        missing = [name for name in value if isinstance(instance, dict) and name not in instance]
        names = ", ".join(repr(name) for name in missing) or "a field"
        return f"missing required field{'s' if len(missing) > 1 else ''} {names}"
    if kind == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(str(key) for key in instance if key not in known)
        return f"unknown field{'s' if len(extra) != 1 else ''} {', '.join(repr(key) for key in extra)}"
    annotation = _expected_annotation(error)
    if annotation is not None:
        return f"expected {annotation}, found {shown(instance)}"
    sentences = {
        "type": lambda: f"expected {_types(value)}, found {shown(instance)}",
        "enum": lambda: f"expected one of {', '.join(str(v) for v in value)}, found {shown(instance)}",
        "const": lambda: f"expected {shown(value)}, found {shown(instance)}",
        "minLength": lambda: f"expected at least {value} characters, found {shown(instance)}",
        "maxLength": lambda: f"expected at most {value} characters, found {len(str(instance))}",
        "minimum": lambda: f"expected {value} or more, found {shown(instance)}",
        "maximum": lambda: f"expected {value} or less, found {shown(instance)}",
        "minItems": lambda: f"expected at least {value} item{'s' if value != 1 else ''}, found {len(instance)}",
        "format": lambda: f"expected a {value}, found {shown(instance)}",
        "uniqueItems": lambda: "expected no item twice",
    }
    sentence = sentences.get(str(kind))
    return sentence() if sentence is not None else error.message
