"""The one secret scanner: token formats that are unmistakable (gitleaks' provider rules, in
`context.secret_formats`), keys recognised by their context, and (low confidence) generic credential
assignments of high-entropy literals.

Used on the files at HEAD (MLG004) and on historical blobs (MLG005). `might_contain_secret` is the
cheap prefilter on raw bytes (one compiled regex of literal keywords, no false negatives: every
pattern below needs one of its keywords); `scan_text` does the real work on text.

Precision first. A W&B key is 40 hex characters, exactly like a git commit id, so it is found only
by context (`wandb.login(key=...)`, `WANDB_API_KEY=...`, `machine api.wandb.ai` in a netrc); there
is no rule for bare hex strings at all, so digests in `dvc.lock`, `.dvc` files and LFS pointers
never match. Placeholders (`<your-key>`, `xxxx`, `${VAR}`, `changeme`, `...`) are not secrets.
Quotes may be JSON-escaped (`\\"`): notebooks are scanned as raw JSON, outputs included.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context.secret_formats import ALLOW_SIGNATURE, FORMATS, PRIVATE_KEY, PRIVATE_KEY_VALUE, allowed_path
from mlops_lint.context.secret_values import entropy, globally_allowed, is_placeholder, mixed_case
from mlops_lint.fixes import line_starts

HIGH = "high"
LOW = "low"


@dataclass(frozen=True, slots=True)
class SecretHit:
    line: int  # 1-based
    column: int  # 1-based, start of the secret value
    end_column: int  # exclusive
    kind: str  # human label: "Hugging Face token", "AWS access key id", "W&B API key", ...
    confidence: str  # "high" (format is unmistakable / context-proven) or "low" (generic high-entropy assignment)


# Keywords, lower case, matched against the lower-cased bytes: a case-insensitive regex alternation is
# about ten times slower than lower() plus a case-sensitive one, and this runs on every file.
_KEYWORDS = re.compile(
    "|".join(sorted({re.escape(k) for fmt in FORMATS for k in fmt.keywords})).encode()
    + rb"|-----begin|wandb|\"key|kaggle|api[_-]?key|token|secret|passw|access[_-]?key|machine"
)


def might_contain_secret(data: bytes) -> bool:
    """Whether `scan_text` can find anything in `data` (a keyword test; never a false negative)."""
    return _KEYWORDS.search(data.lower()) is not None


_Q = r"\\?[\"'`]"  # an opening or closing quote or backtick, possibly JSON-escaped
_VALUE_END = r"(?![A-Za-z0-9_\-])"

# not a gitleaks rule (gitleaks leaves it to generic-api-key): a 40-character key next to its name
_AWS_SECRET = re.compile(
    r"aws_?secret_?access_?key[\\\"'\]]*\s*(?:[:=]|\s)\s*" + _Q + r"?(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    re.IGNORECASE,
)
_WANDB_LOGIN = re.compile(r"wandb\.(?:re)?login\([^)]*?\bkey\s*=\s*" + _Q + r"(?P<v>[^\"'\\\s]+)" + _Q)
_WANDB_ENV = re.compile(
    r"WANDB_API_KEY\\?[\"']?\]?\s*(?:[:=,]|\s)\s*(?:" + _Q + r")?(?P<v>[A-Za-z0-9_\-]{32,})" + _VALUE_END
)
_NETRC_WANDB = re.compile(r"machine\s+api\.wandb\.ai\b(?P<rest>(?:(?!machine\s)[\s\S]){0,400})")
_NETRC_PASSWORD = re.compile(r"\bpassword\s+(?P<v>[^\s\"'\\]+)")
_KAGGLE_INLINE = re.compile(
    r"\\?\"username\\?\"\s*:\s*\\?\"[^\"\\]*\\?\"\s*,\s*\\?\"key\\?\"\s*:\s*\\?\"(?P<v>[0-9a-f]{32})\\?\""
)
_KAGGLE_KEY = re.compile(r"\"key\"\s*:\s*\"(?P<v>[^\"]+)\"")
_KAGGLE_ENV = re.compile(r"KAGGLE_KEY\\?[\"']?\]?\s*(?:[:=,]|\s)\s*(?:" + _Q + r")?(?P<v>[0-9a-f]{32})" + _VALUE_END)
_GENERIC = re.compile(  # starts at the keyword (a leading name pattern backtracks on long base64 runs)
    r"(?P<kw>api[_-]?key|apikey|secret[_-]?key|secret|token|password|passwd|access[_-]?key)"
    r"\\?[\"']?\]?\s*(?::\s*[A-Za-z_][\w\[\]., ]{0,40}\s*)?(?::{1,3}=|\?=|=>|=(?!=)|:(?!:))\s*"
    + _Q
    + r"(?P<v>[A-Za-z0-9_\-+/=.@#%*!~^&:]{16,200})"
    + _Q,
    re.IGNORECASE,
)
# saved web pages and bundles are full of per-session tokens (CSRF, nonces): only exact formats there
_WEB_SUFFIXES = frozenset({".html", ".htm", ".js", ".mjs", ".css", ".svg", ".map"})
_SESSION_TOKEN = re.compile(r"csrf|xsrf|forgery|nonce", re.IGNORECASE)
_NAME_TAIL = re.compile(r"[A-Za-z0-9_.\-]{0,60}\Z")  # \Z: `$` would also match before a line break
_ENV_LINE = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*"
    r"(?P<q>[\"']?)(?P<v>[^\s\"'#]+)(?P=q)[ \t\r]*(?:#[^\n]*)?$",
    re.MULTILINE,
)
# Makefile assignments (`=`, `:=`, `::=`, `?=`, `+=`) take unquoted values
_MAKE_LINE = re.compile(
    r"^[ \t]*(?:(?:export|override)[ \t]+)?(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::{1,3}=|[?+]?=)[ \t]*"
    r"(?P<v>[^\s\"'#$]+)[ \t\r]*(?:#[^\n]*)?$",
    re.MULTILINE,
)
_MAKEFILES = frozenset({"Makefile", "makefile", "GNUmakefile"})
_CREDENTIAL_NAME = re.compile(r"(?:API_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|ACCESS_?KEY)$", re.IGNORECASE)


def _looks_like_wandb_key(value: str) -> bool:
    if re.fullmatch(r"[0-9a-f]{40}", value):
        return True
    if re.fullmatch(r"[a-z0-9]+-[0-9a-f]{40}", value):  # local / on-prem keys: <prefix>-<40 hex>
        return True
    # newer keys are longer; demand a random-looking mix of letters and digits
    return len(value) >= 60 and entropy(value) >= 4.0 and bool(re.search(r"\d", value) and re.search(r"[a-z]", value))


def _generic_ok(value: str) -> bool:
    if is_placeholder(value) or entropy(value) < 3.5:
        return False
    if "://" in value or value.startswith(("/", ".", "~")) or re.search(r"\.[a-z]{2,4}$", value):
        return False  # URLs, paths, file names
    if re.fullmatch(r"[0-9a-f]{32,}", value) or re.fullmatch(r"[A-Za-z_][A-Za-z_.]*", value):
        return False  # digests (commit ids, md5/sha) and identifiers / dotted names
    return bool(re.search(r"[0-9]", value) or mixed_case(value))


@dataclass(frozen=True, slots=True)
class _Raw:
    start: int
    end: int
    kind: str
    confidence: str


def _at(pattern: re.Pattern[str], text: str, haystack: str, literals: tuple[str, ...]) -> Iterator[re.Match[str]]:
    """Matches of `pattern` that start where one of `literals` occurs in `haystack` (the text, or its
    lower-cased copy). `str.find` is fast where `finditer` would try the pattern at every position."""
    for literal in literals:
        position = haystack.find(literal)
        while position != -1:
            match = pattern.match(text, position)
            if match is not None:
                yield match
            position = haystack.find(literal, position + 1)


# Hugging Face's staging Hub for CI: a file that talks to it holds its public test tokens, valid nowhere else
_HF_CI_HUB = "hub-ci.huggingface.co"


def _provider_hits(text: str, low: str) -> Iterator[_Raw]:
    """gitleaks' provider rules: keyword prefilter, regex, entropy floor, rule and global allowlists."""
    ci_hub = _HF_CI_HUB in low
    for fmt in FORMATS:
        if not any(keyword in low for keyword in fmt.keywords):
            continue
        if ci_hub and fmt.kind == "Hugging Face token":
            continue  # the sandboxed CI Hub's test tokens (transformers, diffusers, huggingface_hub tests)
        for match in _at(fmt.pattern, text, low if fmt.anchors_lower else text, fmt.anchors):
            value = match.group("s")
            if entropy(value) <= fmt.entropy or (fmt.allow is not None and fmt.allow.search(value)):
                continue
            if globally_allowed(value) or is_placeholder(value):
                continue
            if fmt.kind == "Hugging Face token" and not mixed_case(value.split("_")[-1]):
                continue
            yield _Raw(match.start("s"), match.end("s"), fmt.kind, HIGH)
    if "-----begin" in low:
        for match in _at(PRIVATE_KEY, text, low, ("-----begin",)):
            value = PRIVATE_KEY_VALUE.search(match.group("body"))
            if value is not None:
                offset = match.start("body")
                yield _Raw(offset + value.start(), offset + value.end(), "private key", HIGH)


