"""Data-file contexts and rules beyond the catalogue examples: git objects in bulk, gitattributes
precedence, the LFS pointer spec, DVC hashing (DVC 3 and legacy dos2unix), --check-data."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.checks.data.workspace import column_difference
from mlops_lint.cli import main
from mlops_lint.context import dvc_md5, git_objects
from mlops_lint.context.dvc_md5 import file_md5, is_text_block
from mlops_lint.context.lfs import LfsAttributes, parse_gitattributes, pointer_problem
from mlops_lint.git_gateway import GitGateway
from tests.helpers import commit_all, git_init, write_files

OID = "sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393"
VALID = f"version https://git-lfs.github.com/spec/v1\noid {OID}\nsize 12345\n".encode()


def lint(root: Path, *codes: str, **options: dict) -> list[str]:
    report = api.lint([root], api.Overrides(only=codes, options=options))
    assert not report.errors, report.errors
    return [f"{d.location.path}: {d.code} {d.message}" for d in report.diagnostics]


# git objects ---------------------------------------------------------------------------------


def _head_blobs(root: Path) -> dict[str, git_objects.Blob]:
    gateway = GitGateway(root)
    try:
        return git_objects.read_head_blobs(gateway)
    finally:
        gateway.close()


def test_head_blobs_outside_git_and_in_empty_repository(tmp_path: Path) -> None:
    assert _head_blobs(tmp_path) == {}
    git_init(tmp_path)
    write_files(tmp_path, {"a.csv": "x\n"})
    assert _head_blobs(tmp_path) == {}  # no HEAD yet
    assert lint(tmp_path, "MLD010", "MLG002", "MLG001") == []


def test_head_blobs_sizes_and_small_contents_in_two_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One `ls-tree` run, then every small blob through the one persistent `cat-file --batch` stream."""
    git_init(tmp_path)
    big = b"\0\x01binary" * 200  # 1800 bytes: above the content limit
    (tmp_path / "small.bin").write_bytes(b"\r\n\0tiny\n")
    (tmp_path / "big.bin").write_bytes(big)
    write_files(tmp_path, {"same1.txt": "same\n", "dir with space/same2.txt": "same\n"})
    commit_all(tmp_path, "blobs")
    calls: list[list[str]] = []
    real = subprocess.Popen.__init__

    def counting(self: subprocess.Popen[bytes], args: list[str], *rest: object, **kwargs: object) -> None:
        calls.append([str(arg) for arg in args])
        real(self, args, *rest, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(subprocess.Popen, "__init__", counting)
    blobs = _head_blobs(tmp_path)
    monkeypatch.undo()
    commands = [next(arg for arg in call[1:] if not arg.startswith("-") and "=" not in arg) for call in calls]
    assert commands == ["ls-tree", "cat-file"]
    assert blobs["small.bin"].content == b"\r\n\0tiny\n"
    assert blobs["big.bin"].size == len(big) and blobs["big.bin"].content is None
    assert blobs["dir with space/same2.txt"].content == b"same\n"
    assert blobs["same1.txt"].oid == blobs["dir with space/same2.txt"].oid


# gitattributes ---------------------------------------------------------------------------------


def _attributes(files: dict[str, str]) -> LfsAttributes:
    ordered = sorted(files, key=lambda p: (p.count("/"), p))
    return LfsAttributes(tuple(rule for path in ordered for rule in parse_gitattributes(path, files[path])))


def test_gitattributes_precedence_and_pattern_semantics() -> None:
    attributes = _attributes(
        {
            ".gitattributes": "*.bin filter=lfs\n/top.dat filter=lfs\nmodels/*.pt filter=lfs\ndata filter=lfs\n",
            "sub/.gitattributes": "*.bin -filter\nkeep.bin filter=lfs diff=lfs\nassets/ filter=lfs\n",
        }
    )
    assert attributes.rule_for("a/b/x.bin") is not None
    assert attributes.rule_for("sub/x.bin") is None  # deeper file unsets
    assert attributes.rule_for("sub/deep/keep.bin") is not None  # later line wins again
    assert attributes.rule_for("top.dat") is not None
    assert attributes.rule_for("sub/top.dat") is None  # anchored
    assert attributes.rule_for("models/m.pt") is not None
    assert attributes.rule_for("x/models/m.pt") is None  # a slash anchors the pattern
    assert attributes.rule_for("data/file.csv") is None  # names the folder, not its files
    assert attributes.rule_for("sub/assets/a.png") is None  # folder patterns match no file


def test_gitattributes_filter_values() -> None:
    attributes = _attributes({".gitattributes": "# c\n[attr]big filter=lfs\n*.a filter=lfs\n*.a filter=crypt\n"})
    assert attributes.rule_for("x.a") is None


# LFS pointer spec ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "line", "problem"),
    [
        (VALID, None, None),
        (VALID[:-1], 3, "the last line has no final newline"),
        (VALID.replace(b"12345", b"12.5"), 3, "size must be"),
        (VALID.replace(b"size 12345\n", b""), 2, "the 'size' line is missing"),
        (VALID.replace(b"oid sha256:4d7a", b"oid sha256:4D7A"), 2, "oid must be"),
        (VALID + b"\n", 4, "line is not 'key value'"),
        (VALID.replace(b"size 12345", b"size  12345"), 3, "line is not 'key value'"),
        (VALID.replace(b"spec/v1", b"spec/v2"), 1, "the first line must be"),
        (VALID + b"oid " + OID.encode() + b"\n", 4, "keys after 'version' must be sorted and unique"),
    ],
)
def test_pointer_problems(data: bytes, line: int | None, problem: str | None) -> None:
    found = pointer_problem(data)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.line == line and found.problem.startswith(problem), found


