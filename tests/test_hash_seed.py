"""Output does not depend on the hash seed: the same repository gives byte-identical JSON under
`PYTHONHASHSEED=1` and `=2`.

A baseline written on one run must keep suppressing its findings on the next, so no position or
order may follow set or dict-of-set iteration. MLR002 once did: the draw it reported was the first
one its walk happened to reach, and the walk followed sets of call names. The small repository
below has entry points whose draws sit in several functions of the entry file and behind imports,
where that walk's order decided the line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import git_init, write_files

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
_HELPERS = ["shuffle_rows", "draw_batch", "pick", "noise", "crop", "flip", "dropout_mask", "permute", "subsample"]


def _entry(index: int) -> str:
    """An entry point drawing in four functions, called in the reverse of their source order."""
    names = [f"{name}_{index}" for name in _HELPERS[index : index + 4]]
    text = "import numpy as np\nimport torch\n\nfrom pkg.data import noisy\n\n"
    for name in names:
        text += f"\ndef {name}(x):\n    return x + np.random.rand()\n\n"
    text += "\ndef main(model, optimizer):\n    x = noisy(torch.ones(3))\n"
    text += "".join(f"    x = {name}(x)\n" for name in reversed(names))
    text += (
        '    model(x).sum().backward()\n    optimizer.step()\n\n\nif __name__ == "__main__":\n    main(None, None)\n'
    )
    return text


SEEDS_REPO = {
    "src/pkg/__init__.py": "",
    "src/pkg/data.py": (
        "import random\n\nimport numpy as np\n\n\ndef shuffled(rows):\n    random.shuffle(rows)\n    return rows\n\n\n"
        "def noisy(x):\n    return x + np.random.normal(size=x.shape)\n"
    ),
    **{f"src/pkg/run_{i}.py": _entry(i) for i in range(6)},
    "notebooks/train.ipynb": (
        '{"cells": [{"cell_type": "code", "metadata": {}, "execution_count": null, "outputs": [], "source": '
        '["import torch\\n", "from pkg.data import shuffled\\n"]}, {"cell_type": "code", "metadata": {}, '
        '"execution_count": null, "outputs": [], "source": ["model = torch.nn.Linear(3, 1)\\n", '
        '"rows = shuffled(list(range(10)))\\n", "model(torch.rand(2, 3)).sum().backward()\\n", '
        '"optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\\n", "optimizer.step()\\n"]}], '
        '"metadata": {}, "nbformat": 4, "nbformat_minor": 4}'
    ),
}


def _check(repo: Path, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(PROJECT), os.environ.get("PYTHONPATH"))))
    command = [sys.executable, "-m", "mlops_lint.cli", "check", "--output-format", "json", "--no-cache", str(repo)]
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, check=False)
    assert done.returncode in (0, 1), done.stderr.decode(errors="replace")
    return done.stdout


def _scenario(tmp_path: Path) -> Path:
    repo = tmp_path / "scenario"
    shutil.copytree(FIXTURES / "scenario", repo)
    git_init(repo)
    return repo


def _seeds_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "seeds"
    git_init(repo)
    write_files(repo, SEEDS_REPO)
    return repo


@pytest.mark.parametrize("build", [_scenario, _seeds_repo], ids=["scenario", "several-draws"])
def test_json_is_the_same_under_two_hash_seeds(tmp_path: Path, build) -> None:  # type: ignore[no-untyped-def]
    repo = build(tmp_path)
    first, second = _check(repo, "1"), _check(repo, "2")
    assert first == second
    if build is _seeds_repo:
        assert first.count(b'"MLR002"') == 7  # six scripts and the notebook, each reported once
