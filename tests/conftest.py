from __future__ import annotations

import os

import pytest

from tests.helpers import GIT_ENV


@pytest.fixture(autouse=True, scope="session")
def _git_identity() -> None:
    """Deterministic git commits, whatever the machine's git configuration."""
    os.environ.update(GIT_ENV)
