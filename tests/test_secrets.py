"""The secret scanner beyond the catalogue examples: every format, the traps that must stay silent,
JSON-escaped notebook text, positions, and the prefilter that must never hide a secret.

Tokens are assembled from pieces so that this file itself holds no token a scanner would flag.
"""

from __future__ import annotations

import json

import pytest

from mlops_lint.context.secrets import HIGH, LOW, SecretHit, entropy, is_placeholder, might_contain_secret, scan_text

# made-up secrets on purpose
# mlops-lint: ignore-file[MLG004]
HF = "hf_" + "Xq3LmT8vRb2NwK5pZc7Y" + "hJ4dGs9FaE6uQo"
WANDB = "0f9a4c2e7b1d83a65e0c4f2b9d7a1e3c" + "5b8f0d2a"
AWS_ID = "AKIA" + "Q3EGRHX5KBLMDQ7N"
AWS_SECRET = "9dW0tqzL3rJ8xK2mB7vN" + "1cY5pQ4sE6hU0aG3fR8i"
GITHUB = "ghp_" + "x7Kq2mZ9vB4nL8cT1wY6pR3sD5fG0hJ2aQ9e"
OPENAI = "sk-" + "abcdefghij0123456789" + "T3Blbk" + "FJ" + "0123456789abcdefghij"
KAGGLE = "0f9a4c2e7b1d83a6" + "5e0c4f2b9d7a1e3c"


def kinds(text: str, path: str = "x.py") -> list[tuple[str, str]]:
    return [(hit.kind, hit.confidence) for hit in scan_text(text, path)]


@pytest.mark.parametrize(
    ("text", "path", "kind"),
    [
        (f'TOKEN = "{HF}"\n', "x.py", "Hugging Face token"),
        (f"login --token {HF}\n", "run.sh", "Hugging Face token"),
        (f"aws_access_key_id={AWS_ID}\n", "x.cfg", "AWS access key id"),
        (f'aws_secret_access_key = "{AWS_SECRET}"\n', "x.py", "AWS secret access key"),
        (f'os.environ["AWS_SECRET_ACCESS_KEY"] = "{AWS_SECRET}"\n', "x.py", "AWS secret access key"),
        (f"GITHUB_TOKEN={GITHUB}\n", "ci.sh", "GitHub token"),
        (f"client = OpenAI(api_key='{OPENAI}')\n", "x.py", "OpenAI API key"),
        (f'wandb.login(key="{WANDB}")\n', "x.py", "W&B API key"),
        (f'wandb.login(anonymous="never", key="{WANDB}", relogin=True)\n', "x.py", "W&B API key"),
        (f'os.environ["WANDB_API_KEY"] = "{WANDB}"\n', "x.py", "W&B API key"),
        (f"export WANDB_API_KEY={WANDB}\n", "env.sh", "W&B API key"),
        (f"%env WANDB_API_KEY={WANDB}\n", "x.py", "W&B API key"),
        (f"env:\n  WANDB_API_KEY: {WANDB}\n", "ci.yaml", "W&B API key"),
        (f"wandb.login(key='local-{WANDB}')\n", "x.py", "W&B API key"),
        (f"machine api.wandb.ai login user password {WANDB}\n", "setup.sh", "W&B API key"),
        (f'{{"username": "jane", "key": "{KAGGLE}"}}', "kaggle.json", "Kaggle API key"),
        (f'f.write(\'{{"username":"jane","key":"{KAGGLE}"}}\')\n', "x.py", "Kaggle API key"),
        (f"KAGGLE_KEY={KAGGLE}\n", "x.sh", "Kaggle API key"),
    ],
)
def test_each_format_is_found_with_high_confidence(text: str, path: str, kind: str) -> None:
    assert kinds(text, path) == [(kind, HIGH)]
    assert might_contain_secret(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        f"commit {WANDB} fixes the loader\n",  # a W&B key looks exactly like a commit id
        f'REVISION = "{WANDB}"\n',
        f"run_id = {WANDB}\n",
        f"md5: {KAGGLE}\nhash: md5\n",
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12\n",
        'wandb.login(key=os.environ["WANDB_API_KEY"])\n',
        "WANDB_API_KEY=${{ secrets.WANDB_API_KEY }}\n",
        "WANDB_API_KEY=$WANDB_API_KEY\n",
        "WANDB_API_KEY=<your-key>\n",
        "HF_TOKEN=hf_" + "x" * 34 + "\n",
        "AWS_ACCESS_KEY_ID=AKIA" + "IOSFODNN7" + "EXAMPLE\n",
        "api_key = 'your_api_key_here_please'\n",
        "api_key = '...'\n",
        "password = 'aaaaaaaaaaaaaaaaaaaa'\n",
        'token = "<|endoftext|>"\n',
        'pad_token = "[PAD]"\n',
        'tokenizer_name = "meta-llama/Llama-2-7b-hf"\n',
        'api_key_file = "/etc/secrets/api_key.txt"\n',
        'secret_url = "https://example.org/a/very/long/path"\n',
        'if token == "Zq8xP2mK9vL4nB7cT1wY":\n',
        'token_type = "Zq8xP2mK9vL4nB7cT1wY"\n',
        "hf_" + "pretrainedmodelnameorpathforthetokens" + " = 1\n",  # an identifier, not a token
        "password = 'correct horse battery staple'\n",
        '{"loss": 0.2314, "step": 9, "token_accuracy": 0.93}\n',
    ],
)
def test_traps_stay_silent(text: str) -> None:
    assert scan_text(text, "x.py") == []


