from __future__ import annotations

import os

import pytest

from tests.helpers import GIT_ENV


@pytest.fixture(autouse=True, scope="session")
def _git_identity() -> None:
    """Deterministic git commits, whatever the machine's git configuration."""
    os.environ.update(GIT_ENV)


def pytest_configure(config: pytest.Config) -> None:
    """An unclosed file, pipe or subprocess fails the test that leaked it (issue 10: `-X dev` runs
    show no ResourceWarning). Python ignores ResourceWarning by default; this makes it an error
    in every run of the suite, not only in the occasional `python -X dev -W error` one."""
    config.addinivalue_line("filterwarnings", "error::ResourceWarning")
    config.addinivalue_line("filterwarnings", "error::pytest.PytestUnraisableExceptionWarning")
