"""Is a matched value a secret or a stand-in for one: entropy, placeholders, gitleaks' global allowlist.

Shared by every pattern of the scanner (`context.secrets`), provider formats and context rules alike.
"""

from __future__ import annotations

import math
import re
from collections import Counter

# gitleaks' global allowlist, the secrets part: values that are never secrets
GLOBAL_ALLOWED_VALUES = re.compile(
    r"(?i:^true|false|null$)"
    r"|^(?i:a+|b+|c+|d+|e+|f+|g+|h+|i+|j+|k+|l+|m+|n+|o+|p+|q+|r+|s+|t+|u+|v+|w+|x+|y+|z+|\*+|\.+)$"
    r"|^\$(?:\d+|\{\d+\})$|^\$(?:[A-Z_]+|[a-z_]+)$|^\$\{(?:[A-Z_]+|[a-z_]+)\}$"
    r"|^\{\{[ \t]*[\w ().|]+[ \t]*\}\}$|^%(?:[A-Z_]+|[a-z_]+)%$|^@(?:[A-Z_]+|[a-z_]+)@$"
)
GLOBAL_STOPWORDS = ("014df517-39d1-4453-b7b3-9930c563627c", "abcdefghijklmnopqrstuvwxyz")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


_PLACEHOLDER_WORDS = (
    "xxxx",
    "changeme",
    "change_me",
    "change-me",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "your ",
    "todo",
    "example",
    "placeholder",
    "replace",
    "insert",
    "dummy",
    "redacted",
    "<",
    "${",
    "{{",
    "os.environ",
    "getenv",
    "...",
    "***",
    "000000",
)


def is_placeholder(value: str) -> bool:
    """`<your-key>`, `xxxx...`, `changeme`, `${VAR}`, `$VAR`, `your_api_key_here`, `...`, `aaaa`, `TODO`."""
    stripped = value.strip().strip("'\"")
    if not stripped or stripped.startswith("$") or stripped.startswith("%"):
        return True
    lowered = stripped.lower()
    if any(word in lowered for word in _PLACEHOLDER_WORDS):
        return True
    body = re.sub(r"^(hf_|api_org_|sk-(proj-)?|gh[pousr]_|github_pat_)", "", stripped)
    return len(set(body)) <= 2


def mixed_case(value: str) -> bool:
    return any(c.islower() for c in value) and any(c.isupper() for c in value)


def globally_allowed(value: str) -> bool:
    lowered = value.lower()
    return GLOBAL_ALLOWED_VALUES.search(value) is not None or any(word in lowered for word in GLOBAL_STOPWORDS)