def test_generic_assignment_is_low_confidence_and_names_the_variable() -> None:
    hits = scan_text('config = {"api_key": "Zq8xP2mK9vL4nB7cT1wY"}\n', "x.py")
    assert hits == [SecretHit(line=1, column=23, end_column=43, kind="api_key value", confidence=LOW)]


def test_high_confidence_wins_over_an_overlapping_generic_hit() -> None:
    assert kinds(f'hf_token = "{HF}"\n') == [("Hugging Face token", HIGH)]
    with_digits = "hf_" + "94wBhQGp6KrrTH3KDchhKpRxZwd6dmHWMM"  # made up, shaped like a real CI token
    assert kinds(f'TOKEN = "{with_digits}"\n') == [("Hugging Face token", HIGH)]


def test_positions_are_one_based_and_end_exclusive_across_line_endings() -> None:
    text = f"a = 1\r\nb = 2\rTOKEN = '{HF}'\n"
    [hit] = scan_text(text, "x.py")
    assert (hit.line, hit.column, hit.end_column) == (3, 10, 10 + len(HF))
    line = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[2]
    assert line[hit.column - 1 : hit.end_column - 1] == HF


def test_notebook_json_escaped_quotes_and_outputs() -> None:
    source = [f'os.environ["WANDB_API_KEY"] = "{WANDB}"\n', 'api_key = "Zq8xP2mK9vL4nB7cT1wY"\n']
    notebook = {
        "cells": [{"cell_type": "code", "source": source, "outputs": [{"output_type": "stream", "text": [f"{HF}\n"]}]}]
    }
    text = json.dumps(notebook, indent=1)
    assert kinds(text, "nb.ipynb") == [("W&B API key", HIGH), ("api_key value", LOW), ("Hugging Face token", HIGH)]
    for hit in scan_text(text, "nb.ipynb"):
        line = text.splitlines()[hit.line - 1]
        assert line[hit.column - 1 : hit.end_column - 1] in (WANDB, HF, "Zq8xP2mK9vL4nB7cT1wY")


def test_dotenv_files_allow_unquoted_generic_values() -> None:
    text = "PYTHONPATH=src\nCOMET_API_KEY=Zq8xP2mK9vL4nB7cT1wY\n"
    assert kinds(text, ".env") == [("COMET_API_KEY value", LOW)]
    assert kinds(text, "notes.txt") == []  # unquoted assignments only count in dotenv files


def test_web_pages_get_exact_formats_only() -> None:
    text = f"antiForgeryToken: 'SmCqck6EVXMvK5XecktrewpE8LHm', hf: '{HF}'\n"
    assert kinds(text, "page.html") == [("Hugging Face token", HIGH)]


def test_placeholders_and_entropy() -> None:
    assert is_placeholder("<your-key>")
    assert is_placeholder("${WANDB_API_KEY}")
    assert is_placeholder("changeme")
    assert is_placeholder("hf_" + "x" * 34)
    assert is_placeholder("TODO")
    assert not is_placeholder(HF)
    assert entropy("aaaa") == 0.0
    assert entropy("abcd") == 2.0


def test_prefilter_has_no_false_negatives_on_the_positive_cases() -> None:
    for text in (
        HF,
        AWS_ID,
        GITHUB,
        OPENAI,
        f"WANDB_API_KEY={WANDB}",
        f'\\"username\\": \\"x\\", \\"key\\": \\"{KAGGLE}\\"',
    ):
        assert might_contain_secret(text.encode())
    assert not might_contain_secret(b"import torch\nmodel = torch.nn.Linear(3, 4)\n")


