"""DVC pointers and their outputs: parsing with positions, .gitignore semantics against git itself,
and a whole repository laid out exactly as `dvc init` / `dvc add` / `dvc stage add` / `dvc repro` write it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.config import Config
from mlops_lint.context.dvc import read_pointer, stage_outputs
from mlops_lint.context.gitignore import gitignore_entry, gitignores
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, load_yaml
from mlops_lint.discovery import build_inventory
from tests.helpers import commit_all, compact, git, git_init, write_files

CODES = ("MLD001", "MLD002", "MLD003", "MLD011")
ONLY = api.Overrides(only=CODES)


def _doc(text: str) -> YamlDoc:
    doc = load_yaml(text)
    assert isinstance(doc, YamlDoc)
    return doc


def test_pointer_values_keep_their_positions() -> None:
    doc = _doc(
        "md5: 2d6f8d1a1f2c3b4a5e6d7c8b9a0f1e2d\n"
        "frozen: true\n"
        "deps:\n"
        "- path: data/mnist\n"
        "  repo:\n"
        "    url: https://github.com/iterative/dataset-registry\n"
        "    rev_lock: f31f5c4cdae787b4bdeb97a717687d44667d9e62\n"
        "outs:\n"
        "- md5: 8f6d96b8d8f3a7d56f505e843a38b40a.dir\n"
        "  nfiles: 3\n"
        "  path: mnist\n"
        "  cache: false\n"
    )
    pointer = read_pointer(doc, "data/mnist.dvc")
    (out,) = pointer.outs
    (dep,) = pointer.deps
    assert (out.path, out.line, out.column, out.is_dir, out.cache, out.legacy) == (
        "data/mnist",
        11,
        3,
        True,
        False,
        True,
    )
    assert dep.path == "data/data/mnist"  # joined like any dep; the rule never reads import deps as repo paths
    assert dep.get("repo")["rev_lock"].startswith("f31f5c4")
    assert pointer.position("deps", 0, "repo", "rev_lock") == (7, 5)
    assert pointer.position("outs", 0, "nfiles") == (10, 3)


def test_stage_outputs_carry_cache_flags_and_skip_templates() -> None:
    doc = _doc(
        "stages:\n"
        "  train:\n"
        "    wdir: sub\n"
        "    cmd: python train.py\n"
        "    outs:\n"
        "    - model.pkl\n"
        "    metrics:\n"
        "    - metrics.json:\n"
        "        cache: false\n"
        "    - ${name}.json\n"
        "  sweep:\n"
        "    foreach: [a, b]\n"
        "    do:\n"
        "      cmd: echo ${item}\n"
        "      outs:\n      - ${item}.txt\n"
    )
    got = [(o.path, o.section, o.cache, o.cache_explicit, o.line) for o in stage_outputs(doc, "pipelines/dvc.yaml")]
    assert got == [
        ("pipelines/sub/model.pkl", "outs", True, False, 6),
        ("pipelines/sub/metrics.json", "metrics", False, True, 8),
    ]


def test_gitignore_entry_escapes_like_dvc() -> None:
    assert gitignore_entry("train.csv") == "/train.csv"
    assert gitignore_entry("tmp[1]*.csv") == "/tmp\\[1\\]\\*.csv"
    assert gitignore_entry("#notes!") == "/\\#notes\\!"


GITIGNORES = {
    ".gitignore": "*.log\n/build/\ndata/*\n!data/keep/\n!data/*.dvc\nnested/**/tmp\n",
    "data/keep/.gitignore": "*.bin\n!important.bin\n",
    "sub/.gitignore": "/local.txt\n!*.log\n",
    "deep/a/.gitignore": "/b\n",
    "deep/a/b/.gitignore": "!c.csv\n",
}
PROBES = [
    "data/keep/x.bin",
    "data/keep/important.bin",
    "data/other/y.csv",
    "data/a.dvc",
    "data/a.csv",
    "build/z",
    "nested/a/b/tmp/q",
    "nested/tmp",
    "sub/local.txt",
    "sub/deeper/local.txt",
    "sub/x.log",
    "x.log",
    "sub/deeper.txt",
    "deep/a/b/c.csv",
    "deep/a/bc",
]


def test_gitignore_reading_agrees_with_git_check_ignore(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, GITIGNORES)
    write_files(tmp_path, dict.fromkeys(PROBES, "x"))
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=tmp_path,
        input="\n".join(PROBES) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    by_git = set(result.stdout.split())
    inventory = build_inventory(tmp_path, ())
    repo = RepoContext(tmp_path, inventory, Config())
    ours = {path for path in PROBES if gitignores(repo).ignored(path)}
    assert ours == by_git
    assert by_git >= {"data/keep/x.bin", "sub/local.txt", "deep/a/b/c.csv"}  # the traps are exercised
    assert gitignores(repo).ignored("build", is_dir=True) and not gitignores(repo).ignored("build", is_dir=False)


# --- the scenario ---------------------------------------------------------------------------------

DVC_INIT = {
    ".dvc/.gitignore": "/config.local\n/tmp\n/cache\n",
    ".dvc/config": "[core]\n    remote = storage\n    autostage = true\n['remote \"storage\"']\n    url = s3://my-bucket/dvcstore\n",
    ".dvcignore": (
        "# Add patterns of files dvc should ignore, which could improve\n"
        "# the performance. Learn more at\n"
        "# https://dvc.org/doc/user-guide/dvcignore\n"
    ),
}
TRAIN_CSV_DVC = "outs:\n- md5: 473f828a2c2531782e07be0bfb1e2ca0\n  size: 3862\n  hash: md5\n  path: train.csv\n"
IMAGES_DVC = (
    "outs:\n- md5: 8f6d96b8d8f3a7d56f505e843a38b40a.dir\n  size: 30\n  nfiles: 3\n  hash: md5\n  path: images\n"
)
DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - data/raw/train.csv
    - src/prepare.py
    params:
    - prepare.seed
    - prepare.split
    outs:
    - data/processed
  train:
    cmd: python src/train.py
    deps:
    - data/processed
    - src/train.py
    params:
    - train
    outs:
    - models/model.pkl
    metrics:
    - metrics.json:
        cache: false
    plots:
    - plots.csv:
        cache: false
"""
DVC_LOCK = """\
schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py
    deps:
    - path: data/raw/train.csv
      hash: md5
      md5: 473f828a2c2531782e07be0bfb1e2ca0
      size: 3862
    outs:
    - path: data/processed
      hash: md5
      md5: 606cfda7c6d2b83ac021a16f4ff1c7b2.dir
      size: 3862
      nfiles: 1
"""
CLEAN = {
    **DVC_INIT,
    # dvc add data/raw/train.csv
    "data/raw/train.csv": "id,label\n1,0\n",
    "data/raw/train.csv.dvc": TRAIN_CSV_DVC,
    "data/raw/.gitignore": "/train.csv\n",
    # dvc add data/images, then dvc repro writes data/processed (same parent folder)
    "data/images/a.png": "a",
    "data/images/b.png": "b",
    "data/images/c.png": "c",
    "data/images.dvc": IMAGES_DVC,
    "data/processed/train.parquet": "PAR1",
    "data/.gitignore": "/images\n/processed\n",
    # dvc stage add + dvc repro
    "dvc.yaml": DVC_YAML,
    "dvc.lock": DVC_LOCK,
    "params.yaml": "prepare:\n  split: 0.2\n  seed: 20\ntrain:\n  n_est: 50\n",
    "src/prepare.py": "print('prepare')\n",
    "src/train.py": "print('train')\n",
    "models/model.pkl": "pickle",
    "models/.gitignore": "/model.pkl\n",
    "metrics.json": '{"auc": 0.81}\n',
    "plots.csv": "fpr,tpr\n0,0\n1,1\n",
}


