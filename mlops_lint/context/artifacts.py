"""What counts as a model or a data artifact, by file suffix (shared by the naming, data and history rules)."""

from __future__ import annotations

from pathlib import PurePosixPath

MODEL_SUFFIXES = frozenset(
    {
        ".pt",
        ".pth",
        ".ckpt",
        ".h5",
        ".hdf5",
        ".keras",
        ".onnx",
        ".pb",
        ".tflite",
        ".pkl",
        ".pickle",
        ".joblib",
        ".safetensors",
        ".gguf",
        ".ggml",
        ".mlmodel",
        ".params",
        ".caffemodel",
        ".msgpack",
    }
)
DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".parquet",
        ".feather",
        ".arrow",
        ".orc",
        ".avro",
        ".jsonl",
        ".ndjson",
        ".npy",
        ".npz",
        ".h5ad",
        ".tfrecord",
        ".tfrecords",
        ".mat",
        ".sav",
        ".xlsx",
        ".xls",
        ".zip",
        ".tar",
        ".gz",
        ".tgz",
        ".7z",
        ".sqlite",
        ".db",
    }
)
ARTIFACT_SUFFIXES = MODEL_SUFFIXES | DATA_SUFFIXES


def split_name(name: str) -> tuple[str, str]:
    """`model.tar.gz` -> (`model`, `.tar.gz`): the stem before the first artifact-looking suffix chain."""
    pure = PurePosixPath(name)
    suffixes = pure.suffixes
    stem = pure.name
    tail = ""
    while suffixes and len(suffixes[-1]) <= 12 and suffixes[-1][1:].isalnum():
        last = suffixes.pop()
        if not stem.endswith(last) or stem == last:
            break
        stem = stem[: -len(last)]
        tail = last + tail
    return stem, tail


def size_text(n: int) -> str:
    """A byte count as people read it: `1.5 MiB`, `312 bytes`."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def extended_suffixes(base: frozenset[str], extra: object) -> frozenset[str]:
    """`base` plus the suffixes a rule's option adds (`["onnx", ".ckpt"]`), lower-cased, with their dot."""
    more = {str(s).lower() if str(s).startswith(".") else f".{str(s).lower()}" for s in extra or ()}  # type: ignore[attr-defined]
    return base | frozenset(more)
