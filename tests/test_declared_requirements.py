"""The project's declared requirements, read statically (MLS019's torch >= 2.6 test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.context.declared_requirements import declaration_files, read_declared
from tests.helpers import compact, git_init, write_files


def _read(files: dict[str, str]):
    return read_declared(files, files.get)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"pyproject.toml": '[project]\ndependencies = ["torch==2.9.1"]\n'}, True),
        ({"pyproject.toml": '[project]\ndependencies = ["torch>=2.6,<3"]\n'}, True),
        ({"pyproject.toml": '[project]\ndependencies = ["torch~=2.7"]\n'}, True),
        ({"pyproject.toml": '[project]\ndependencies = ["torch==2.7.*"]\n'}, True),
        ({"pyproject.toml": '[project]\ndependencies = ["torch>2.5"]\n'}, False),
        ({"pyproject.toml": '[project]\ndependencies = ["torch<3"]\n'}, False),
        ({"pyproject.toml": '[dependency-groups]\ngpu = ["torch>=2.6", {include-group = "x"}]\n'}, True),
        ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.6"\n'}, True),
        ({"pyproject.toml": '[tool.poetry.dependencies]\ntorch = {version = "2.7.0", source = "pt"}\n'}, True),
        ({"pyproject.toml": '[tool.poetry.dependencies]\ntorch = "^1.13 || ^2.6"\n'}, False),
        ({"pyproject.toml": "[project\n"}, False),  # unreadable: nothing is guaranteed
        ({"setup.py": 'setup(install_requires=["torch>=2.6.0", "numpy"])\n'}, True),
        ({"setup.py": '_deps = ["torch>=2.6", "Programming Language :: Python"]\n'}, True),
        ({"setup.py": "def broken(:\n"}, False),
        ({"setup.cfg": "[options]\ninstall_requires =\n    torch>=2.6\n    numpy\n"}, True),
        ({"setup.cfg": "[options.extras_require]\ngpu = torch>=2.0\n"}, False),
        ({"requirements.txt": "# env\n-r base.txt\ntorch>=2.8  # cuda\n"}, True),
        ({"requirements/gpu.txt": "torch==2.6.0\n"}, True),
        ({"requirements.txt": "torch>=2.6\n", "setup.py": 'setup(install_requires=["torch>=1.8"])\n'}, False),
        ({"examples/a/requirements.txt": "torch>=2.6\n"}, False),  # another environment: not read
        ({"requirements.txt": "numpy\n"}, False),  # torch not declared
    ],
)
def test_guarantees_torch_2_6(files: dict[str, str], expected: bool) -> None:
    assert _read(files).guarantees_at_least("torch", "2.6") is expected


def test_declaration_files_are_the_roots_packaging_files_sorted() -> None:
    files = ["src/setup.py", "setup.py", "requirements-dev.txt", "requirements/base.txt", "pyproject.toml", "a.txt"]
    assert declaration_files(files) == ["pyproject.toml", "requirements-dev.txt", "requirements/base.txt", "setup.py"]


def test_cached_results_follow_the_packaging_files(tmp_path: Path) -> None:
    """MLS019 reads the declared torch range: a cached result must not outlive a change of it."""
    git_init(tmp_path)
    write_files(
        tmp_path, {"load.py": 'import torch\n\nstate = torch.load("w.pt")\n', "requirements.txt": "torch>=2.6\n"}
    )

    def findings() -> list[str]:
        report = api.lint([tmp_path], api.Overrides(select=("MLS019",), history="none"))
        return [compact(d) for d in report.diagnostics]

    assert findings() == []
    (tmp_path / "requirements.txt").write_text("torch>=2.0\n")
    assert [line.split(" torch")[0] for line in findings()] == ["load.py:3:9: MLS019"]
    (tmp_path / "requirements.txt").write_text("torch==2.7.1\n")
    assert findings() == []
