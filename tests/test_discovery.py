"""Which files a run sees: git inventory, plain folders, explicit paths, symlinks, roots."""

from __future__ import annotations

from pathlib import Path

from mlops_lint import api
from mlops_lint.discovery import build_inventory, find_root
from tests.helpers import commit_all, git_init, write_files


def test_git_inventory_has_tracked_and_untracked_but_not_ignored(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".gitignore": "ignored.py\n", "tracked.py": "", "ignored.py": "", "new.py": ""})
    commit_all(tmp_path, "init")
    (tmp_path / "tracked.py").unlink()  # deleted in the work tree: not listed
    inventory = build_inventory(tmp_path, ())
    assert inventory.in_git
    assert inventory.files == (".gitignore", "new.py")


def test_plain_folder_walk_honours_gitignore_and_skips_vcs(tmp_path: Path) -> None:
    write_files(tmp_path, {".gitignore": "out/\n", "a.py": "", "out/b.py": "", ".hg/x.py": "", "sub/c.py": ""})
    inventory = build_inventory(tmp_path, ())
    assert not inventory.in_git
    assert inventory.files == (".gitignore", "a.py", "sub/c.py")


def test_outside_git_the_run_still_works(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.py": "import numpy as npy\nnpy.ones(1)\n"})
    report = api.lint([tmp_path])
    assert [d.code for d in report.diagnostics] == ["MLN004"]


def test_nearest_configuration_is_the_root(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"sub/.mlops-lint.toml": "", "sub/pkg/a.py": ""})
    assert find_root(tmp_path / "sub" / "pkg") == (tmp_path / "sub").resolve()
    assert find_root(tmp_path) == tmp_path.resolve()


def test_explicit_files_are_linted_with_repo_relative_paths(tmp_path: Path, monkeypatch) -> None:
    git_init(tmp_path)
    source = "import numpy as npy\nnpy.ones(1)\n"
    write_files(tmp_path, {"src/a.py": source, "src/b.py": source})
    monkeypatch.chdir(tmp_path)
    report = api.lint([Path("src/a.py")])
    assert [d.location.path for d in report.diagnostics] == ["src/a.py"]
    assert report.files_checked == 1


def test_symlink_out_of_the_repository_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    repo = tmp_path / "repo"
    write_files(outside, {"secret.py": "import numpy as npy\nnpy.ones(1)\n"})
    git_init(repo)
    (repo / "link.py").symlink_to(outside / "secret.py")
    (repo / "linkdir").symlink_to(outside, target_is_directory=True)
    report = api.lint([repo])
    assert [(d.code, d.location.path, d.message) for d in report.diagnostics] == [
        ("MLX001", "link.py", "File cannot be parsed: symlink pointing outside the repository (not followed)")
    ]


def test_package_membership_does_not_depend_on_the_files_passed(tmp_path: Path) -> None:
    """pre-commit may pass one file at a time; cross-file facts come from the whole inventory."""
    git_init(tmp_path)
    write_files(tmp_path, {"pkg/__init__.py": "", "pkg/Bad-Name.py": ""})
    report = api.lint([tmp_path / "pkg" / "Bad-Name.py"])
    assert [d.code for d in report.diagnostics] == ["MLN005"]
