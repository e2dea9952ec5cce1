"""gitignore-style pattern matching (pathspec), used for exclude, per-file-ignores and conventions.

One helper so that every place matches paths with the same semantics as `.gitignore`: a pattern
without a slash matches a name at any depth, a trailing slash matches folders (and what they hold).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pathspec


@lru_cache(maxsize=1024)
def _compiled(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(patterns)


def gitignore_spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return _compiled(tuple(patterns))
