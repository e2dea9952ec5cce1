"""Models in history whose names do not say so, found by their bytes (`context.blob_magic`).

MLG003 reports a past blob by its size, or by a model or data suffix. A `pytorch_model.bin` or a
`model` without a suffix between the model floor (100 KiB) and the size floor (10 MiB) passes both;
its first bytes tell (a pickle, a torch zip archive, GGUF). Reading them means inflating the blob,
so only the few names that hide models are read (`.bin`, `.sav`, `.model`, `.weights`, `.dat`, `.p`
and no suffix), at most `READ_BUDGET` bytes in all, in a fixed order; what is over budget stays unread.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.context.blob_magic import TAIL_BYTES, model_kind

if TYPE_CHECKING:
    from mlops_lint.git_gateway import GitGateway

HIDING_SUFFIXES = frozenset({"", ".bin", ".sav", ".model", ".weights", ".dat", ".p"})
READ_BUDGET = 256 << 20
_BATCH = 32 << 20


def may_hide_a_model(path: str) -> bool:
    """A name under which a pickled or torch-saved model is often committed."""
    name = PurePosixPath(path).name
    suffix = PurePosixPath(name).suffix.lower()
    return suffix in HIDING_SUFFIXES and not name.startswith(".")


def sniff_models(gateway: GitGateway, candidates: Iterable[tuple[str, int, str]]) -> set[str]:
    """The blob ids among (oid, size, path) candidates whose bytes are a model."""
    ordered = sorted(set(candidates), key=lambda c: (c[2], c[0]))
    found: set[str] = set()
    budget = READ_BUDGET
    batch: list[str] = []
    batch_bytes = 0
    for oid, size, _path in ordered:
        if size > budget:
            break
        budget -= size
        batch.append(oid)
        batch_bytes += size
        if batch_bytes >= _BATCH:
            found |= _models_in(gateway, batch)
            batch, batch_bytes = [], 0
    return found | _models_in(gateway, batch)


def _models_in(gateway: GitGateway, oids: list[str]) -> set[str]:
    return {oid for oid, data in gateway.read_blobs(oids).items() if model_kind(data[:4096], data[-TAIL_BYTES:])}
