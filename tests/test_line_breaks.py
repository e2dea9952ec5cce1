"""Line numbers follow \\n, \\r\\n and \\r only, wherever they are computed (Python source encoding
detection, decoding errors, YAML positions), as editors and the fixes count them."""

from __future__ import annotations

from pathlib import Path

from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml


def _file(tmp_path: Path, name: str, data: bytes) -> FileContext:
    (tmp_path / name).write_bytes(data)
    return FileContext(path=name, root=tmp_path, kind=FileKind.PYTHON)


def test_a_bare_cr_file_declaring_latin1_is_decoded(tmp_path: Path) -> None:
    file = _file(tmp_path, "m.py", "# -*- coding: latin-1 -*-\rname = 'caf\u00e9'\r".encode("latin-1"))
    assert file.text == "# -*- coding: latin-1 -*-\rname = 'caf\u00e9'\r"


def test_an_undecodable_byte_is_placed_on_its_line_with_any_line_break(tmp_path: Path) -> None:
    file = _file(tmp_path, "m.py", b"a = 1\rb = 2\r\nc = '\xff'\n")
    assert file.text is None and file.text_problem == "not valid UTF-8 (byte 0xff on line 3)"


def test_yaml_positions_do_not_break_at_unicode_line_separators() -> None:
    doc = load_yaml("note: 'a\u2028b\u0085c'\nstages:\n  train:\n    cmd: python train.py\n")
    assert isinstance(doc, YamlDoc)
    assert doc.position_of(("stages", "train", "cmd")) == (4, 5)


def test_yaml_errors_and_conflict_markers_are_placed_the_same_way() -> None:
    broken = load_yaml("a: '\u2028'\nb: [1,\n")
    assert isinstance(broken, YamlProblem) and broken.line == 3
    conflict = load_yaml("a: 1\u2028\n<<<<<<< HEAD\nb: 2\n")
    assert isinstance(conflict, YamlProblem) and conflict.line == 2
