"""The fix machinery: edit application, encodings and line endings, refusals, atomic writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_lint import api, api_fix
from mlops_lint.diagnostics import Span
from mlops_lint.fixer import write_atomically
from mlops_lint.fixes import TextEdit, apply_edits, line_starts
from tests.helpers import git_init

ONLY_ALIAS = api.Overrides(only=("MLN004",))


def edit(line: int, col: int, end_line: int, end_col: int, content: str) -> TextEdit:
    return TextEdit(
        path="f.py", span=Span(start_line=line, start_col=col, end_line=end_line, end_col=end_col), content=content
    )


def test_line_starts_split_only_on_real_newlines() -> None:
    assert line_starts("a\nb\r\nc\rd\x0ce") == [0, 2, 5, 7]


def test_apply_edits_in_order_and_skip_overlaps() -> None:
    text = "abc\ndef\n"
    new, applied = apply_edits(text, [edit(2, 1, 2, 2, "D"), edit(1, 1, 1, 3, "X"), edit(1, 2, 1, 4, "Y")])
    assert (new, applied) == ("Xc\nDef\n", 2)


def test_two_insertions_at_one_point_keep_only_the_first() -> None:
    new, applied = apply_edits("ab", [edit(1, 2, 1, 2, "1"), edit(1, 2, 1, 2, "2")])
    assert (new, applied) == ("a1b", 1)


def _fix_file(tmp_path: Path, name: str, data: bytes) -> bytes:
    git_init(tmp_path)
    (tmp_path / name).write_bytes(data)
    api.fix([tmp_path], ONLY_ALIAS)
    return (tmp_path / name).read_bytes()


def test_fix_keeps_crlf_line_endings(tmp_path: Path) -> None:
    data = b"import pandas as pds\r\n\r\ndf = pds.DataFrame()\r\n"
    assert _fix_file(tmp_path, "a.py", data) == b"import pandas as pd\r\n\r\ndf = pd.DataFrame()\r\n"


def test_fix_keeps_bom_and_missing_final_newline(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfimport numpy as npy\nx = npy.ones(1)"
    assert _fix_file(tmp_path, "a.py", data) == b"\xef\xbb\xbfimport numpy as np\nx = np.ones(1)"


def test_fix_keeps_file_mode(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    git_init(tmp_path)
    script.write_text("#!/usr/bin/env python\nimport numpy as npy\nnpy.ones(1)\n", encoding="utf-8")
    script.chmod(0o755)
    api.fix([tmp_path], ONLY_ALIAS)
    assert script.stat().st_mode & 0o777 == 0o755
    assert "import numpy as np\n" in script.read_text(encoding="utf-8")


def test_fix_does_not_write_through_symlinks(tmp_path: Path) -> None:
    git_init(tmp_path)
    real = tmp_path / "real.py"
    real.write_text("import numpy as npy\nnpy.ones(1)\n", encoding="utf-8")
    (tmp_path / "link.py").symlink_to(real)
    report = api.fix([tmp_path / "link.py"], ONLY_ALIAS)
    assert report.refused == {"link.py": "is a symlink; fixes do not write through symlinks"}
    assert (tmp_path / "link.py").is_symlink()
    assert real.read_text(encoding="utf-8") == "import numpy as npy\nnpy.ones(1)\n"


def test_fix_touches_only_files_it_changes(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / "clean.py").write_text("import numpy as np\n", encoding="utf-8")
    (tmp_path / "dirty.py").write_text("import numpy as npy\n", encoding="utf-8")
    os.utime(tmp_path / "clean.py", (1_000_000_000, 1_000_000_000))
    report = api.fix([tmp_path], ONLY_ALIAS)
    assert report.touched == ["dirty.py"]
    assert (tmp_path / "clean.py").stat().st_mtime == 1_000_000_000


def test_a_fix_that_breaks_the_syntax_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_lint import fixer

    def broken(text: str, edits: object) -> tuple[str, int]:
        return "def (:\n", 1

    monkeypatch.setattr(fixer, "apply_edits", broken)
    git_init(tmp_path)
    (tmp_path / "a.py").write_text("import numpy as npy\n", encoding="utf-8")
    report = api.fix([tmp_path], ONLY_ALIAS)
    assert "would not parse" in report.refused["a.py"]
    assert (tmp_path / "a.py").read_text(encoding="utf-8") == "import numpy as npy\n"


def test_interrupted_write_leaves_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.py"
    target.write_text("original\n", encoding="utf-8")

    def crash(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        write_atomically(target, "new\n", bom=False)
    assert target.read_text(encoding="utf-8") == "original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_pep263_latin1_source_is_read_and_written_back_in_latin1(tmp_path: Path) -> None:
    data = "# -*- coding: latin-1 -*-\nimport numpy as npy\nname = 'café'\nnpy.ones(1)\n".encode("latin-1")
    fixed = _fix_file(tmp_path, "a.py", data)
    assert fixed == "# -*- coding: latin-1 -*-\nimport numpy as np\nname = 'café'\nnp.ones(1)\n".encode("latin-1")


def test_a_file_changed_on_disk_while_fixing_is_refused_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbfimport numpy as npy\r\nnpy.ones(1)\r\n")
    (tmp_path / "b.py").write_text("import pandas as pds\npds.DataFrame()\n", encoding="utf-8")
    real = api_fix.fix_to_fixed_point
    edited = b"import numpy as npy  # edited by someone else meanwhile\n"

    def then_an_editor_saves(*args: object, **kwargs: object) -> object:
        report = real(*args, **kwargs)  # type: ignore[arg-type]
        (tmp_path / "a.py").write_bytes(edited)
        return report

    monkeypatch.setattr(api_fix, "fix_to_fixed_point", then_an_editor_saves)
    report = api.fix([tmp_path], ONLY_ALIAS)
    assert (tmp_path / "a.py").read_bytes() == edited
    assert "changed on disk" in report.refused["a.py"]
    assert (tmp_path / "b.py").read_text(encoding="utf-8") == "import pandas as pd\npd.DataFrame()\n"
    assert report.remaining is not None  # what is left is read from the disk, a.py's alias included
    assert [d.location.path for d in report.remaining.diagnostics if d.code == "MLN004"] == ["a.py"]
    assert report.applied == 1  # b.py's fix only


def test_an_unchanged_bom_crlf_file_is_still_fixed(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfimport numpy as npy\r\nnpy.ones(1)\r\n"
    assert _fix_file(tmp_path, "a.py", data) == b"\xef\xbb\xbfimport numpy as np\r\nnp.ones(1)\r\n"