def _clean_repo(root: Path) -> None:
    git_init(root)
    write_files(root, CLEAN)
    commit_all(root, "dvc init, dvc add, dvc stage add, dvc repro")


def test_clean_dvc_project_gives_no_finding(tmp_path: Path) -> None:
    _clean_repo(tmp_path)
    tracked = git(tmp_path, "ls-files").split()
    assert "data/raw/train.csv" not in tracked and "metrics.json" in tracked  # the layout is what DVC leaves
    report = api.lint([tmp_path], ONLY)
    assert not report.errors
    assert [compact(d) for d in report.diagnostics] == []
    everything = api.lint([tmp_path])  # every default rule on: still nothing from the pointer rules
    pointer_codes = ("MLD001", "MLD002", "MLD003", "MLD011")
    assert [compact(d) for d in everything.diagnostics if d.code in pointer_codes] == []


def _broken_repo(root: Path) -> None:
    _clean_repo(root)
    write_files(
        root,
        {
            "data/raw/.gitignore": "# rewritten by hand\n",  # lost /train.csv
            "data/images.dvc": IMAGES_DVC.replace("nfiles: 3", "nfiles: 3.5"),  # DVC refuses a float
            "data/survey.csv.dvc": "outs:\n- md5: 900150983cd24fb0d6963f7d28e17f72\n  size: 3\n  path: survey.csv\n",
            "data/labels.csv.dvc": (
                "outs:\n<<<<<<< HEAD\n- md5: 473f828a2c2531782e07be0bfb1e2ca0\n=======\n"
                "- md5: 900150983cd24fb0d6963f7d28e17f72\n>>>>>>> exp\n  path: labels.csv\n"
            ),
            "dvc.yaml": DVC_YAML.replace(
                "    - models/model.pkl\n", "    - models/model.pkl\n    - reports/predictions.csv\n"
            ),
        },
    )
    with (root / "data/.gitignore").open("a", encoding="utf-8") as handle:
        handle.write("/survey.csv\n")
    git(root, "add", "-f", "models/model.pkl")


