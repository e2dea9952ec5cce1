"""JSON decoded with the offsets of its values, for files whose findings and fixes need positions.

Structure (objects, arrays) is walked in Python, one regex match per key or separator; every leaf
value, however large (a 5 MB base64 image), is decoded by the C scanner of `json` in one call.
Malformed input raises (`NotJsonError` or `json.JSONDecodeError`); callers ask `json.loads` again
for the precise message, so this module never has to phrase JSON errors itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

WHITESPACE = re.compile(r"[ \t\n\r]*")
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRING_ITEM = re.compile(rf"[ \t\n\r]*({_STRING})[ \t\n\r]*([,\]])")
_KEY = re.compile(rf"({_STRING})[ \t\n\r]*:[ \t\n\r]*")
_AFTER_MEMBER = re.compile(r"[ \t\n\r]*([,}])[ \t\n\r]*")
_DECODE = json.JSONDecoder().raw_decode


class NotJsonError(ValueError):
    """The text is not JSON; `json.loads` is asked again for its precise message."""


Members = dict[str, tuple[int, int, int]]  # key -> (key start, value start, value end)


class Scanner:
    """Decodes JSON while recording where values are; leaves go to the C decoder in one call each."""

    def __init__(self, text: str) -> None:
        self.text = text

    def ws(self, i: int) -> int:
        return WHITESPACE.match(self.text, i).end()  # type: ignore[union-attr]

    def leaf(self, i: int) -> tuple[Any, int]:
        return _DECODE(self.text, i)

    def object(self, i: int, descend: dict[str, Any] | None = None) -> tuple[dict, Members, dict[str, Any], int]:
        """Decode the object at `i`; `descend[key]` scans that key's value itself (returns value, extra, end)."""
        text = self.text
        value: dict[str, Any] = {}
        members: Members = {}
        extras: dict[str, Any] = {}
        i = self.ws(i + 1)
        if text.startswith("}", i):
            return value, members, extras, i + 1
        while True:
            key_match = _KEY.match(text, i)
            if key_match is None:
                raise NotJsonError
            raw_key = key_match.group(1)
            key = json.loads(raw_key) if "\\" in raw_key else raw_key[1:-1]
            start = key_match.end()
            handler = descend.get(key) if descend else None
            if handler is not None and text.startswith("[", start):
                item, extras[key], end = handler(start)
            else:
                extras.pop(key, None)
                item, end = _DECODE(text, start)
            value[key], members[key] = item, (i, start, end)
            after = _AFTER_MEMBER.match(text, end)
            if after is None:
                raise NotJsonError
            if after.group(1) == "}":
                return value, members, extras, after.end()
            i = after.end()

    def array(self, i: int, item=None) -> tuple[list, list[tuple[int, int, Any]], int]:
        """Decode the array at `i`; returns values, (start, end, extra) per item, and the end."""
        values: list[Any] = []
        spans: list[tuple[int, int, Any]] = []
        i = self.ws(i + 1)
        if self.text.startswith("]", i):
            return values, spans, i + 1
        while True:
            if item is not None:
                one, extra, end = item(i)
            else:
                (one, end), extra = self.leaf(i), None
            values.append(one)
            spans.append((i, end, extra))
            i = self.ws(end)
            if self.text.startswith(",", i):
                i = self.ws(i + 1)
                continue
            if not self.text.startswith("]", i):
                raise NotJsonError
            return values, spans, i + 1

    def strings(self, i: int) -> tuple[list, list[tuple[int, int, Any]], int]:
        """`array` for a list of strings (a cell's source): one regex match per item."""
        text = self.text
        spans: list[tuple[int, int, Any]] = []
        j = self.ws(i + 1)
        if not text.startswith("]", j):
            while True:
                item = _STRING_ITEM.match(text, j)
                if item is None:
                    return self.array(i)  # not only strings: the slow path decodes (and validates) it
                spans.append((item.start(1), item.end(1), None))
                j = item.end()
                if item.group(2) == "]":
                    break
        else:
            j += 1
        return json.loads(text[i:j]), spans, j
