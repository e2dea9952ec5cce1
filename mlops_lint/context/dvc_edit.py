"""Where a dep is inserted into a `dvc.yaml` stage, as a text edit that keeps the file's layout
(its sequence style and line breaks); None when the layout is not a plain block mapping.
"""

from __future__ import annotations

import re

import yaml

from mlops_lint.context.yaml_doc import Key
from mlops_lint.fixes import newline_of, yaml_lines_agree

_LINES = re.compile(r"\r\n|\r|\n")


def _node_at(root: yaml.Node, key: Key) -> yaml.Node | None:
    node = root
    for part in key:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == part), None)
        if node is None:
            return None
    return node


def _last_line(node: yaml.Node) -> int:
    """0-based line of the last character of a node's content."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _last_line(node.value[-1])
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


def _yaml_scalar(path: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_./+-]*", path):
        return path
    return "'" + path.replace("'", "''") + "'"


def dep_insertion(text: str, stage_key: Key, dep: str) -> tuple[int, int, str] | None:
    """(line, column, text) inserting `dep` as the last item of the stage's `deps` (1-based), creating
    `deps:` after `cmd` when absent. None when the layout is not a plain block mapping/sequence."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    stage = _node_at(root, stage_key) if root is not None else None
    if not isinstance(stage, yaml.MappingNode) or stage.flow_style or not yaml_lines_agree(text):
        return None
    newline = newline_of(text)
    lines = _LINES.split(text)  # the lines yaml marks count (and Span does); [-1] is "" after a final break
    item = _yaml_scalar(dep)
    deps = _node_at(stage, ("deps",))
    if deps is not None:
        if not isinstance(deps, yaml.SequenceNode) or deps.flow_style or not deps.value:
            return None
        last = deps.value[-1]
        source = lines[last.start_mark.line]
        dash = source.rfind("-", 0, last.start_mark.column)
        if dash < 0:
            return None
        at = _last_line(last) + 1
        content = f"{source[:dash]}- {item}"
    else:
        keys = [k for k, _ in stage.value]
        cmd = next((i for i, k in enumerate(keys) if k.value == "cmd"), None)
        if cmd is None:
            return None
        indent = " " * keys[cmd].start_mark.column
        dash = indent
        for key_node, value in stage.value:  # follow the file's sequence style (DVC writes indentless)
            if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                first = value.value[0]
                line = lines[first.start_mark.line]
                position = line.rfind("-", 0, first.start_mark.column)
                if position >= 0:
                    dash = indent + " " * max(0, position - key_node.start_mark.column)
                break
        at = _last_line(stage.value[cmd][1]) + 1
        content = f"{indent}deps:{newline}{dash}- {item}"
    if at >= len(lines):  # after the last line of a file without a final newline
        return len(lines), len(lines[-1]) + 1, newline + content
    return at + 1, 1, content + newline
