"""YAML read safely, with the line and column of every key and value.

`yaml.compose` (SafeLoader) builds the node graph; we turn it into plain Python values ourselves so
that (1) every mapping key and sequence item keeps its position, for diagnostics that point at the
exact line; (2) timestamps stay strings, as JSON Schema validation expects; (3) alias expansion is
bounded, so a "billion laughs" document is refused instead of eating the machine.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from mlops_lint.fixes import line_starts

Key = tuple[str | int, ...]
MAX_NODES = 200_000

_MERGE_CONFLICT = ("<<<<<<< ", "=======", ">>>>>>> ")


@dataclass(frozen=True, slots=True)
class YamlProblem:
    message: str
    line: int
    column: int = 1


@dataclass(slots=True)
class YamlDoc:
    value: Any
    marks: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def position_of(self, key: Key) -> tuple[int, int]:
        """1-based (line, column) of the entry at `key` (its key for mappings), or of its nearest ancestor."""
        while key:
            if key in self.marks:
                return self.marks[key]
            key = key[:-1]
        return self.marks.get((), (1, 1))


class _TooLargeError(Exception):
    pass


class _DuplicateKeyError(Exception):
    def __init__(self, name: Any, where: tuple[int, int]) -> None:
        super().__init__(name)
        self.name, self.where = name, where


def _complex(node: yaml.Node) -> str:
    """A mapping or a list used as a key, named for a message (not its node repr)."""
    return "(a mapping used as a key)" if isinstance(node, yaml.MappingNode) else "(a list used as a key)"


class _Lines:
    """Positions from PyYAML's character offsets: its own line numbers also break at NEL, U+2028 and
    U+2029, which editors and our fixes do not, so a file holding one would be reported a line off."""

    def __init__(self, text: str) -> None:
        self.starts = line_starts(text)

    def of(self, mark: yaml.Mark) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, mark.index)
        return line, mark.index - self.starts[line - 1] + 1


class _Builder:
    def __init__(self, lines: _Lines) -> None:
        self.constructor = SafeConstructor()
        self.marks: dict[Key, tuple[int, int]] = {}
        self.count = 0
        self.lines = lines

    def build(self, node: yaml.Node, key: Key) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooLargeError
        if key not in self.marks:
            self.marks[key] = self.lines.of(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            self._refuse_duplicates(node)
            self.constructor.flatten_mapping(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                name = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else _complex(key_node)
                child = (*key, str(name))
                self.marks[child] = self.lines.of(key_node.start_mark)
                result[name] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*key, index)) for index, item in enumerate(node.value)]
        return self.scalar(node)

    def _refuse_duplicates(self, node: yaml.MappingNode) -> None:
        """YAML forbids a key twice in one mapping; PyYAML keeps the last silently, DVC (ruamel)
        refuses the file. Keys brought in by a `<<` merge may be overridden: only the keys written
        in the mapping itself count."""
        seen: set[Any] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            name = self.scalar(key_node)
            try:
                duplicate = name in seen
                seen.add(name)
            except TypeError:  # an unhashable key: the constructor reports it
                continue
            if duplicate:
                raise _DuplicateKeyError(name, self.lines.of(key_node.start_mark))

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        return self.constructor.construct_object(node, deep=True)


def merge_conflict_line(text: str) -> int | None:
    for number, start in enumerate(line_starts(text), start=1):
        if text.startswith(_MERGE_CONFLICT, start):
            return number
    return None


def load_yaml(text: str) -> YamlDoc | YamlProblem:
    """Parse one YAML document; never raises."""
    conflict = merge_conflict_line(text)
    if conflict is not None:
        return YamlProblem("merge-conflict markers in the file", conflict)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = _Lines(text).of(mark) if mark else (1, 1)
        return YamlProblem(f"invalid YAML: {exc.problem or exc.context}", line, column)
    except yaml.YAMLError as exc:
        return YamlProblem(f"invalid YAML: {exc}", 1)
    except RecursionError:
        return YamlProblem("YAML nested too deeply", 1)
    if node is None:
        return YamlDoc(value=None)
    builder = _Builder(_Lines(text))
    try:
        value = builder.build(node, ())
    except _DuplicateKeyError as exc:
        return YamlProblem(f"duplicate key {exc.name!r} (YAML forbids it; DVC refuses the file)", *exc.where)
    except _TooLargeError:
        return YamlProblem(f"YAML expands to more than {MAX_NODES} nodes (alias bomb?)", 1)
    except (yaml.YAMLError, RecursionError, TypeError, ValueError) as exc:
        return YamlProblem(f"invalid YAML: {exc}", builder.lines.of(node.start_mark)[0])
    return YamlDoc(value=value, marks=builder.marks)
