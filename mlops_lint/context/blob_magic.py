"""What a committed file is, by its bytes rather than its name: pickles, PyTorch archives, GGUF models,
and large plain-text corpora.

Models are committed under names that say nothing (`pytorch_model.bin`, `model`, `weights.dat`), and
datasets as `.txt` (nanoGPT's `input.txt`, Penn Treebank's `train.txt`). The suffix rules miss them;
the first kilobytes tell:

- a pickle starts with the PROTO opcode (0x80) and protocol 2 to 5, then a real opcode (protocols 4
  and 5 open a FRAME, 0x95, with its 8-byte length), and ends with STOP (`.`). `joblib.dump` and the
  legacy `torch.save` format are pickles too;
- `torch.save` (PyTorch 1.6+) writes a zip whose entries are `<name>/data.pkl`, `<name>/data/0`, ...
  and the first entry of the archive is the pickle: its local header names `*/data.pkl`;
- GGUF files start with the magic `GGUF`;
- a corpus is UTF-8 text without NUL bytes, of many lines, that is not a word list (a vocabulary or
  a merges file: one token per line) and not one of the text files a project ships (licences,
  changelogs, requirement lists).

Nothing here reads the whole file: `head` is the first `HEAD_BYTES`, `tail` the last few bytes.
"""

from __future__ import annotations

import re
import struct
from pathlib import PurePosixPath

HEAD_BYTES = 64 * 1024  # what sniffing reads of a blob: enough lines to judge a text
TAIL_BYTES = 16

_PICKLE_PROTOCOLS = frozenset(range(2, 6))
# opcodes that can follow PROTO in a real pickle: containers, MARK, GLOBAL, ints, strings, None, memo
_FIRST_OPCODES = frozenset(b"}])(cKJMXUTVNqr\x8a\x8c\x93\x88\x89G")
_FRAME = 0x95
_ZIP_LOCAL = b"PK\x03\x04"


def pickle_like(head: bytes, tail: bytes) -> bool:
    """A pickle of protocol 2-5: PROTO, a plausible first opcode, and STOP as the last byte."""
    if len(head) < 3 or head[0] != 0x80 or head[1] not in _PICKLE_PROTOCOLS or not tail.endswith(b"."):
        return False
    if head[1] >= 4:
        return head[2] == _FRAME or head[2] in _FIRST_OPCODES
    return head[2] in _FIRST_OPCODES


def torch_archive(head: bytes) -> bool:
    """A `torch.save` zip archive: the first entry is `<archive>/data.pkl`."""
    if not head.startswith(_ZIP_LOCAL) or len(head) < 30:
        return False
    (name_length,) = struct.unpack_from("<H", head, 26)
    name = head[30 : 30 + name_length]
    return name == b"data.pkl" or name.endswith(b"/data.pkl")


def gguf(head: bytes) -> bool:
    return head.startswith(b"GGUF")


def model_kind(head: bytes, tail: bytes) -> str | None:
    """'PyTorch checkpoint', 'Pickle' (a model, or data pickled whole) or 'GGUF model' from the bytes, else None."""
    if torch_archive(head):
        return "PyTorch checkpoint"
    if pickle_like(head, tail):
        return "Pickle"
    if gguf(head):
        return "GGUF model"
    return None


# text files a project ships on purpose, whatever their size: by their whole name (`LICENSE.txt`,
# `requirements-dev.txt`) or a word in it (`vocab.txt`, `bpe_merges.txt`, `en_dict.txt`)
_SHIPPED_NAME = re.compile(
    r"(?i)^(?:licen[cs]e|copying|notice|authors|contributors|changelog|changes|readme|requirements|constraints"
    r"|third[_-]?party)(?:[_.-].*)?$"
)
_SHIPPED_WORD = re.compile(
    r"(?i)(?:^|[_.-])(?:vocab|vocabulary|merges|dict|dictionary|words|wordlist|stopwords|tokenizer|spm|bpe)"
    r"(?:$|[_.\d-])"
)
_TEXT_SUFFIXES = frozenset({".txt"})
MAX_LINE_LENGTH = 320  # on average: lines, not one long record (64 KiB of sample holds 200 lines at least)
MIN_LINES = 20


def text_suffix(path: str) -> bool:
    return PurePosixPath(path).suffix.lower() in _TEXT_SUFFIXES


def corpus_like(path: str, head: bytes) -> bool:
    """Large raw text: UTF-8 without NUL, many lines, not a word list, not a shipped text file."""
    stem = PurePosixPath(path).stem
    if _SHIPPED_NAME.match(stem) or _SHIPPED_WORD.search(stem) or b"\0" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # more than a character cut off at the end of the sample
            return False
        text = head[: error.start].decode("utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < max(MIN_LINES, len(head) // MAX_LINE_LENGTH):
        return False
    single_tokens = sum(1 for line in lines if len(line.split()) == 1 and not re.search(r"[,;\t|]", line))
    return single_tokens < 0.8 * len(lines)  # a vocabulary or a label list: one token per line
