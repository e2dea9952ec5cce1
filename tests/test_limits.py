"""Bounded resources: a time limit per analysed file and a cap on the bytes read per file, both
configurable, both reported as MLX001 on the file while the rest of the run goes on."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.config import ConfigError
from mlops_lint.time_limit import AnalysisTimeout, time_limit
from tests.helpers import compact, git_init, write_files

# A module that takes libcst well over 50 ms to parse and the rules to walk (a few thousand lines).
SLOW = "import numpy as np\nimport pandas as pd\n" + "".join(
    f"def f{i}(df):\n    x = df[df.a == np.nan]\n    return pd.DataFrame(x).values\n" for i in range(1500)
)
OTHER = "import pandas as pd\n\ndf = pd.read_csv('x.csv')\nv = df.values\n"  # MLS009 (.values)


def _repo(tmp_path: Path, config: str) -> Path:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {"slow.py": SLOW, "src/other.py": OTHER, ".mlops-lint.toml": config, "data/big.csv": "a,b\n" * 2000},
    )
    return tmp_path


def _lint(root: Path) -> list[str]:
    report = api.lint([root], api.Overrides(select=("ALL",), history="none", cache=False, jobs=1))
    return [compact(d) for d in report.diagnostics]


def test_a_file_past_the_time_limit_is_reported_and_the_others_are_still_checked(tmp_path: Path) -> None:
    found = _lint(_repo(tmp_path, "analysis-timeout = 0.05\n"))
    assert any(line.startswith("slow.py") and "MLX001" in line and "analysis-timeout" in line for line in found)
    assert any(line.startswith("src/other.py") and "MLS009" in line for line in found)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_with_the_default_limit_the_same_file_is_analysed(tmp_path: Path) -> None:
    found = _lint(_repo(tmp_path, ""))
    assert not any("analysis-timeout" in line for line in found)
    assert any(line.startswith("slow.py") and "MLS002" in line for line in found)  # == np.nan


def test_a_file_over_the_byte_cap_is_reported_not_read(tmp_path: Path) -> None:
    found = _lint(_repo(tmp_path, "max-file-bytes = 4096\n"))
    assert any(line.startswith("slow.py") and "MLX001" in line and "4096 bytes" in line for line in found)
    assert any(line.startswith("src/other.py") and "MLS009" in line for line in found)


def test_the_limits_are_validated(tmp_path: Path) -> None:
    for bad in ("analysis-timeout = 0\n", "max-file-bytes = 10\n", 'analysis-timeout = "1s"\n'):
        with pytest.raises(ConfigError):
            _lint(_repo(tmp_path, bad))


def test_time_limit_interrupts_python_and_restores_the_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(AnalysisTimeout), time_limit(0.02):
        while True:
            time.sleep(0.001)
    assert signal.getsignal(signal.SIGALRM) == before
    with time_limit(5):
        pass  # cancelled on the way out: nothing fires later
    time.sleep(0.01)


def test_time_limit_is_not_caught_by_except_exception() -> None:
    with pytest.raises(AnalysisTimeout), time_limit(0.02):
        try:
            while True:
                time.sleep(0.001)
        except Exception:  # a rule isolating its own failures must not swallow the limit
            pytest.fail("AnalysisTimeout was caught as an Exception")


def test_a_swallowed_interruption_is_repeated_until_it_lands() -> None:
    swallowed = 0
    with pytest.raises(AnalysisTimeout), time_limit(0.02):
        while True:
            try:
                time.sleep(0.001)
            except AnalysisTimeout:  # as a gc callback or a __del__ would: "Exception ignored in ..."
                if swallowed < 2:
                    swallowed += 1
                    continue
                raise
    assert swallowed == 2
