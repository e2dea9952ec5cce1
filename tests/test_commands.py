"""Which programs a pipeline command runs (dvc.yaml `cmd`, MLproject `command`)."""

from __future__ import annotations

import pytest

from mlops_lint.context.commands import module_to_paths, scripts_in_command


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("python src/train.py --epochs 3", [("file", "src/train.py")]),
        ("python3 -u src/train.py", [("file", "src/train.py")]),
        ("python -m churn.train --cfg x", [("module", "churn.train")]),
        (
            "PYTHONPATH=. python -W ignore src/a.py && bash scripts/b.sh",
            [("file", "src/a.py"), ("file", "scripts/b.sh")],
        ),
        ("./run.sh data", [("file", "./run.sh")]),
        ("python -c 'print(1)'", []),
        ("make report", []),
        ("python 'unterminated", [("file", "'unterminated")]),
    ],
)
def test_scripts_in_command(command: str, expected: list[tuple[str, str]]) -> None:
    assert scripts_in_command(command) == expected


def test_module_to_paths() -> None:
    assert module_to_paths("pkg.train", ("", "src/")) == [
        "pkg/train.py",
        "pkg/train/__main__.py",
        "pkg/train/__init__.py",
        "src/pkg/train.py",
        "src/pkg/train/__main__.py",
        "src/pkg/train/__init__.py",
    ]
