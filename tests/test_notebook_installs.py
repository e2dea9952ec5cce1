"""MLJ006 beyond the catalogue examples: which installs are `info` (conditional installs, a
library's example notebooks), and how shell words keep unquoted redirections."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.notebooks.installs import conditional, unpinned_packages
from mlops_lint.context.shell_words import shell_words
from mlops_lint.diagnostics import Severity
from mlops_lint.registry import metas
from tests.helpers import git_init, make_notebook, write_files


def _severities(root: Path, files: dict[str, str]) -> list[tuple[str, int | None, Severity]]:
    git_init(root)
    write_files(root, files)
    report = api.lint([root], api.Overrides(only=("MLJ006",)))
    assert not report.errors, report.errors
    return sorted((d.location.path, d.location.cell, d.severity) for d in report.diagnostics)


def test_conditional_installs_are_info(tmp_path: Path) -> None:
    notebook = make_notebook(
        [
            'if "google.colab" in sys.modules:\n    %pip install -q statsmodels',
            "if IS_COLAB or IS_KAGGLE:\n    for _ in range(1):\n        !pip install box2d",
            "!pip install torch>=2.0",
        ]
    )
    found = _severities(tmp_path, {"nb.ipynb": notebook})
    own = metas()["MLJ006"].severity  # the unguarded redirect keeps the rule's own severity (a bug)
    assert found == [("nb.ipynb", 1, Severity.INFO), ("nb.ipynb", 2, Severity.INFO), ("nb.ipynb", 3, own)]


def test_example_notebooks_of_a_library_are_info(tmp_path: Path) -> None:
    files = {
        "setup.py": 'from setuptools import setup\nsetup(name="lib")\n',
        "examples/colab/train.ipynb": make_notebook(["!pip install -q transformers"]),
    }
    assert _severities(tmp_path, files) == [("examples/colab/train.ipynb", 1, Severity.INFO)]


@pytest.mark.parametrize(
    ("source", "line", "expected"),
    [
        ("if IS_COLAB:\n    %pip install x", 2, True),
        ("if IS_COLAB:\n    pass\nelse:\n    %pip install x", 4, True),
        ("if logger == 'Comet':\n    %pip install comet_ml", 2, True),
        ("try:\n    import x\nexcept ImportError:\n    %pip install x", 4, True),
        ("for name in names:\n    %pip install x", 2, False),
        ("%pip install x", 1, False),
        ("if 'kaggle_secrets' in sys.modules:\n    if x:\n        !pip install y", 3, True),
    ],
)
def test_conditional(source: str, line: int, expected: bool) -> None:
    assert conditional(source, line) is expected


@pytest.mark.parametrize(
    ("command", "words", "redirects"),
    [
        ("pip install torch>=2.0", ["pip", "install", "torch>=2.0"], ["", "", ">"]),
        ("pip install 'torch>=2.0'", ["pip", "install", "torch>=2.0"], ["", "", ""]),
        ('pip install "a>1"<2', ["pip", "install", "a>1<2"], ["", "", "<"]),
        ("a;b&&c 2>&1", ["a", ";", "b", "&&", "c", "2>&1"], ["", "", "", "", "", ">"]),
        ("echo x # comment", ["echo", "x"], ["", ""]),
        ("echo 'unbalanced", ["echo", "'unbalanced"], ["", ""]),
    ],
)
def test_shell_words(command: str, words: list[str], redirects: list[str]) -> None:
    found = shell_words(command)
    assert found == words
    assert [word.redirects for word in found] == redirects


@pytest.mark.parametrize(
    ("command", "packages", "redirected"),
    [
        ("pip install torch>=2.0 numpy", ["numpy"], [("torch", ">=2.0")]),
        ("pip install -qr requirements.txt comet_ml", [], []),
        ("pip install -rreqs.txt x", [], []),
        ("pip install -e . wandb", ["wandb"], []),
        ("pip install src/pkg wandb", ["wandb"], []),
        ("pip install torch; pip install x", ["torch", "x"], []),
        ("pip install torch<3", [], []),
        ("pip install pip>=23", [], []),
        ("conda install numpy>=1.2", [], [("numpy", ">=1.2")]),
    ],
)
def test_unpinned_and_redirected(command: str, packages: list[str], redirected: list[tuple[str, str]]) -> None:
    found = unpinned_packages(command)
    assert (found.packages, found.redirected) == (packages, redirected)


def test_an_unguarded_unpinned_install_is_info_and_a_redirect_is_a_warning(tmp_path: Path) -> None:
    notebook = make_notebook(["%pip install wandb", "!pip install torch>=2.0"])
    found = _severities(tmp_path, {"nb.ipynb": notebook})
    assert found == [("nb.ipynb", 1, Severity.INFO), ("nb.ipynb", 2, Severity.WARNING)]
