"""How this run reads the repository, beyond which rules run: history scope, cache, progress.

Set once by the session (from the command line and the enabled rules) and read by contexts; a
rule never sees a command-line flag directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mlops_lint.context.history_model import HistoryScope, Interest

NOTHING_NOTABLE = Interest(min_bytes=1 << 62, artifact_min_bytes=1 << 62, artifact_suffixes=frozenset(), secrets=False)


def combined_interest(interests: Iterable[Interest]) -> Interest:
    """One history scan for every enabled rule that reads history (`RepoRule.history_interest`):
    the lowest size thresholds, every suffix, and secrets when any rule asks for them."""
    combined = NOTHING_NOTABLE
    for interest in interests:
        combined = Interest(
            min_bytes=min(combined.min_bytes, interest.min_bytes),
            artifact_min_bytes=min(combined.artifact_min_bytes, interest.artifact_min_bytes),
            artifact_suffixes=combined.artifact_suffixes | interest.artifact_suffixes,
            secrets=combined.secrets or interest.secrets,
            model_min_bytes=min(combined.model_min_bytes, interest.model_min_bytes),
            model_suffixes=combined.model_suffixes | interest.model_suffixes,
        )
    return combined


@dataclass(frozen=True, slots=True)
class RunOptions:
    history: HistoryScope = field(default_factory=HistoryScope)
    cache: bool = True
    progress: bool = False
    interest: Interest = NOTHING_NOTABLE