BROKEN_REPORT = [
    "data/images.dvc:4:3: MLD001 Malformed DVC pointer: outs[0].nfiles: must be an integer, not a number",
    "data/labels.csv.dvc:2:1: MLD001 Malformed DVC pointer: merge-conflict markers in the file",
    "data/raw/train.csv.dvc:5:3: MLD002 DVC output data/raw/train.csv is not git-ignored: "
    "it can be committed by accident",
    "data/survey.csv.dvc:2:3: MLD011 Legacy DVC 2.x pointer (outs without 'hash: md5', hashed as md5-dos2unix): "
    "run `dvc cache migrate --dvc-files`",
    "dvc.yaml:20:7: MLD003 models/model.pkl is tracked by both DVC and git: run `git rm -r --cached models/model.pkl`",
    "dvc.yaml:21:7: MLD002 DVC output reports/predictions.csv is not git-ignored: it can be committed by accident",
]


def test_broken_dvc_project_gives_the_exact_report(tmp_path: Path) -> None:
    _broken_repo(tmp_path)
    report = api.lint([tmp_path], ONLY)
    assert not report.errors
    assert [compact(d) for d in report.diagnostics] == BROKEN_REPORT


def test_fixing_the_broken_project_writes_gitignore_entries_like_dvc(tmp_path: Path) -> None:
    _broken_repo(tmp_path)
    preview = api.fix([tmp_path], ONLY, write=False)
    diff = api.unified_diff(preview)
    assert "+++ b/data/raw/.gitignore\n" in diff and "+/train.csv\n" in diff
    assert "--- /dev/null\n+++ b/reports/.gitignore\n" in diff
    api.fix([tmp_path], ONLY)
    assert (tmp_path / "data/raw/.gitignore").read_text() == "# rewritten by hand\n/train.csv\n"
    assert (tmp_path / "reports/.gitignore").read_text() == "/predictions.csv\n"
    assert api.fix([tmp_path], ONLY).touched == []
    remaining = [compact(d) for d in api.lint([tmp_path], ONLY).diagnostics]
    assert remaining == [line for line in BROKEN_REPORT if "MLD002" not in line]
    ignored = git(tmp_path, "check-ignore", "data/raw/train.csv", "reports/predictions.csv").split()
    assert ignored == ["data/raw/train.csv", "reports/predictions.csv"]  # git agrees with the fix


def test_outside_git_the_gitignore_files_still_count(tmp_path: Path) -> None:
    write_files(tmp_path, {**CLEAN, "data/raw/.gitignore": "\n"})
    (tmp_path / ".mlops-lint.toml").write_text("", encoding="utf-8")
    report = api.lint([tmp_path], ONLY)
    assert [compact(d) for d in report.diagnostics] == [
        "data/raw/train.csv.dvc:5:3: MLD002 DVC output data/raw/train.csv is not git-ignored: "
        "it can be committed by accident"
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [("/a.csv", "/a.csv\n/train.csv\n"), ("/a.csv\r\n", "/a.csv\r\n/train.csv\r\n"), ("", "/train.csv\n")],
)
def test_fix_keeps_newline_style(tmp_path: Path, before: str, after: str) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"data/raw/train.csv.dvc": TRAIN_CSV_DVC, "data/raw/.gitignore": before})
    api.fix([tmp_path], ONLY)
    assert (tmp_path / "data/raw/.gitignore").read_bytes().decode() == after


def test_top_level_wdir_moves_the_base_of_out_paths() -> None:
    doc = _doc("wdir: ../..\nouts:\n- md5: ce68b98d82545628782c66192c96f2d2\n  path: tutorials/nlp/Posts.xml.zip\n")
    assert [o.path for o in read_pointer(doc, "tutorials/nlp/Posts.xml.zip.dvc").outs] == [
        "tutorials/nlp/Posts.xml.zip"
    ]
    escaping = _doc("wdir: ../../..\nouts:\n- path: x.csv\n")
    assert [o.path for o in read_pointer(escaping, "a/x.csv.dvc").outs] == [None]