def test_extension_keys_sorted_are_valid() -> None:
    pointer = f"version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{'0' * 64}\noid {OID}\nsize 1\n"
    assert pointer_problem(pointer.encode()) is None


# committed data and models ----------------------------------------------------------------------


def test_data_default_threshold_is_one_mebibyte(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "big.parquet").write_bytes(b"P" * (1 << 20))
    (tmp_path / "data" / "almost.csv").write_bytes(b"c" * ((1 << 20) - 1))
    commit_all(tmp_path, "data")
    assert lint(tmp_path, "MLG002") == [
        "data/big.parquet: MLG002 Data file committed to git (1.0 MiB): move it to DVC (git rm --cached "
        'data/big.parquet && dvc add data/big.parquet) or to LFS (git lfs track "*.parquet" && '
        'git lfs migrate import --include="data/big.parquet")'
    ]


def test_committed_then_deleted_in_worktree_is_still_reported(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"checkpoints/e1.pt": "weights\n"})
    commit_all(tmp_path, "ckpt")
    (tmp_path / "checkpoints" / "e1.pt").unlink()
    # the file left the worktree but is still in HEAD; only paths the run targets are reported
    assert lint(tmp_path, "MLG001") == []


def test_raw_blob_under_lfs_pattern_is_mld010_not_mld013(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".gitattributes": "*.pt filter=lfs\n", "checkpoints/e1.pt": "raw weights\n"})
    commit_all(tmp_path, "ckpt")
    assert lint(tmp_path, "MLG001") == []
    assert [f.split(" ")[1] for f in lint(tmp_path, "MLD010")] == ["MLD010"]


# workspace hashing --------------------------------------------------------------------------------


def test_md5_streams_and_matches_hashlib(tmp_path: Path) -> None:
    data = b"id,label\r\n1,0\r\n2,1\r\n" * 7
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert file_md5(path) == hashlib.md5(data).hexdigest()
    assert file_md5(path, "lf") == hashlib.md5(data.replace(b"\r\n", b"\n")).hexdigest()


def test_dos2unix_leaves_binary_and_lone_cr_alone(tmp_path: Path) -> None:
    binary = b"\0\x01\r\n\x02" * 10
    path = tmp_path / "b.npy"
    path.write_bytes(binary)
    assert file_md5(path, "lf") == hashlib.md5(binary).hexdigest()
    text = b"a\rb\r\r\nc\r"
    path.write_bytes(text)
    assert file_md5(path, "lf") == hashlib.md5(b"a\rb\r\nc\r").hexdigest()


