"""Token formats of the providers, as gitleaks defines them (`config/gitleaks.toml`, generated from
`cmd/generate/config/rules/*.go`): the same regex, the same keywords, the same entropy floor and the
same allowlists, so that what we call a Hugging Face or an OpenAI key is what gitleaks calls one.

Where we differ, on purpose and written down here and in MLG004's docs:
- gitleaks' closing context `(?:[\\x60'"\\s;]|\\\\[nr]|$)` also accepts a JSON-escaped quote (`\\"`):
  notebooks are scanned as raw JSON, where gitleaks would see the decoded string.
- Hugging Face tokens: `hf_` + 34 letters *or digits* (gitleaks: letters only). Real tokens carry
  digits (transformers' CI token in `testing_utils.py`; TruffleHog's detector accepts them); the
  34 characters must mix upper and lower case, which keeps identifiers out.
- GitHub tokens must not continue into more letters or digits (gitleaks has no boundaries).

gitleaks' `\\b` is kept; its `Entropy` is "reported only when the Shannon entropy of the secret (the
first capture group) is above this". Every pattern captures the secret as group `s`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

# gitleaks' end of a token: a quote, a backtick, whitespace, `;`, an escaped line break, the end
# (plus `\"`, a JSON-escaped quote; see above)
END = r"(?=[`'\"\s;]|\\[nr\"]|$)"


@dataclass(frozen=True, slots=True)
class TokenFormat:
    """One gitleaks provider rule."""

    rule_id: str  # gitleaks' id, for the docs and tests
    kind: str  # what the finding calls it
    pattern: re.Pattern[str]  # group `s` is the secret
    keywords: tuple[str, ...]  # gitleaks' keywords (lower case; matched against the lower-cased text)
    anchors: tuple[str, ...]  # literals where a match can start (searched in the text, or its lower case)
    entropy: float = 0.0  # gitleaks' floor: the secret's entropy must be above it
    allow: re.Pattern[str] | None = None  # gitleaks' rule allowlist, matched against the secret
    anchors_lower: bool = False  # anchors are searched in the lower-cased text (case-insensitive patterns)


def _hf(prefix: str) -> re.Pattern[str]:
    return re.compile(r"\b(?P<s>" + prefix + r"[A-Za-z0-9]{34})" + END)


_GITHUB_END = r"(?![A-Za-z0-9_])"

FORMATS: tuple[TokenFormat, ...] = (
    TokenFormat("huggingface-access-token", "Hugging Face token", _hf("hf_"), ("hf_",), ("hf_",), 2.0),
    TokenFormat(
        "huggingface-organization-api-token", "Hugging Face token", _hf("api_org_"), ("api_org_",), ("api_org_",), 2.0
    ),
    TokenFormat(
        "aws-access-token",
        "AWS access key id",
        re.compile(r"\b(?P<s>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b"),
        ("a3t", "akia", "asia", "abia", "acca"),
        ("A3T", "AKIA", "ASIA", "ABIA", "ACCA"),
        3.0,
        re.compile(r".+EXAMPLE$"),
    ),
    TokenFormat(
        "github-pat",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>ghp_[0-9a-zA-Z]{36})" + _GITHUB_END),
        ("ghp_",),
        ("ghp_",),
        3.0,
    ),
    TokenFormat(
        "github-fine-grained-pat",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>github_pat_\w{82})" + _GITHUB_END),
        ("github_pat_",),
        ("github_pat_",),
        3.0,
    ),
    TokenFormat(
        "github-oauth",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>gho_[0-9a-zA-Z]{36})" + _GITHUB_END),
        ("gho_",),
        ("gho_",),
        3.0,
    ),
    TokenFormat(
        "github-app-token",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>(?:ghu|ghs)_[0-9a-zA-Z]{36})" + _GITHUB_END),
        ("ghu_", "ghs_"),
        ("ghu_", "ghs_"),
        3.0,
    ),
    TokenFormat(
        "github-refresh-token",
        "GitHub token",
        re.compile(r"(?<![A-Za-z0-9_])(?P<s>ghr_[0-9a-zA-Z]{36})" + _GITHUB_END),
        ("ghr_",),
        ("ghr_",),
        3.0,
    ),
    TokenFormat(
        "openai-api-key",
        "OpenAI API key",
        re.compile(
            r"\b(?P<s>sk-(?:proj|svcacct|admin)-(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})T3BlbkFJ"
            r"(?:[A-Za-z0-9_-]{74}|[A-Za-z0-9_-]{58})\b|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})" + END
        ),
        ("t3blbkfj",),
        ("sk-",),
        3.0,
    ),
    TokenFormat(
        "anthropic-api-key",
        "Anthropic API key",
        re.compile(r"\b(?P<s>sk-ant-api03-[a-zA-Z0-9_\-]{93}AA)" + END),
        ("sk-ant-api03",),
        ("sk-ant-api03-",),
    ),
    TokenFormat(
        "anthropic-admin-api-key",
        "Anthropic API key",
        re.compile(r"\b(?P<s>sk-ant-admin01-[a-zA-Z0-9_\-]{93}AA)" + END),
        ("sk-ant-admin01",),
        ("sk-ant-admin01-",),
    ),
    TokenFormat(
        "perplexity-api-key",
        "Perplexity API key",
        re.compile(r"\b(?P<s>pplx-[a-zA-Z0-9]{48})(?=[`'\"\s;]|\\[nr\"]|$|\b)"),
        ("pplx-",),
        ("pplx-",),
        4.0,
    ),
    TokenFormat(
        "cohere-api-token",
        "Cohere API key",
        re.compile(  # gitleaks' semi-generic rule, from the keyword on (its `[\w.-]{0,50}?` prefix is optional)
            r"(?i:(?:cohere|CO_API_KEY)(?:[ \t\w.-]{0,20})[\s'\"]{0,3})(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)"
            r"[`'\"\s=]{0,5}(?P<s>[a-zA-Z0-9]{40})" + END
        ),
        ("cohere", "co_api_key"),
        ("cohere", "co_api_key"),
        4.0,
        anchors_lower=True,
    ),
    TokenFormat(
        "aws-amazon-bedrock-api-key-long-lived",
        "Amazon Bedrock API key",
        re.compile(r"\b(?P<s>ABSK[A-Za-z0-9+/]{109,269}={0,2})" + END),
        ("absk",),
        ("ABSK",),
        3.0,
    ),
)

# gitleaks' private-key rule; the finding points at the key's first line of base64 (`s`), not the header
PRIVATE_KEY = re.compile(
    r"(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?P<body>[\s\S-]{64,}?)KEY(?: BLOCK)?-----"
)
PRIVATE_KEY_VALUE = re.compile(r"[A-Za-z0-9+/=]{16,}")

# gitleaks' global allowlist, the paths part (those that occur in Python/ML repositories): lock files,
# vendored and installed packages, minified libraries. Files that only pin versions or copy others' code.
_ALLOWED_PATHS = re.compile(
    r"(?:^|/)(?:deno\.lock|npm-shrinkwrap\.json|package-lock\.json|pnpm-lock\.yaml|yarn\.lock|Pipfile\.lock"
    r"|poetry\.lock|gradle\.lockfile)$"
    r"|(?:^|/)(?:node_modules|bower_components)(?:/|$)"
    r"|(?:^|/)go\.(?:mod|sum|work(?:\.sum)?)$|(?:^|/)vendor/modules\.txt$"
    r"|(?i:(?:^|/)(?:v?env|virtualenv)/lib(?:64)?(?:/|$))"
    r"|(?i:(?:^|/)(?:lib(?:64)?/python[23](?:\.\d{1,2})+|python/[23](?:\.\d{1,2})+/lib(?:64)?)(?:/|$))"
    r"|(?i:(?:^|/)[a-z0-9_.]+-[0-9.]+\.dist-info(?:/|$))"
    r"|(?:^|/)(?:angular|bootstrap|jquery(?:-?ui)?|plotly|swagger-?ui)[a-zA-Z0-9.-]*(?:\.min)?\.js(?:\.map)?$"
    r"|(?:^|/)gitleaks\.toml$"
)


def allowed_path(path: str) -> bool:
    """Files gitleaks never scans (its global path allowlist, the entries that apply here)."""
    return bool(path) and _ALLOWED_PATHS.search(PurePosixPath(path).as_posix()) is not None


ALLOW_SIGNATURE = "gitleaks:allow"  # a line carrying it is not reported, as in gitleaks