# gitleaks' provider rules, markers and suffixes included (made-up bodies, assembled from pieces)
_BODY = "Zq8xP2mK9vL4nB7cT1wY6pR3sD5fG0hJ2aQ9eXk4Mn7Bv1Cx3Lz8Pw5Rt2Yu6Io0Ap9Sd4Fg7Hj1Kl3Qw5Er8Ty2Ui6Op0Zx"
ANTHROPIC = "sk-ant-" + "api03-" + _BODY[:93] + "AA"
OPENAI_PROJECT = "sk-" + "proj-" + _BODY[:74] + "T3Blbk" + "FJ" + _BODY[1:75]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f'client = Anthropic(api_key="{ANTHROPIC}")\n', "Anthropic API key"),
        (f"OPENAI_API_KEY={OPENAI_PROJECT}\n", "OpenAI API key"),
        ("aws_access_key_id = " + "A3T" + "XQ3EGRHX5KBLMDQ7N\n", "AWS access key id"),
        (f'"source": ["token = \\"{HF}\\"\\n"]', "Hugging Face token"),  # JSON-escaped quote closes it
        ("export CO_API_KEY=" + _BODY[:40] + "\n", "Cohere API key"),
        ("PERPLEXITY_API_KEY=" + "pplx-" + _BODY[:48] + "\n", "Perplexity API key"),
        ('key = "' + "ABSK" + (_BODY * 2)[:120] + '"\n', "Amazon Bedrock API key"),
    ],
)
def test_gitleaks_provider_formats(text: str, kind: str) -> None:
    assert [k for k, _confidence in kinds(text)] == [kind]
    assert might_contain_secret(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        f'key = "{ANTHROPIC[:-2]}BB"\n',  # gitleaks: an Anthropic key ends in AA
        f'key = "{ANTHROPIC[:-3]}AA"\n',  # 92 characters, not 93
        f'key = "sk-proj-{_BODY[:90]}"\n',  # a project key without the T3BlbkFJ marker
        "key = " + "AKIA" + "Q3EGRHX5KBLMDQ18\n",  # 0, 1, 8 and 9 are not in AWS's alphabet (A-Z, 2-7)
        "key = " + "AKIA" + "AAAABBBBAAAABBBB\n",  # entropy 1 bit, gitleaks wants more than 3
        "token = " + "ghp_" + "ab" * 18 + "\n",  # entropy 1 bit
        f"login --token {HF}abc\n",  # 37 characters: not a Hugging Face token
        f"url = 'https://x.org/{HF}/files'\n",  # `/` does not end a token for gitleaks
        "token = 'hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYz" + "AbCdEfGh'\n",  # gitleaks' global stopword: the alphabet
        f'TOKEN = "{HF}"  # gitleaks:allow\n',
        "CO_API_KEY=" + "x" * 40 + "\n",
        'co = cohere.Client("' + _BODY[:40] + '")\n',  # gitleaks' cohere rule wants an assignment
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpQIBAAKCAQEAn6\n",  # no END line: gitleaks needs the whole block
    ],
)
def test_gitleaks_rejects(text: str) -> None:
    assert [k for k, confidence in kinds(text) if confidence == HIGH] == []


def test_private_key_block_is_found_at_its_first_base64_line() -> None:
    body = "MIIEpQIBAAKCAQEAn6" + "Zq8xP2mK9vL4nB7cT1wY6pR3sD5fG0hJ2aQ9eXk4Mn7Bv1Cx3Lz8Pw5Rt2Yu6Io0"
    text = f"key = '''-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----'''\n"
    [hit] = scan_text(text, "deploy.py")
    assert (hit.kind, hit.line, hit.column, hit.end_column) == ("private key", 2, 1, 1 + len(body))


@pytest.mark.parametrize(
    ("text", "path", "label"),
    [
        ('apiKey := "Zq8xP2mK9vL4nB7cT1wY"\n', "main.go", "apiKey value"),
        ("const token = `Zq8xP2mK9vL4nB7cT1wY`\n", "client.ts", "token value"),
        ("API_TOKEN := Zq8xP2mK9vL4nB7cT1wY\n", "Makefile", "API_TOKEN value"),
        ("export HUB_TOKEN ?= Zq8xP2mK9vL4nB7cT1wY\n", "release.mk", "HUB_TOKEN value"),
    ],
)
def test_generic_assignments_with_colon_equals_backticks_and_make(text: str, path: str, label: str) -> None:
    assert kinds(text, path) == [(label, LOW)]


def test_unquoted_make_style_values_only_count_in_makefiles() -> None:
    assert kinds("API_TOKEN := Zq8xP2mK9vL4nB7cT1wY\n", "notes.txt") == []
    assert kinds("API_TOKEN := $(shell cat .token)\n", "Makefile") == []


def test_lock_files_and_vendored_packages_are_not_scanned() -> None:
    text = f'token = "{HF}"\n'
    for path in ("poetry.lock", "web/package-lock.json", "node_modules/x/index.js", "venv/lib/python3.11/x.py"):
        assert scan_text(text, path) == []
    assert scan_text(text, "src/poetry_lock.py") != []


def test_tokens_of_the_hugging_face_ci_hub_are_not_secrets() -> None:
    text = f'ENDPOINT_STAGING = "https://hub-ci.huggingface.co"\nTOKEN = "{HF}"\n'
    assert scan_text(text, "tests/test_hub.py") == []
    assert kinds(f'TOKEN = "{HF}"\n', "tests/test_hub.py") == [("Hugging Face token", HIGH)]


def test_generic_label_does_not_reach_into_the_line_above() -> None:
    assert kinds("# only usable on the sandboxed CI instance.\nTOKEN = 'Zq8xP2mK9vL4nB7cT1wY'\n") == [
        ("TOKEN value", LOW)
    ]