def _candidates(text: str, path: str) -> Iterator[_Raw]:
    if allowed_path(path):
        return
    low = text.lower()

    def every(
        pattern: re.Pattern[str],
        literals: tuple[str, ...],
        kind: str,
        group: str | int = 0,
        keep: Callable[[str], bool] | None = None,
        haystack: str = text,
    ) -> Iterator[_Raw]:
        for match in _at(pattern, text, haystack, literals):
            value = match.group(group)
            if not is_placeholder(value) and (keep is None or keep(value)):
                yield _Raw(match.start(group), match.end(group), kind, HIGH)

    yield from _provider_hits(text, low)
    aws_secret = ("aws",)
    yield from every(_AWS_SECRET, aws_secret, "AWS secret access key", "v", lambda v: entropy(v) >= 4.0, low)
    yield from every(_WANDB_LOGIN, ("wandb.",), "W&B API key", "v", keep=_looks_like_wandb_key)
    yield from every(_WANDB_ENV, ("WANDB_API_KEY",), "W&B API key", "v", keep=_looks_like_wandb_key)
    for block in _at(_NETRC_WANDB, text, text, ("machine",)):
        password = _NETRC_PASSWORD.search(block.group("rest"))
        if password and not is_placeholder(password.group("v")) and len(password.group("v")) >= 16:
            offset = block.start("rest")
            yield _Raw(offset + password.start("v"), offset + password.end("v"), "W&B API key", HIGH)
    if "username" in text:
        yield from every(_KAGGLE_INLINE, ('"username', '\\"username'), "Kaggle API key", "v")
    yield from every(_KAGGLE_ENV, ("KAGGLE_KEY",), "Kaggle API key", "v")
    name = PurePosixPath(path).name
    if name == "kaggle.json":
        yield from every(_KAGGLE_KEY, ('"key"',), "Kaggle API key", "v", keep=lambda v: len(v) >= 16)
    ci_hub = _HF_CI_HUB in low
    for raw in _generic_hits(text, low, name):
        if not (ci_hub and text.startswith(("hf_", "api_org_"), raw.start)):
            yield raw


