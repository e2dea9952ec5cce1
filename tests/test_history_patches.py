"""Secrets in history from the added lines of `git log -p`: merges, renames, binary attributes, odd paths."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.context.history_patches import PICKAXE
from mlops_lint.context.history_sections import parse_section
from mlops_lint.context.secret_markers import CONFIDENT_MARKERS
from tests.helpers import commit_all, compact, git, git_init, write_files

TOKEN = "hf_Xq3LmT8vRb2NwK5pZc7YhJ4dGs9FaE6uQo"


def _lint(root: Path) -> list[str]:
    report = api.lint([root], api.Overrides(select=("MLG005",)))
    return [compact(d) for d in report.diagnostics] + list(report.notices)


def _short(root: Path, rev: str) -> str:
    return git(root, "rev-parse", "--short=7", rev).strip()


def test_a_secret_typed_into_a_merge_resolution_is_found(tmp_path: Path) -> None:
    """`log -p` shows no diff for merges; `--cc` shows the lines new in the merge itself."""
    git_init(tmp_path)
    write_files(tmp_path, {"conf.py": "a = 1\nb = 2\n"})
    commit_all(tmp_path, "base")
    git(tmp_path, "checkout", "-q", "-b", "side")
    write_files(tmp_path, {"conf.py": "a = 1\nb = 3\n"})
    commit_all(tmp_path, "side")
    git(tmp_path, "checkout", "-q", "main")
    write_files(tmp_path, {"conf.py": "a = 1\nb = 4\n"})
    commit_all(tmp_path, "main")
    git(tmp_path, "-c", "core.editor=true", "merge", "-q", "--no-commit", "-s", "ours", "side")
    write_files(tmp_path, {"conf.py": f'a = 1\nlogin(token="{TOKEN}")\nb = 4\n'})  # only in the resolution
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "--no-verify", "-m", "merge side")
    merge = _short(tmp_path, "HEAD")
    write_files(tmp_path, {"conf.py": "a = 1\nb = 4\n"})
    commit_all(tmp_path, "drop the token")
    found = _lint(tmp_path)
    assert found == [f'conf.py:2:14: MLG005 Hugging Face token was committed in {merge} ("merge side"); '
                     "it is gone from HEAD but stays in every clone's history: revoke it now "
                     "(deleting the file does not remove it)"]  # fmt: skip


def test_a_secret_renamed_then_deleted_is_found_at_its_introduction(tmp_path: Path) -> None:
    """Renames are detected: a pure rename adds no line, so the finding cites the commit and path
    that brought the value in, not the rename."""
    git_init(tmp_path)
    write_files(tmp_path, {"keys.py": f'login(token="{TOKEN}")\n', "train.py": "print(1)\n"})
    commit_all(tmp_path, "add keys")
    introduced = _short(tmp_path, "HEAD")
    git(tmp_path, "mv", "keys.py", "secrets_moved.py")
    commit_all(tmp_path, "rename")
    git(tmp_path, "rm", "-q", "secrets_moved.py")
    commit_all(tmp_path, "delete")
    found = _lint(tmp_path)
    assert len(found) == 1 and found[0].startswith("keys.py:1:14: MLG005 Hugging Face token was committed in ")
    assert introduced in found[0]


def test_a_text_file_marked_binary_in_gitattributes_is_still_read(tmp_path: Path) -> None:
    """`-diff` makes `log -p` print "Binary files differ": the blob is read and tested for NUL itself."""
    git_init(tmp_path)
    write_files(tmp_path, {".gitattributes": "*.cfg -diff\n", "app.cfg": f"token = {TOKEN}\n"})
    commit_all(tmp_path, "config")
    write_files(tmp_path, {"app.cfg": "token = env\n"})
    commit_all(tmp_path, "no token")
    assert [line.split(" was committed")[0] for line in _lint(tmp_path)] == ["app.cfg:1:9: MLG005 Hugging Face token"]


def test_paths_git_quotes_are_read_back(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"my keys/clé\t.py": f'login(token="{TOKEN}")\n'})
    commit_all(tmp_path, "odd name")
    git(tmp_path, "rm", "-q", "my keys/clé\t.py")
    commit_all(tmp_path, "delete")
    found = _lint(tmp_path)
    assert found[0].startswith("my keys/clé\t.py:1:14: MLG005 Hugging Face token")


def test_a_damaged_clone_still_finds_secrets_in_the_blobs_it_has(tmp_path: Path) -> None:
    """`log -p` stops at the first missing object: the scan falls back to reading blobs."""
    git_init(tmp_path)
    write_files(tmp_path, {"keys.py": f'login(token="{TOKEN}")\n', "w.pt": "w" * 64})
    commit_all(tmp_path, "first")
    write_files(tmp_path, {"keys.py": None, "w.pt": None})
    commit_all(tmp_path, "clean up")
    oid = git(tmp_path, "rev-parse", "HEAD~1:w.pt").strip()
    (tmp_path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    found = _lint(tmp_path)
    assert found[0].startswith("keys.py:1:14: MLG005 Hugging Face token")
    assert "lacks 1 object" in found[1]


def test_sections_are_parsed_as_git_prints_them() -> None:
    oid = "1" * 40
    plain = (
        f"diff --git a/x.py b/x.py\nindex {'0' * 40}..{oid} 100644\n--- /dev/null\n+++ b/x.py\n"
        "@@ -0,0 +1,2 @@\n+one\n+two\n\\ No newline at end of file\n"
    ).encode()
    assert parse_section(plain) == ("x.py", oid, b"one\ntwo")
    combined = (
        f"diff --cc x.py\nindex {'2' * 40},{'3' * 40}..{oid}\n--- a/x.py\n+++ b/x.py\n"
        "@@@ -1,0 -1,0 +2,1 @@@\n++new\n+ theirs\n - gone\n"
    ).encode()
    assert parse_section(combined) == ("x.py", oid, b"new")
    deleted = f"diff --git a/x.py b/x.py\ndeleted file mode 100644\nindex {oid}..{'0' * 40}\n".encode()
    assert parse_section(deleted) is None
    binary = f"diff --git a/m.cfg b/m.cfg\nindex {'0' * 40}..{oid}\nBinary files /dev/null and b/m.cfg differ\n"
    assert parse_section(binary.encode()) == ("m.cfg", oid, None)


def test_the_pickaxe_regex_lets_every_marker_through() -> None:
    """git's `-G` must be a superset of the prefilter, or a secret would never reach the scanner."""
    pattern = re.compile(PICKAXE[2:])  # this POSIX ERE means the same in Python's `re`
    assert [marker for marker in CONFIDENT_MARKERS if not pattern.search(marker)] == []


