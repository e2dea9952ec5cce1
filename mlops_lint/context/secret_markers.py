"""What the history scan looks for before it scans: the literal markers of every confident secret.

The history rules read past blobs by the thousand; most hold no secret. `CONFIDENT_MARKERS` lists a
literal that every high-confidence pattern of `secrets.py` (and `secret_formats.py`) must contain,
so a blob without any of them is never decoded or run through the regexes: `git grep -F` finds the
candidates in C during a full scan, `confident_prefilter` does the same in Python otherwise. A new
confident pattern must add its marker here, or history will not see it.
"""

from __future__ import annotations

import hashlib
import re

from mlops_lint.context.secrets import scan_text
from mlops_lint.fixes import line_starts

CONFIDENT_MARKERS = (
    "hf_", "api_org_", "A3T", "AKIA", "ASIA", "ABIA", "ACCA",
    "aws_secret", "AWS_SECRET", "awsSecret", "AwsSecret", "AWSSecret", "aws_Secret", "Aws_Secret",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "T3BlbkFJ",
    "sk-ant-", "PRIVATE KEY", "-----begin", "WANDB_API_KEY", "wandb.login", "wandb.relogin",
    "api.wandb.ai", '"username"', 'username\\"', "KAGGLE_KEY", "pplx-", "ABSK", "cohere", "Cohere", "COHERE",
    "CO_API_KEY", "co_api_key",
)  # fmt: skip
_CONFIDENT_MARKERS = re.compile("|".join(re.escape(marker) for marker in CONFIDENT_MARKERS).encode("ascii"))
# Base64 payloads of notebook outputs: megabytes of random letters that hold no key but would make the
# regex above slow and match "AKIA" by chance. Found by their literal prefix, so skipping them is cheap.
_NOTEBOOK_IMAGES = re.compile(rb'"image/[a-z+.-]+": *(?:"[^"]*"|\[[^\]]*\])')


def confident_prefilter(data: bytes) -> bool:
    """Cheap test for `confident_secrets`: one literal-alternation search (never a false negative)."""
    if b'"image/' in data:
        data = _NOTEBOOK_IMAGES.sub(b'""', data)
    return _CONFIDENT_MARKERS.search(data) is not None


def confident_secrets(text: str, path: str) -> list[tuple[int, int, int, str]]:
    """The secret scanner of MLG004, high-confidence hits only: history is no place for guesses."""
    return [
        (hit.line, hit.column, hit.end_column, hit.kind) for hit in scan_text(text, path) if hit.confidence == "high"
    ]


def value_hash(value: str) -> str:
    """What identifies a secret's value in findings and the cache, without keeping the value."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def fingerprints(data: bytes, path: str) -> set[str]:
    """Fingerprints of the confident secrets in one blob (to tell a secret still at HEAD)."""
    text = data.decode("utf-8", errors="replace")
    return {value_hash(line_text(text, line)[col - 1 : end - 1]) for line, col, end, _ in confident_secrets(text, path)}


def line_text(text: str, line: int) -> str:
    """Line `line` (1-based) as the scanner counts lines (`fixes.line_starts`), without its line end."""
    starts = line_starts(text)
    if not 0 < line <= len(starts):
        return ""
    end = starts[line] if line < len(starts) else len(text)
    return text[starts[line - 1] : end].rstrip("\r\n")
