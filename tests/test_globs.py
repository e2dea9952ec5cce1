"""`gitignore_spec` answers exactly as pathspec's GitIgnoreSpec, through one regular expression
when no pattern is negated (the default excludes are tested on every file of a run)."""

from __future__ import annotations

import itertools

import pathspec
import pytest

from mlops_lint.config import DEFAULT_EXCLUDE
from mlops_lint.globs import gitignore_spec

NAMES = ["a", "src", "data", "venv", ".venv", "node_modules", "x.py", "setup.py", "t.csv", "{{cookiecutter.n}}",
         ".dvc", "cache", "docs", "examples", "README.md", "site-packages", ".git"]  # fmt: skip
PATHS = ["/".join(parts) for n in (1, 2, 3) for parts in itertools.product(NAMES, repeat=n)]
PATHS += ["./src/x.py", "/data/t.csv", "a//b"]


@pytest.mark.parametrize(
    "patterns",
    [
        DEFAULT_EXCLUDE,
        ("*.ipynb", "data/", "*.csv", "docs/**/*.md"),
        ("/src/", "a/*.py", "**/examples/**"),
        ("*.py", "!setup.py"),  # a negation: pathspec decides
        ("# a comment", ""),
        (),
    ],
)
def test_the_same_answers_as_pathspec(patterns: tuple[str, ...]) -> None:
    ours, theirs = gitignore_spec(patterns), pathspec.GitIgnoreSpec.from_lines(patterns)
    assert [p for p in PATHS if ours.match_file(p)] == [p for p in PATHS if theirs.match_file(p)]
    assert bool(ours) == bool(theirs)
    assert any(theirs.match_file(p) for p in PATHS) == bool([p for p in patterns if p and not p.startswith("#")])
