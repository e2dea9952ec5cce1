"""MLG006/MLG007 beyond the catalogue examples: DVC's INI reader, moving keys into an existing
config.local (same section merged, new sections appended), when the move is refused, and where run
artifacts are grouped."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.git_history.credentials import credential_file
from mlops_lint.checks.git_history.run_artifacts import artifact_dir
from mlops_lint.context import dvc_config
from tests.helpers import commit_all, git_init, write_files

# made-up secrets on purpose
# mlops-lint: ignore-file[MLG004]
SECRET = "9dW0tqzL3rJ8xK2mB7vN" + "1cY5pQ4sE6hU0aG3fR8i"
CONFIG = (
    "[core]\n    remote = storage\n"
    "['remote \"storage\"']\n    url = s3://bucket/store\n    secret_access_key = " + SECRET + "\n"
    "['remote \"backup\"']\n    url = ssh://host/store\n    password = Pa55-w0rd-for-ssh\n"
)


def lint(root: Path, code: str) -> list[str]:
    report = api.lint([root], api.Overrides(only=(code,)))
    assert not report.errors, report.errors
    return [f"{d.location.path}: {d.message}" + (" [fix]" if d.fix else "") for d in report.diagnostics]


def test_dvc_config_reader_keeps_lines_and_normalises_headers() -> None:
    text = "# comment\n[core]\n  remote = s3  # inline\n[remote \"s3\"]\n; note\nurl = 's3://b/p'\n"
    sections = dvc_config.parse(text)
    assert [(s.key, s.line, s.last_line) for s in sections] == [("core", 2, 3), ('remote "s3"', 4, 6)]
    assert [(e.key, e.value, e.line, e.column) for e in sections[0].entries] == [("remote", "s3", 3, 3)]
    assert sections[1].entries[0].value == "s3://b/p"
    assert dvc_config.normalise("'remote \"s3\"'") == dvc_config.normalise('remote "s3"') == 'remote "s3"'


def _repo_with_local(tmp_path: Path, local: str | None) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".dvc/config": CONFIG})
    commit_all(tmp_path, "dvc remote")
    if local is not None:  # untracked and not ignored: a file the fix may edit
        write_files(tmp_path, {".dvc/config.local": local})


def test_keys_merge_into_the_same_section_of_an_existing_config_local(tmp_path: Path) -> None:
    _repo_with_local(tmp_path, "['remote \"storage\"']\n    access_key_id = AKIA-LOCAL\n[core]\n    no_scm = false")
    assert lint(tmp_path, "MLG006") == [
        ".dvc/config: '.dvc/config' holds secret_access_key in [remote \"storage\"] — move it to .dvc/config.local "
        "(dvc remote modify --local) or to environment variables [fix]",
        ".dvc/config: '.dvc/config' holds password in [remote \"backup\"] — move it to .dvc/config.local "
        "(dvc remote modify --local) or to environment variables [fix]",
    ]
    api.fix([tmp_path], api.Overrides(only=("MLG006",)), unsafe=True)
    assert (tmp_path / ".dvc/config").read_text() == (
        "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/store\n"
        "['remote \"backup\"']\n    url = ssh://host/store\n"
    )
    assert (tmp_path / ".dvc/config.local").read_text() == (
        "['remote \"storage\"']\n    access_key_id = AKIA-LOCAL\n    secret_access_key = " + SECRET + "\n"
        "[core]\n    no_scm = false\n['remote \"backup\"']\n    password = Pa55-w0rd-for-ssh\n"
    )
    assert lint(tmp_path, "MLG006") == []


def test_a_key_config_local_already_sets_is_only_removed(tmp_path: Path) -> None:
    _repo_with_local(tmp_path, "['remote \"backup\"']\n    password = newer\n")
    api.fix([tmp_path], api.Overrides(only=("MLG006",)), unsafe=True)
    local = (tmp_path / ".dvc/config.local").read_text()
    assert local == "['remote \"backup\"']\n    password = newer\n['remote \"storage\"']\n    secret_access_key = " + (
        SECRET + "\n"
    )
    assert "password" not in (tmp_path / ".dvc/config").read_text()


def test_no_fix_when_config_local_is_git_ignored_on_disk(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {".dvc/config": CONFIG, ".dvc/.gitignore": "/config.local\n"})
    commit_all(tmp_path, "dvc remote")
    write_files(tmp_path, {".dvc/config.local": "[core]\n    remote = storage\n"})
    assert all(not finding.endswith("[fix]") for finding in lint(tmp_path, "MLG006"))
    report = api.fix([tmp_path], api.Overrides(only=("MLG006",)), unsafe=True)
    assert report.touched == []


def test_untracked_credential_files_are_not_reported(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"README.md": "x\n"})
    commit_all(tmp_path, "init")
    write_files(tmp_path, {".env": "WANDB_API_KEY=" + "0f9a4c2e7b1d83a65e0c4f2b9d7a1e3c5b8f0d2a\n"})
    assert lint(tmp_path, "MLG006") == []


@pytest.mark.parametrize(
    ("path", "text", "label"),
    [
        (".env.production", "DB_PASSWORD=postgres\n", "dotenv file"),
        (".env", "POSTGRES_USER=admin\r\nPOSTGRES_PASSWORD=s3cr3t\r\n", "dotenv file"),
        (".env", "USE_AUTH_TOKEN=true\nMAX_TOKEN=4096\nAPI_KEY=\n", None),
        (".aws/credentials", "[default]\naws_secret_access_key = x\n", "AWS credentials file"),
        ("keys/server.pem", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n", None),
        ("keys/server.key", "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n", "private key"),
        ("home/.huggingface/token", "hf_abc\n", "Hugging Face token file"),
        (".git-credentials", "https://user:tok@github.com\n", "git credential store"),
        ("kaggle.json", '{"username": "", "key": ""}', None),
        (".netrc", "machine example.org login me\n", None),
        (".envrc", "export API_KEY=abc\n", None),
    ],
)
def test_credential_file_kinds(path: str, text: str, label: str | None) -> None:
    found = credential_file(path, text)
    assert (found.label if found else None) == label


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("mlruns/0/meta.yaml", ("mlruns", "mlruns/")),
        ("project/mlruns/0/abc/metrics/loss", ("project/mlruns", "mlruns/")),
        ("wandb/offline-run-20240514_090000-3k2j1h0g/run.wandb", ("wandb", "/wandb/")),
        ("src/wandb/logger.py", None),
        ("outputs/2024-05-14/09-00-00/.hydra/config.yaml", ("outputs", "/outputs/")),
        ("outputs/figures/loss.png", None),
        ("logs/train/runs/2024-05-14_09-00-00/.hydra/hydra.yaml", ("logs/train/runs/2024-05-14_09-00-00", None)),
        ("experiments/logs/exp1/version_0/events.out.tfevents.1.host", ("experiments/logs", "/experiments/logs/")),
        ("events.out.tfevents.1.host", None),
        ("dvclive/metrics.json", None),
        ("conf/config.yaml", None),
        (".dvc/tmp/lock", (".dvc/tmp", "/.dvc/tmp/")),
    ],
)
def test_artifact_folders(path: str, expected: tuple[str, str | None] | None) -> None:
    found = artifact_dir(path)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found[0] == expected[0]
        if expected[1] is not None:
            assert found[2] == expected[1]


def test_run_artifacts_outside_git_are_not_reported(tmp_path: Path) -> None:
    write_files(tmp_path, {"mlruns/0/meta.yaml": "name: Default\n", ".mlops-lint.toml": ""})
    assert lint(tmp_path, "MLG007") == []
