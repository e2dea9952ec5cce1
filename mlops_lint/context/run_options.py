"""How this run reads the repository, beyond which rules run: history scope, cache, progress.

Set once by the session (from the command line and the enabled rules) and read by contexts; a
rule never sees a command-line flag directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_lint.context.history_model import HistoryScope, Interest

NOTHING_NOTABLE = Interest(min_bytes=1 << 62, artifact_min_bytes=1 << 62, artifact_suffixes=frozenset(), secrets=False)


@dataclass(frozen=True, slots=True)
class RunOptions:
    history: HistoryScope = field(default_factory=HistoryScope)
    cache: bool = True
    progress: bool = False
    interest: Interest = NOTHING_NOTABLE