def test_the_first_commit_is_read_whatever_log_show_root_says(tmp_path: Path) -> None:
    git_init(tmp_path)
    git(tmp_path, "config", "log.showRoot", "false")
    git(tmp_path, "config", "diff.noprefix", "true")
    write_files(tmp_path, {"keys.py": f'login(token="{TOKEN}")\n'})
    commit_all(tmp_path, "first")
    first = _short(tmp_path, "HEAD")
    write_files(tmp_path, {"keys.py": None, "train.py": "print(1)\n"})
    commit_all(tmp_path, "clean up")
    found = _lint(tmp_path)
    assert len(found) == 1 and found[0].startswith(f"keys.py:1:14: MLG005 Hugging Face token was committed in {first}")


def test_a_blob_added_at_two_paths_is_named_at_its_oldest_addition(tmp_path: Path) -> None:
    """The commit that brought the value in is the one to cite; the other walk's order must not matter."""
    git_init(tmp_path)
    for n in range(6):
        write_files(tmp_path, {f"f{n}.py": f"x = {n}\n"})
        commit_all(tmp_path, f"c{n}")
    write_files(tmp_path, {"a/keys.py": f'login(token="{TOKEN}")\n'})
    commit_all(tmp_path, "old copy")
    old = _short(tmp_path, "HEAD")
    write_files(tmp_path, {"b/keys.py": f'login(token="{TOKEN}")\n'})
    commit_all(tmp_path, "new copy")
    write_files(tmp_path, {"a/keys.py": None, "b/keys.py": None})
    commit_all(tmp_path, "delete")
    single = _lint(tmp_path)
    assert single[0].startswith(f"a/keys.py:1:14: MLG005 Hugging Face token was committed in {old}")


def test_secrets_are_attributed_from_the_patch_stream_as_the_walk_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The full scan's `log -p` saw which commit added each secret's blob (`seen_added`), so no
    `git log --raw` walk of history is needed for them, and the commits cited are the walk's."""
    from mlops_lint.context import history_cache
    from mlops_lint.git_gateway import GitGateway

    git_init(tmp_path)
    write_files(tmp_path, {"keys.py": f'x = 1\nlogin(token="{TOKEN}")\n', "train.py": "print(1)\n"})
    commit_all(tmp_path, "add keys")
    write_files(tmp_path, {"keys.py": f'x = 2\nlogin(token="{TOKEN}")\n'})
    commit_all(tmp_path, "change another line")
    git(tmp_path, "mv", "keys.py", "conf_keys.py")
    write_files(tmp_path, {"conf_keys.py": f'x = 3\nlogin(token="{TOKEN}")\ny = 4\n'})
    commit_all(tmp_path, "move and edit")
    git(tmp_path, "rm", "-q", "conf_keys.py")
    commit_all(tmp_path, "delete")
    walks: list[str] = []
    real = GitGateway.run

    def run(self: GitGateway, *args: str, **kwargs: object) -> object:
        if "--raw" in args:
            walks.append(" ".join(args[:3]))
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GitGateway, "run", run)
    overrides = api.Overrides(select=("MLG005",), cache=False)
    from_stream = [compact(d) for d in api.lint([tmp_path], overrides).diagnostics]
    assert from_stream and walks == []
    monkeypatch.setattr(history_cache, "seen_added", lambda *args: None)
    assert [compact(d) for d in api.lint([tmp_path], overrides).diagnostics] == from_stream
    assert walks  # the walk answered this time, and the same
