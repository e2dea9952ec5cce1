"""Reading a repository file: symlinks are judged, not followed out; nothing can block the run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlops_lint.context.files import read_inside


def test_symlinks_are_named_for_what_is_wrong_with_them(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.py").write_text("x = 1\n")
    (repo / "inside.py").write_text("y = 2\n")
    (repo / "out.py").symlink_to(tmp_path / "outside.py")
    (repo / "loop.py").symlink_to(repo / "loop.py")
    (repo / "gone.py").symlink_to(repo / "missing.py")
    (repo / "ok.py").symlink_to(repo / "inside.py")
    assert read_inside(repo, "out.py", 1000)[0] == "symlink pointing outside the repository (not followed)"
    assert read_inside(repo, "loop.py", 1000)[0] == "symlink loop (not followed)"
    assert read_inside(repo, "gone.py", 1000)[0] == "dangling symlink (its target does not exist)"
    assert read_inside(repo, "ok.py", 1000) == (None, b"y = 2\n")


def test_a_file_swapped_for_a_fifo_after_listing_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    monkeypatch.setattr(Path, "is_file", lambda self: True)  # it was a file when it was listed
    assert read_inside(tmp_path, "pipe.py", 1000) == ("not a regular file", None)


def test_the_byte_cap_is_checked_on_what_was_read(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_bytes(b"x" * 2048)
    assert read_inside(tmp_path, "big.py", 1024)[0] == "larger than the 1024 bytes read per file"
    assert read_inside(tmp_path, "big.py", 4096) == (None, b"x" * 2048)
