"""MLR005 beyond the catalogue examples: the per-finding severity of a library's examples, what
counts as pinned for pip and conda, and which projects are libraries."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.reproducibility.dependencies import conda_pinned, is_tooling, open_requirement, pip_pinned
from mlops_lint.diagnostics import Severity
from tests.helpers import git_init, write_files

SETUP_PY = 'from setuptools import setup\n\nsetup(name="lib", install_requires=["torch>=2.0"])\n'


def _findings(root: Path, files: dict[str, str]) -> dict[str, Severity]:
    git_init(root)
    write_files(root, files)
    report = api.lint([root], api.Overrides(only=("MLR005",)))
    assert not report.errors, report.errors
    return {d.location.path: d.severity for d in report.diagnostics}


def test_examples_of_a_library_are_info_and_its_applications_warnings(tmp_path: Path) -> None:
    found = _findings(
        tmp_path,
        {
            "setup.py": SETUP_PY,
            "examples/a/requirements.txt": "ftfy\n",
            "benchmarks/requirements.txt": "psutil\n",
            "requirements-train.txt": "wandb\n",
        },
    )
    assert found == {
        "examples/a/requirements.txt": Severity.INFO,
        "benchmarks/requirements.txt": Severity.INFO,
        "requirements-train.txt": Severity.WARNING,
    }


def test_examples_folder_without_a_library_is_an_environment(tmp_path: Path) -> None:
    assert _findings(tmp_path, {"examples/a/requirements.txt": "ftfy\n"}) == {
        "examples/a/requirements.txt": Severity.WARNING
    }


def test_an_unparsable_pyproject_is_not_a_library(tmp_path: Path) -> None:
    found = _findings(tmp_path, {"pyproject.toml": "[project\n", "requirements.txt": "torch\n"})
    assert found == {"requirements.txt": Severity.WARNING}


@pytest.mark.parametrize(
    ("spec", "pinned"),
    [("==1.0", True), ("===1.0", True), ("~=1.4.6", True), ("==1.26.*", True), ("~=1.4", False),
     ("==1.*", False), (">=1,<2", False), ("", False), ("!=1.0", False)],
)  # fmt: skip
def test_pip_pinned(spec: str, pinned: bool) -> None:
    assert pip_pinned(spec) is pinned


@pytest.mark.parametrize(
    ("spec", "pinned"),
    [("=1.26", True), ("=1.26.4", True), ("1.26.*", True), ("==1.26.4", True), ("1.26.4", True),
     ("=1.26=py310_0", True), ("=2", False), ("=2.*", False), (">=1.2", False), ("", False), ("1.*", False)],
)  # fmt: skip
def test_conda_pinned(spec: str, pinned: bool) -> None:
    assert conda_pinned(spec) is pinned


@pytest.mark.parametrize(
    ("line", "result"),
    [
        ("pandas>=2.0", ("pandas", ">=2.0")),
        ("Pillow", ("Pillow", "")),
        ("mkdocstrings[python]>=0.18", ("mkdocstrings", ">=0.18")),
        ("torch @ https://x.org/torch-2.3.0.whl", None),
        ("-e .", None),
        ("./local/pkg", None),
        ("dist/pkg-1.0-py3-none-any.whl", None),
        ("git+https://github.com/x/y", None),
        ("numpy==1.26.4 --hash=sha256:aa", None),
        ("numpy=1.26", None),  # conda syntax: pip refuses the line
        ("setuptools>=70", None),
    ],
)
def test_open_requirement(line: str, result: tuple[str, str] | None) -> None:
    assert open_requirement(line) == result


@pytest.mark.parametrize(
    ("path", "tooling"),
    [
        ("docs/requirements.txt", True),
        ("requirements-docs.txt", True),
        ("requirements_typing.txt", True),
        ("requirements/test.txt", True),
        ("dev-requirements.txt", True),
        (".github/workflows/requirements.txt", True),
        ("requirements.txt", False),
        ("requirements_flax.txt", False),
        ("requirements/train.txt", False),
        ("examples/requirements.txt", False),
    ],
)
def test_is_tooling(path: str, tooling: bool) -> None:
    assert is_tooling(path) is tooling