def _generic_hits(text: str, low: str, name: str) -> Iterator[_Raw]:
    """Low confidence: a quoted high-entropy literal assigned to a credential name (`=`, `:`, `:=`,
    `?=`, `=>`); in dotenv files and Makefiles also unquoted values of `NAME=value` lines."""
    generic = (
        () if PurePosixPath(name).suffix.lower() in _WEB_SUFFIXES else ("api", "secret", "token", "passw", "access")
    )
    for match in _at(_GENERIC, text, low, generic):
        value = match.group("v")
        if _generic_ok(value):
            head = _NAME_TAIL.search(text, max(0, match.start() - 60), match.start())
            prefix = head.group(0) if head else ""
            if head and head.start() > 0 and text[head.start() - 1] == "\\":
                prefix = prefix[1:]  # `\napi_key` in JSON: the `n` belongs to the escape
            label = prefix + match.group("kw")
            if not _SESSION_TOKEN.search(label):
                yield _Raw(match.start("v"), match.end("v"), f"{label} value", LOW)
    lines = None
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        lines = _ENV_LINE
    elif name in _MAKEFILES or name.endswith(".mk"):
        lines = _MAKE_LINE
    for match in lines.finditer(text) if lines is not None else ():
        value = match.group("v")
        if _CREDENTIAL_NAME.search(match.group("name")) and len(value) >= 16 and _generic_ok(value):
            yield _Raw(match.start("v"), match.end("v"), f"{match.group('name')} value", LOW)


def scan_text(text: str, path: str = "") -> list[SecretHit]:
    """Secrets in `text`, in order; overlapping candidates keep the high-confidence one. A line that
    carries `gitleaks:allow` is not reported (gitleaks' inline allow comment)."""
    raws = sorted(_candidates(text, path), key=lambda r: (r.confidence != HIGH, r.start))
    taken: list[_Raw] = []
    for raw in raws:
        if all(raw.end <= t.start or raw.start >= t.end for t in taken):
            taken.append(raw)
    starts = line_starts(text)
    hits = []
    for raw in sorted(taken, key=lambda r: r.start):
        line = bisect.bisect_right(starts, raw.start)
        column = raw.start - starts[line - 1] + 1
        if ALLOW_SIGNATURE in text[starts[line - 1] : starts[line] if line < len(starts) else len(text)]:
            continue
        hits.append(SecretHit(line, column, column + (raw.end - raw.start), raw.kind, raw.confidence))
    return hits


_NOT_A_SECRET_VALUE = re.compile(r"(?i)(?:true|false|yes|no|on|off|none|null|\d+(?:\.\d+)?)")


def env_credentials(text: str) -> list[tuple[int, str]]:
    """(line, name) of `NAME=value` lines of a dotenv file whose name says credential (`*_API_KEY`,
    `*_TOKEN`, `*_SECRET`, `*_PASSWORD`) and whose value is set: not empty, not a placeholder, not a
    number or boolean. No entropy demand: a tracked `.env` with `DB_PASSWORD=postgres` holds one."""
    starts = line_starts(text)
    found = []
    for match in _ENV_LINE.finditer(text):
        name, value = match.group("name"), match.group("v")
        if _CREDENTIAL_NAME.search(name) and not is_placeholder(value) and not _NOT_A_SECRET_VALUE.fullmatch(value):
            found.append((bisect.bisect_right(starts, match.start("name")), name))
    return found