def test_dos2unix_is_decided_per_chunk_as_dvc_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """dvc-data's Dos2UnixHashStreamFile: each 1 MiB chunk is tested on its first 512 bytes and
    converted on its own, so a CRLF split over two chunks stays, and a binary-looking chunk is raw."""
    monkeypatch.setattr(dvc_md5, "CHUNK", 600)
    text_then_binary = b"a\r\n" * 200 + b"\xff" * 600  # chunk 1 text, chunk 2 binary
    path = tmp_path / "mixed.bin"
    path.write_bytes(text_then_binary)
    expected = (b"a\r\n" * 200).replace(b"\r\n", b"\n") + b"\xff" * 600
    assert file_md5(path, "lf") == hashlib.md5(expected).hexdigest()
    split = b"x" * 599 + b"\r\nyy"  # the CRLF pair straddles the chunk boundary
    path.write_bytes(split)
    assert file_md5(path, "lf") == hashlib.md5(split).hexdigest()
    assert is_text_block(b"") and not is_text_block(b"a\0b") and not is_text_block(b"\xff\xfe\x01a")


def _pointer(md5: str, size: int, path: str, legacy: bool = False) -> str:
    hash_line = "" if legacy else "  hash: md5\n"
    return f"outs:\n- md5: {md5}\n  size: {size}\n{hash_line}  path: {path}\n"


def test_size_only_above_hash_limit_and_symlink_out_of_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git_init(root)
    content = "id,label\n9,9\n"
    write_files(root, {"data/.gitignore": "/a.csv\n/link.csv\n", "data/a.csv": content})
    write_files(root, {"data/a.csv.dvc": _pointer("ab" * 16, len(content), "a.csv")})
    outside = tmp_path / "outside.csv"
    outside.write_text("other\n")
    os.symlink(outside, root / "data" / "link.csv")
    write_files(root, {"data/link.csv.dvc": _pointer("ab" * 16, 6, "link.csv")})
    assert lint(root, "MLD004", MLD004={"max-hash-bytes": 5}) == []
    assert [f.split(" (")[1].split(")")[0] for f in lint(root, "MLD004")] == ["md5 differs"]


def test_column_difference() -> None:
    assert column_difference(["a", "b"], ["b", "a"]) is None
    assert column_difference(["a", "b"], ["a", "c"]) == "renamed 'b' -> 'c'"
    assert column_difference(["a", "b", "c"], ["a"]) == "missing 'b', 'c'"
    assert column_difference(["a"], ["a", "x"]) == "extra 'x'"


# --check-data ----------------------------------------------------------------------------------------


def test_check_data_flag_enables_mld004_and_mld014(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git_init(tmp_path)
    pointer = _pointer("1a6e9d634c81878f11bd54d5a7eb3e7a", 17, "train.csv") + "meta:\n  columns: {id: int, y: int}\n"
    write_files(
        tmp_path,
        {
            "data/.gitignore": "/train.csv\n",
            "data/train.csv.dvc": pointer,
            "data/train.csv": "id,label\n1,0\n2,1\n3,3\n",
        },
    )
    commit_all(tmp_path, "dvc add")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    plain = runner.invoke(main, ["check", "."], catch_exceptions=False)
    assert "MLD004" not in plain.output and "MLD014" not in plain.output
    checked = runner.invoke(main, ["check", "--check-data", "."], catch_exceptions=False)
    assert checked.exit_code == 1
    assert (
        "data/train.csv.dvc:5:3: MLD004 warning: data/train.csv differs from its .dvc pointer (size 21 bytes"
        in checked.output
    )
    assert (
        "data/train.csv.dvc:7:3: MLD014 warning: data/train.csv columns differ from the declared schema: "
        "renamed 'y' -> 'label'" in checked.output
    )
