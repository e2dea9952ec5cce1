"""A corpus of hostile inputs for mlops-lint, generated (never stored as binary blobs).

Two shapes of case:

- *file cases* share one repository (`shared/`): each writes its hostile file(s) under
  `cases/<name>/` next to a `buddy.py` holding one known, unrelated finding (`import pandas as pds`,
  MLN004 at 1:8), so a test can check that the bad file is reported *and* that its neighbour's
  finding survived it. One run over the shared repository checks them all.
- *repository cases* are whole repositories whose shape is the hostile part (empty, detached HEAD,
  shallow clone, submodule, no `.git`, a broken `.git`, a merge in progress); each has its own
  folder and its own known finding.

`python tests/hostile_corpus.py OUT_DIR` writes the corpus for manual runs; the tests call
`build_shared(folder)` and `build_repo(name, folder)`. The generator only uses the standard
library and `git`, so it runs before the package is installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Hostile Corpus",
    "GIT_AUTHOR_EMAIL": "corpus@example.com",
    "GIT_COMMITTER_NAME": "Hostile Corpus",
    "GIT_COMMITTER_EMAIL": "corpus@example.com",
    "GIT_AUTHOR_DATE": "2024-05-14T09:00:00+00:00",
    "GIT_COMMITTER_DATE": "2024-05-14T09:00:00+00:00",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}
BUDDY = "import pandas as pds\n"  # MLN004 at 1:8: the unrelated finding every case keeps
BUDDY_CODE = "MLN004"
BIG_OUTPUT_BYTES = 50 * 1024 * 1024


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env)
    return result.stdout


def git_init(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "-c", "init.defaultBranch=main", "init", "-q")


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "--no-verify", "-m", message)


def put(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def notebook(*sources: str, outputs: list | None = None) -> str:
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"cell-{n}", "metadata": {}, "outputs": outputs or []}
        | {"source": source}
        for n, source in enumerate(sources)
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)


@dataclass(frozen=True)
class Expect:
    """A finding the run must contain: `code` is a code (`MLX001`) or a code prefix (`MLJ`)."""

    path: str
    code: str
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    message: str | None = None  # a part of the message, when the wording is the point


@dataclass(frozen=True)
class Case:
    name: str
    why: str
    build: Callable[[Path], None]
    expect: tuple[Expect, ...] = ()
    # the hostile files `fix` must leave byte for byte as they were (those no fixer can parse)
    untouched: tuple[str, ...] = ()
    exit_code: int = 1
    skip: str | None = None  # a reason when the case cannot be built here
    xfail: str | None = None  # a reason when the case fails for a known, owned reason
    args: tuple[str, ...] = ()
    notes: dict = field(default_factory=dict)


FILE_CASES: list[Case] = []
REPO_CASES: list[Case] = []


def _file_case(name: str, why: str, **kwargs):
    """Register a file case: the builder gets `cases/<name>/`; expectations name paths inside it."""

    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        folder = f"cases/{name}"
        expect = tuple(
            Expect(f"{folder}/{e.path}", e.code, e.line, e.column, e.cell, e.message) for e in kwargs.pop("expect", ())
        )
        untouched = tuple(f"{folder}/{p}" for p in kwargs.pop("untouched", ()))
        FILE_CASES.append(Case(name, why, build, expect=expect, untouched=untouched, **kwargs))
        return build

    return register


def _repo_case(name: str, why: str, **kwargs):
    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        REPO_CASES.append(Case(name, why, build, **kwargs))
        return build

    return register


# ---------------------------------------------------------------- Python sources


@_file_case("syntax_error", "a syntax error", expect=[Expect("bad.py", "MLX001", 3)], untouched=["bad.py"])
def _syntax_error(folder: Path) -> None:
    put(folder / "bad.py", "import pandas as pds\n\ndef train(:\n    pass\n")


@_file_case("python2", "Python 2 code", expect=[Expect("legacy.py", "MLX001", 2)], untouched=["legacy.py"])
def _python2(folder: Path) -> None:
    put(folder / "legacy.py", "import pandas as pds\nprint 'hello'\nexec 'x = 1'\n")


@_file_case("null_bytes", "NUL bytes in a .py file", expect=[Expect("nul.py", "MLX001")], untouched=["nul.py"])
def _null_bytes(folder: Path) -> None:
    put(folder / "nul.py", b"import pandas as pds\nx = 1\x00\x00\n")


@_file_case("invalid_utf8", "bytes that are not UTF-8", expect=[Expect("latin.py", "MLX001")], untouched=["latin.py"])
def _invalid_utf8(folder: Path) -> None:
    put(folder / "latin.py", b"import pandas as pds\nname = '\xe9t\xe9'\n\xff\xfe\n")


@_file_case("wrong_coding", "a PEP 263 declaration naming no codec", expect=[Expect("coded.py", "MLX001")])
def _wrong_coding(folder: Path) -> None:
    put(folder / "coded.py", b"# -*- coding: klingon -*-\nimport pandas as pds\nx = '\xe9'\n")


@_file_case("bom", "a UTF-8 BOM before the code", expect=[Expect("bom.py", "MLN004", 1, 8)])
def _bom(folder: Path) -> None:
    put(folder / "bom.py", b"\xef\xbb\xbfimport pandas as pds\n")


@_file_case("crlf", "CRLF line endings", expect=[Expect("crlf.py", "MLN004", 2, 8)])
def _crlf(folder: Path) -> None:
    put(folder / "crlf.py", b"import os\r\nimport pandas as pds\r\n\r\nprint(os, pds)\r\n")


@_file_case("mixed_endings", "LF, CRLF and a lone CR in one file", expect=[Expect("mixed.py", "MLN004", 3, 8)])
def _mixed(folder: Path) -> None:
    put(folder / "mixed.py", b"import os\r\nimport sys\rimport pandas as pds\n\nprint(os, sys, pds)\r\n")


@_file_case("tabs", "tab indentation, and tabs mixed with spaces", expect=[Expect("mixed_tabs.py", "MLX001")])
def _tabs(folder: Path) -> None:
    put(folder / "tabs.py", "import numpy as np\n\ndef f():\n\tif True:\n\t\treturn np\n")
    put(folder / "mixed_tabs.py", "def f():\n        if True:\n\t    return 1\n\treturn 2\n")


@_file_case(
    "long_function",
    "a 10,000-line function, with a finding on its last line",
    expect=[Expect("long.py", "MLR001", 10_006, 19)],
)
def _long_function(folder: Path) -> None:
    body = "".join(f"    total += {i}\n" for i in range(10_000))
    head = "from sklearn.model_selection import train_test_split\n\n\ndef f(X, y):\n    total = 0\n"
    put(folder / "long.py", head + body + "    return total, train_test_split(X, y)\n")


@_file_case(
    "long_expression",
    "a 20,000-term expression on one line: valid Python that CPython's compiler and ruff overflow on",
    expect=[Expect("chain.py", "MLX001")],
)
def _long_expression(folder: Path) -> None:
    put(folder / "chain.py", "a = 1\nx = " + " + ".join(["a"] * 20_000) + "\n")


@_file_case(
    "deep_blocks",
    "more indentation levels than CPython allows",
    expect=[Expect("blocks.py", "MLX001")],
    untouched=["blocks.py"],
)
def _deep_blocks(folder: Path) -> None:
    lines = [" " * i + "if x:" for i in range(120)] + [" " * 120 + "pass"]
    put(folder / "blocks.py", "x = 1\n" + "\n".join(lines) + "\n")


@_file_case(
    "merge_conflict_py",
    "merge-conflict markers in a .py file",
    expect=[Expect("conflict.py", "MLX001", 2)],
    untouched=["conflict.py"],
)
def _conflict_py(folder: Path) -> None:
    put(folder / "conflict.py", "import os\n<<<<<<< HEAD\nx = 1\n=======\nx = 2\n>>>>>>> feature\n")


@_file_case("empty_files", "empty and whitespace-only sources and notebooks", expect=[Expect("empty.ipynb", "MLJ003")])
def _empty(folder: Path) -> None:
    put(folder / "empty.py", "")
    put(folder / "blank.py", "\n\n   \n\t\n")
    put(folder / "empty.ipynb", "")
    put(folder / "empty.yaml", "")


@_file_case("binary_named_py", "a binary file with a .py name", expect=[Expect("image.py", "MLX001")])
def _binary(folder: Path) -> None:
    put(folder / "image.py", bytes(range(256)) * 4)


# ---------------------------------------------------------------- notebooks


@_file_case(
    "notebook_not_json",
    "a notebook that is not JSON",
    expect=[Expect("broken.ipynb", "MLJ003")],
    untouched=["broken.ipynb"],
)
def _nb_not_json(folder: Path) -> None:
    put(folder / "broken.ipynb", '{"cells": [ {"cell_type": "code", "source": "x = 1"\n')


@_file_case(
    "notebook_not_notebook",
    "JSON that is not a notebook (a list, a string, a number, null)",
    expect=[Expect(f"{n}.ipynb", "MLJ003") for n in ("list", "string", "number", "null")],
    untouched=["list.ipynb", "string.ipynb", "number.ipynb", "null.ipynb"],
)
def _nb_not_notebook(folder: Path) -> None:
    for name, value in (("list", [1, 2, 3]), ("string", "cells"), ("number", 4), ("null", None)):
        put(folder / f"{name}.ipynb", json.dumps(value))


@_file_case(
    "notebook_missing_cells",
    "notebooks without `cells`, or with cells of the wrong shape",
    expect=[Expect(f"{n}.ipynb", "MLJ003") for n in ("no_cells", "cells_dict", "cell_not_object", "source_int")],
)
def _nb_cells(folder: Path) -> None:
    top = {"metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    put(folder / "no_cells.ipynb", json.dumps(top))
    put(folder / "cells_dict.ipynb", json.dumps({**top, "cells": {"a": 1}}))
    put(folder / "cell_not_object.ipynb", json.dumps({**top, "cells": [1, "two", None]}))
    bad_source = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": 7}
    put(folder / "source_int.ipynb", json.dumps({**top, "cells": [bad_source]}))


@_file_case(
    "notebook_deep_json",
    "a notebook whose JSON nests 100,000 levels deep",
    expect=[Expect("deep.ipynb", "MLJ003")],
    untouched=["deep.ipynb"],
)
def _nb_deep(folder: Path) -> None:
    put(folder / "deep.ipynb", '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")


@_file_case(
    "notebook_conflict",
    "merge-conflict markers in a notebook",
    expect=[Expect("conflict.ipynb", "MLJ003")],
    untouched=["conflict.ipynb"],
)
def _nb_conflict(folder: Path) -> None:
    text = notebook("x = 1").splitlines()
    text[3:3] = ["<<<<<<< HEAD", '   "x = 2"', "=======", '   "x = 3"', ">>>>>>> feature"]
    put(folder / "conflict.ipynb", "\n".join(text) + "\n")


@_file_case(
    "notebook_bad_code",
    "notebook code cells with a syntax error and thousands of parentheses",
    expect=[Expect("cells.ipynb", "MLX001", cell=2), Expect("cells.ipynb", "MLN004", cell=3)],
)
def _nb_bad_code(folder: Path) -> None:
    put(folder / "cells.ipynb", notebook("import numpy as np", "def f(:\n    pass", "import pandas as pds"))


@_file_case(
    "notebook_many_cells",
    "a notebook of 20,000 cells, with a finding in the last one",
    expect=[Expect("many.ipynb", "MLR001", 1, 9, cell=20_002)],
)
def _nb_many(folder: Path) -> None:
    cells = [f"x{i} = {i}" for i in range(20_000)]
    put(
        folder / "many.ipynb",
        notebook("from sklearn.model_selection import train_test_split", *cells, "parts = train_test_split(x0, x1)"),
    )


@_file_case(
    "notebook_50mb_output",
    "a notebook with a 50 MB output",
    expect=[Expect("huge.ipynb", "MLJ003", message="cannot be read: larger than")],
)
def _nb_big(folder: Path) -> None:
    head = '{"cells": [{"cell_type": "code", "execution_count": 1, "id": "a", "metadata": {}, "source": "print(1)", '
    head += '"outputs": [{"output_type": "stream", "name": "stdout", "text": "'
    tail = '"}]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n'
    filler = BIG_OUTPUT_BYTES - len(head) - len(tail)
    with open(folder / "huge.ipynb", "wb") as handle:  # one write: the corpus must build in a blink
        handle.write(head.encode() + b"x" * filler + tail.encode())


@_file_case(
    "notebook_default_name", "a valid notebook named Untitled.ipynb", expect=[Expect("Untitled.ipynb", "MLN002")]
)
def _nb_untitled(folder: Path) -> None:
    put(folder / "Untitled.ipynb", notebook("x = 1"))


# ---------------------------------------------------------------- YAML and DVC


BILLION_LAUGHS = "\n".join(
    ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
)


@_file_case(
    "yaml_alias_bomb",
    "a 'billion laughs' .dvc pointer (anchors and aliases that expand to 9^9 nodes)",
    expect=[Expect("bomb.dvc", "MLD001")],
)
def _yaml_bomb(folder: Path) -> None:
    put(folder / "bomb.dvc", BILLION_LAUGHS + "\nouts: *i\n")


@_file_case(
    "yaml_conflict",
    "merge-conflict markers in a .dvc pointer",
    expect=[Expect("data.csv.dvc", "MLD001", 2)],
    untouched=["data.csv.dvc"],
)
def _yaml_conflict(folder: Path) -> None:
    put(
        folder / "data.csv.dvc",
        "outs:\n<<<<<<< HEAD\n- md5: 0123456789abcdef0123456789abcdef\n=======\n"
        "- md5: fedcba9876543210fedcba9876543210\n>>>>>>> theirs\n  path: data.csv\n",
    )


@_file_case(
    "yaml_tabs",
    "tab-indented YAML (YAML forbids tabs for indentation)",
    expect=[Expect("tabs.dvc", "MLD001", 2)],
    untouched=["tabs.dvc"],
)
def _yaml_tabs(folder: Path) -> None:
    put(folder / "tabs.dvc", "outs:\n\t- md5: 0123456789abcdef0123456789abcdef\n\t  path: tabs.csv\n")


@_file_case(
    "yaml_duplicate_keys",
    "duplicate keys in a .dvc pointer (DVC's ruamel loader refuses them; PyYAML keeps the last)",
    expect=[Expect("dup.dvc", "MLD001", 4)],
)
def _yaml_dup(folder: Path) -> None:
    put(folder / "dup.dvc", "outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: dup.csv\n  path: other.csv\n")


@_file_case(
    "yaml_wrong_shapes",
    "pointers that are YAML but not pointers, or not text",
    expect=[
        Expect("list.dvc", "MLD001", 1, 1),
        Expect("outs_ints.dvc", "MLD001", 1, 8),
        Expect("deep.dvc", "MLD001", 1, 1, message="nested too deeply"),
        Expect("python_tag.dvc", "MLD001", 1),
        Expect("binary.dvc", "MLD001", message="cannot be read: binary file"),
    ],
)
def _yaml_shapes(folder: Path) -> None:
    put(folder / "list.dvc", "- 1\n- 2\n")
    put(folder / "scalar.dvc", "just a string\n")
    put(folder / "outs_mapping.dvc", "outs:\n  path: 5\n")
    put(folder / "outs_ints.dvc", "outs: [1, 2, null]\n")
    put(folder / "path_list.dvc", "outs:\n- path: [a, b]\n  md5: 5\n  size: -1\n")
    put(folder / "deep.dvc", "outs: " + "[" * 5000 + "]" * 5000 + "\n")
    put(folder / "python_tag.dvc", "outs: !!python/object/apply:os.system ['echo pwned']\n")
    put(folder / "keys.dvc", "? [a, b]\n: 1\n? {c: d}\n: 2\n")
    put(folder / "binary.dvc", b"\xff\xfe\x00\x01outs")


@_file_case(
    "dvc_directory",
    "a `.dvc` that is a directory",
)
def _dvc_dir(folder: Path) -> None:
    put(folder / "model.pkl.dvc" / "inner.txt", "not a pointer\n")
    put(folder / "model.pkl.dvc" / "nested.dvc", "outs:\n- path: x\n")


# ---------------------------------------------------------------- file system


@_file_case(
    "symlink_outside",
    "symlinks that point outside the repository (a file, a notebook, a pointer, a folder)",
    expect=[
        Expect("evil.py", "MLX001", message="outside the repository"),
        Expect("evil.ipynb", "MLJ003", message="outside the repository"),
        Expect("evil.dvc", "MLD001", message="outside the repository"),
    ],
)
def _symlink_outside(folder: Path) -> None:
    outside = folder.parents[2] / "outside"  # next to the repository, never inside it
    put(outside / "secret.py", "import pandas as pds  # must never be read\n")
    put(outside / "Untitled.ipynb", notebook("import pandas as pds"))
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "secret.py", folder / "evil.py")
    os.symlink(outside / "Untitled.ipynb", folder / "evil.ipynb")
    os.symlink(outside / "secret.py", folder / "evil.dvc")
    os.symlink(outside, folder / "evil_dir")
    os.symlink("/etc/passwd", folder / "passwd.py")


@_file_case(
    "symlink_loop",
    "symlink loops, a self-link and a dangling link",
    expect=[Expect("a.py", "MLX001"), Expect("dangling.py", "MLX001"), Expect("self.ipynb", "MLJ003")],
)
def _symlink_loop(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink("b.py", folder / "a.py")
    os.symlink("a.py", folder / "b.py")
    os.symlink("self.ipynb", folder / "self.ipynb")
    os.symlink("missing.py", folder / "dangling.py")
    os.symlink(".", folder / "loop_dir")


@_file_case(
    "symlink_inside",
    "a symlink to a file inside the repository is read like the file",
    expect=[Expect("alias.py", "MLN004", 1, 8)],
)
def _symlink_inside(folder: Path) -> None:
    put(folder / "real.py", "import pandas as pds\n")
    os.symlink("real.py", folder / "alias.py")


@_file_case(
    "unreadable",
    "a file nobody may read (chmod 000)",
    expect=[Expect("locked.py", "MLX001")],
    skip="root reads every file anyway" if hasattr(os, "geteuid") and os.geteuid() == 0 else None,
)
def _unreadable(folder: Path) -> None:
    put(folder / "locked.py", "import pandas as pds\n")
    os.chmod(folder / "locked.py", 0)


@_file_case(
    "fifo",
    "a symlink with a .py name pointing at a FIFO (opening it for reading would block forever)",
    expect=[Expect("pipe.py", "MLX001")],
)
def _fifo(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "fifo")
    os.symlink("fifo", folder / "pipe.py")


@_file_case(
    "odd_names",
    "file names with spaces, a leading dash, a newline and bytes that are not UTF-8",
    expect=[Expect("-rf.py", "MLN004", 1, 8), Expect("with space.py", "MLN004", 1, 8)],
)
def _odd_names(folder: Path) -> None:
    put(folder / "-rf.py", "import pandas as pds\n")
    put(folder / "with space.py", "import pandas as pds\n")
    put(folder / "new\nline.py", "import pandas as pds\n")
    with open(os.fsencode(folder) + b"/caf\xe9.py", "wb") as handle:  # a Latin-1 name, as old tarballs have
        handle.write(BUDDY.encode())


@_file_case(
    "control_chars",
    "control characters from the files in messages: an ESC sequence in a YAML key, NUL and a newline in paths",
    expect=[
        Expect("ctl.dvc", "MLD001", 1, 1, message="\x1b[31m"),
        Expect("ctl.dvc", "MLD001", 3, 3, message="contains control characters"),
        Expect("newline.dvc", "MLD001", 3, 3, message="contains control characters"),
    ],
)
def _control_chars(folder: Path) -> None:
    put(folder / "ctl.dvc", '"\\x07bell\\x1b[31m": 1\nouts:\n- path: "a\\x00b"\n  md5: "\\x01"\n')
    # a newline in an out's path must never become a second .gitignore line (`!secrets` un-ignores)
    put(
        folder / "newline.dvc",
        'outs:\n- md5: 0123456789abcdef0123456789abcdef\n  path: "data\\n!secrets"\n  hash: md5\n',
    )


# ---------------------------------------------------------------- repositories


def _buddy_repo(root: Path) -> None:
    git_init(root)
    put(root / "train.py", BUDDY)


@_repo_case("empty_repo", "git init and nothing else", exit_code=0)
def _empty_repo(root: Path) -> None:
    git_init(root)


@_repo_case("unborn_head", "files but no commit yet", notes={"buddy": "train.py"})
def _unborn(root: Path) -> None:
    _buddy_repo(root)
    git(root, "add", "-A")


@_repo_case("detached_head", "HEAD detached at an older commit", notes={"buddy": "train.py"})
def _detached(root: Path) -> None:
    _buddy_repo(root)
    commit_all(root, "one")
    put(root / "other.py", "x = 1\n")
    commit_all(root, "two")
    git(root, "checkout", "-q", "--detach", "HEAD~1")


@_repo_case("shallow_clone", "a --depth 1 clone: history with missing parents", notes={"buddy": "train.py"})
def _shallow(root: Path) -> None:
    origin = root.parent / (root.name + "_origin")
    _buddy_repo(origin)
    put(origin / "creds.py", 'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n')
    commit_all(origin, "one")
    (origin / "creds.py").unlink()
    commit_all(origin, "two")
    put(origin / "more.py", "y = 2\n")
    commit_all(origin, "three")
    git(root.parent, "clone", "-q", "--depth", "1", f"file://{origin}", root.name)


@_repo_case("submodule", "a repository with a submodule (a gitlink in the tree)", notes={"buddy": "train.py"})
def _submodule(root: Path) -> None:
    child = root.parent / (root.name + "_child")
    _buddy_repo(child)
    put(child / "Untitled.ipynb", notebook("x = 1"))
    commit_all(child, "child")
    _buddy_repo(root)
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", f"file://{child}", "vendor/child")
    commit_all(root, "with submodule")
    put(root / "second" / "placeholder.txt", "x\n")
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{git(child, 'rev-parse', 'HEAD').strip()},uninit")


@_repo_case("no_git", "a folder that is not a repository", notes={"buddy": "train.py"})
def _no_git(root: Path) -> None:
    put(root / "train.py", BUDDY)
    put(root / "model.pkl", b"\x80\x04K\x01.")


@_repo_case("broken_git_file", "a .git file pointing nowhere (a moved worktree)", notes={"buddy": "train.py"})
def _broken_gitfile(root: Path) -> None:
    put(root / "train.py", BUDDY)
    put(root / ".git", "gitdir: /nonexistent/worktrees/gone\n")


@_repo_case("corrupt_head", "a .git whose HEAD is garbage", notes={"buddy": "train.py"})
def _corrupt_head(root: Path) -> None:
    _buddy_repo(root)
    commit_all(root, "one")
    put(root / ".git" / "HEAD", "garbage\n")


@_repo_case(
    "merge_in_progress",
    "a conflicted merge: unmerged index entries and markers in the work tree",
    notes={"buddy": "train.py", "bad": "model.py"},
)
def _merge(root: Path) -> None:
    _buddy_repo(root)
    put(root / "model.py", "x = 0\n")
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "other")
    put(root / "model.py", "x = 1\n")
    commit_all(root, "other")
    git(root, "checkout", "-q", "main")
    put(root / "model.py", "x = 2\n")
    commit_all(root, "main")
    subprocess.run(["git", "merge", "-q", "other"], cwd=root, capture_output=True, env={**os.environ, **GIT_ENV})


@_repo_case("bad_pipeline", "dvc.yaml and params.yaml of the wrong shapes", notes={"buddy": "train.py"})
def _bad_pipeline(root: Path) -> None:
    _buddy_repo(root)
    put(
        root / "dvc.yaml",
        "stages:\n  a: 5\n  b:\n    cmd: 7\n    deps: {x: 1}\n    outs: [1, {y: [2]}, null]\n"
        "  c:\n    foreach: 3\n    do: x\n  d:\n    cmd: [python, 1]\n    params: [{params.yaml: 5}]\n"
        "    metrics: [{m.json: [1]}]\n    plots: 8\n",
    )
    put(root / "params.yaml", "- 1\n- 2\n")
    put(root / "dvc.lock", "stages: [1, 2]\n")
    put(root / ".dvc" / "config", "[core\nremote = \x00\n")
    put(root / "MLproject", "entry_points: 5\n")


@_repo_case(
    "pipeline_bomb",
    "a billion-laughs dvc.yaml",
    expect=(Expect("dvc.yaml", "MLD015"),),
    notes={"buddy": "train.py"},
)
def _pipeline_bomb(root: Path) -> None:
    _buddy_repo(root)
    put(root / "dvc.yaml", BILLION_LAUGHS + "\nstages: *i\n")


@_repo_case(
    "experiment_yaml",
    "experiment metadata that is a bomb, a conflict, a list, binary, nested 3,000 deep",
    expect=(
        Expect("experiments/conflict/experiment.yaml", "MLE002", 2, message="merge-conflict"),
        Expect("experiments/bomb/experiment.yaml", "MLE002", 1),
        Expect("experiments/binary/experiment.yaml", "MLE002", message="cannot be read: binary"),
        Expect("experiments/deep/experiment.yaml", "MLE002", 1),
        Expect("experiments/listed/experiment.yaml", "MLE002", 1),
    ),
    notes={"buddy": "train.py"},
)
def _experiments(root: Path) -> None:
    _buddy_repo(root)
    base = root / "experiments"
    put(base / "bomb" / "experiment.yaml", BILLION_LAUGHS + "\nid: *i\n")
    put(base / "conflict" / "experiment.yaml", "id: conflict\n<<<<<<< HEAD\nowner: a\n=======\nowner: b\n>>>>>>> x\n")
    put(base / "listed" / "experiment.yaml", "- id\n- owner\n")
    put(base / "binary" / "experiment.yaml", b"\x00\x01\x02")
    put(base / "deep" / "experiment.yaml", "id: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    commit_all(root, "experiments")


@_repo_case(
    "deep_parens",
    "thousands of nested parentheses in a .py file and a notebook cell: `ast.parse` refuses them "
    "('too many nested parentheses'), and libcst's native parser, if asked anyway, overflows the C stack",
    expect=(Expect("deep.py", "MLX001"), Expect("deep_list.py", "MLX001"), Expect("deep.ipynb", "MLX001", cell=2)),
    notes={"buddy": "train.py"},
)
def _deep_parens(root: Path) -> None:
    _buddy_repo(root)
    put(root / "deep.py", "import pandas as pds\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    put(root / "deep_list.py", "x = " + "[" * 3000 + "]" * 3000 + "\n")
    put(root / "deep.ipynb", notebook("import numpy as np", "x = " + "(" * 5000 + ")" * 5000))


@_repo_case(
    "fifo_gitignore",
    "outside git, a top-level .gitignore that is a FIFO (opening it blocks until a writer comes)",
    notes={"buddy": "train.py"},
)
def _fifo_gitignore(root: Path) -> None:
    put(root / "train.py", BUDDY)
    os.mkfifo(root / ".gitignore")


@_repo_case(
    "fifo_pyproject",
    "a pyproject.toml that is a FIFO: ruff, which reads it for [tool.ruff], would block on it",
    expect=(Expect(".", "MLX002", message="pyproject.toml is not a regular file"),),
    notes={"buddy": "train.py"},
)
def _fifo_pyproject(root: Path) -> None:
    _buddy_repo(root)
    os.mkfifo(root / "pyproject.toml")


@_repo_case(
    "broken_config", "pyproject.toml that is not TOML: a configuration error", exit_code=2, notes={"stderr": "error"}
)
def _broken_config(root: Path) -> None:
    _buddy_repo(root)
    put(root / "pyproject.toml", "[tool.mlops-lint\nselect = 5\n")


def build_shared(root: Path) -> list[Case]:
    """The shared repository with every file case; returns the cases that were built."""
    git_init(root)
    put(root / "train.py", BUDDY)
    built = []
    for case in FILE_CASES:
        if case.skip:
            continue
        folder = root / "cases" / case.name
        put(folder / "buddy.py", BUDDY)
        case.build(folder)
        built.append(case)
    # commit what git can hold (it skips the FIFO); the rest stays untracked, as in real work trees
    git(root, "add", "-A", "--", ".", ":!cases/notebook_50mb_output")
    git(root, "commit", "-q", "--no-verify", "-m", "hostile corpus")
    return built


def build_repo(name: str, root: Path) -> Case:
    case = next(c for c in REPO_CASES if c.name == name)
    case.build(root)
    return case


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/hostile_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0]).absolute()
    if out.exists() and any(out.iterdir()):
        print(f"{out} is not empty", file=sys.stderr)
        return 2
    build_shared(out / "shared")
    for case in REPO_CASES:
        build_repo(case.name, out / case.name)
    print(f"wrote {len(FILE_CASES)} file cases into {out / 'shared'} and {len(REPO_CASES)} repositories into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
