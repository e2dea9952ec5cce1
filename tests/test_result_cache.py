"""The per-file result cache: the same findings with and without it, and no parsing when nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.context import repo as repo_module
from tests.helpers import commit_all, compact, git_init, make_notebook, write_files

FILES = {
    "src/train.py": (
        "import numpy as np\nimport pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "df = pd.read_csv('d.csv')\nbad = df[df.x == np.nan]\nv = df.values\n"
        "a, b = train_test_split(df)\n"
    ),
    "src/broken.py": "def f(:\n",
    "src/keys.py": 'WANDB_API_KEY = "0123456789abcdef0123456789abcdef01234567"\n',  # MLG004, from the cache too
    "src/seeds.py": (
        "import random\n\ndef main(model):\n    random.shuffle([1, 2])\n    model.fit([1, 2])\n\n"
        "if __name__ == '__main__':\n    main(None)\n"
    ),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_init(tmp_path)
    write_files(tmp_path, FILES)
    (tmp_path / "nb.ipynb").write_text(
        make_notebook(
            ["import pandas as pd\nx = pd.DataFrame().values\n", "import torch\nm = torch.nn.Linear(2, 1)\nm.fit(x)\n"]
        )
    )
    commit_all(tmp_path, "code")
    return tmp_path


def _findings(root: Path, **overrides: object) -> list[str]:
    report = api.lint([root], api.Overrides(select=("ALL",), history="none", **overrides))  # type: ignore[arg-type]
    return [compact(d) for d in report.diagnostics]


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []
    real = repo_module.parse_cst

    def counting(text: str, syntax: object) -> object:
        parsed.append(text[:20])
        return real(text, syntax)  # type: ignore[arg-type]

    monkeypatch.setattr(repo_module, "parse_cst", counting)
    return parsed


def test_cached_findings_equal_fresh_ones_and_nothing_is_parsed_again(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = _findings(repo, cache=False)
    assert any("MLS002" in line for line in fresh) and any("MLX001" in line for line in fresh)
    assert sum("MLR002" in line for line in fresh) == 2  # a cross-file rule fed by module (and notebook) facts
    assert any("MLG004" in line for line in fresh)  # the secret scan, cached per file too
    assert _findings(repo) == fresh  # cold: fills the cache
    parsed = _count_parses(monkeypatch)
    monkeypatch.setattr(repo_module, "parse_ast", lambda text: pytest.fail("parsed a module on a warm run"))
    monkeypatch.setattr(repo_module, "scan_text", lambda text, path: pytest.fail("scanned a file on a warm run"))
    assert _findings(repo) == fresh
    assert parsed == []


def test_an_edited_file_is_analysed_again_and_only_it(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _findings(repo)
    parsed = _count_parses(monkeypatch)
    (repo / "src/train.py").write_text(FILES["src/train.py"].replace("v = df.values\n", ""))
    after = _findings(repo)
    assert len(parsed) == 1
    assert not any("MLS009" in line and "train.py" in line for line in after)
    assert after == _findings(repo, cache=False)


def test_a_changed_rule_option_is_a_miss(repo: Path) -> None:
    _findings(repo)
    write_files(repo, {".mlops-lint.toml": "[rules.MLR001]\nboosting_libraries = true\n"})
    with_option = _findings(repo)
    assert with_option == _findings(repo, cache=False)
    assert len(list((repo / ".mlops_lint_cache").glob("files-*.json"))) == 2  # one entry per rule set


def test_one_process_and_a_pool_give_the_same_report(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlops_lint import parallel

    write_files(repo, {f"src/m{i}.py": FILES["src/train.py"] for i in range(6)})
    monkeypatch.setattr(parallel, "MIN_FILES", 2)
    one = _findings(repo, cache=False, jobs=1)
    pooled = api.lint([repo], api.Overrides(select=("ALL",), history="none", cache=False, jobs=2))
    assert [compact(d) for d in pooled.diagnostics] == one
    assert _findings(repo, jobs=2) == one  # the pool's rows fill the cache
    assert _findings(repo, jobs=2) == one  # and are served from it


def test_the_jobs_option_reaches_the_engine(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from mlops_lint import engine
    from mlops_lint.cli import main

    seen: list[int] = []
    real = engine.run

    def recording(repo_: object, targets: object, rules: object, jobs: int = 1, memo: object = None) -> object:
        seen.append(jobs)
        return real(repo_, targets, rules, jobs, memo)  # type: ignore[arg-type]

    monkeypatch.setattr("mlops_lint.run_rules.run", recording)
    for command in (["check", "--exit-zero"], ["fix", "--diff"]):
        CliRunner().invoke(main, [*command, "--no-history", "--jobs", "3", str(repo)])
    assert seen and set(seen) == {3}  # fix may lint more than once (its rounds)
