"""DVC pipelines: the context (templating, dvc.lock, dep insertion) and a scenario repository laid
out exactly as `dvc init` / `dvc add` / `dvc stage add` / `dvc repro` (DVC 3) leave it (FORMATS.md
§1.1-1.4), written by the test since dvc is not installed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from mlops_lint import api
from mlops_lint.context.dvc_pipeline import dep_insertion, pipeline_stages, workspace_md5
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Span
from mlops_lint.fixes import TextEdit, apply_edits
from tests.helpers import assert_findings, commit_all, git_init, write_files

CODES = ("MLD005", "MLD006", "MLD007", "MLD008", "MLD009")

PREPARE = """\
import sys

import pandas as pd
import pandera as pa

SCHEMA = pa.DataFrameSchema({"x": pa.Column(float), "label": pa.Column(int)})

frame = SCHEMA.validate(pd.read_csv(sys.argv[1]))
frame.to_csv("data/processed/train.csv", index=False)
"""
TRAIN = """\
import json
import pickle

import pandas as pd
from sklearn.ensemble import RandomForestClassifier

frame = pd.read_csv("data/processed/train.csv")
model = RandomForestClassifier(n_estimators=50, random_state=0).fit(frame[["x"]], frame["label"])
with open("models/model.pkl", "wb") as handle:
    pickle.dump(model, handle)
json.dump({"acc": 0.9}, open("metrics.json", "w"))
"""
PARAMS = """\
prepare:
  split: 0.2
  seed: 20
train:
  n_est: 50
  min_split: 2
"""
DVC_YAML = """\
stages:
  prepare:
    cmd: python src/prepare.py data/raw/train.csv
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
"""


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


DVC_LOCK = f"""\
schema: '2.0'
stages:
  prepare:
    cmd: python src/prepare.py data/raw/train.csv
    deps:
    - path: data/raw/train.csv
      hash: md5
      md5: 473f828a2c2531782e07be0bfb1e2ca0
      size: 3862
    - path: src/prepare.py
      hash: md5
      md5: {_md5(PREPARE)}
      size: {len(PREPARE)}
    params:
      params.yaml:
        prepare.seed: 20
        prepare.split: 0.2
    outs:
    - path: data/processed
      hash: md5
      md5: 606cfda7c6d2b83ac021a16f4ff1c7b2.dir
      size: 3862
      nfiles: 1
  train:
    cmd: python src/train.py
    deps:
    - path: data/processed
      hash: md5
      md5: 606cfda7c6d2b83ac021a16f4ff1c7b2.dir
      size: 3862
      nfiles: 1
    - path: src/train.py
      hash: md5
      md5: {_md5(TRAIN)}
      size: {len(TRAIN)}
    params:
      params.yaml:
        train:
          n_est: 50
          min_split: 2
    outs:
    - path: metrics.json
      hash: md5
      md5: f04886860596507d5ab632fa8818bf7f
      size: 12
    - path: models/model.pkl
      hash: md5
      md5: 3e7791d559c4b8901d86f7769d37a86e
      size: 138
"""

CLEAN_PROJECT = {
    ".dvc/.gitignore": "/config.local\n/tmp\n/cache\n",
    ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvcstore\n",
    ".dvcignore": "# Add patterns of files dvc should ignore, which could improve\n# the performance. Learn more at\n"
    "# https://dvc.org/doc/user-guide/dvcignore\n",
    "data/raw/.gitignore": "/train.csv\n",
    "data/raw/train.csv.dvc": (
        "outs:\n- md5: 473f828a2c2531782e07be0bfb1e2ca0\n  size: 3862\n  hash: md5\n  path: train.csv\n"
    ),
    "data/.gitignore": "/processed\n",
    "models/.gitignore": "/model.pkl\n",
    "data/raw/train.csv": "x,label\n" + "0.5,1\n" * 10,
    "data/processed/train.csv": "x,label\n0.5,1\n",
    "models/model.pkl": "pickle",
    "metrics.json": '{"acc": 0.9}',
    "params.yaml": PARAMS,
    "dvc.yaml": DVC_YAML,
    "dvc.lock": DVC_LOCK,
    "src/prepare.py": PREPARE,
    "src/train.py": TRAIN,
}


def _project(root: Path, files: dict[str, str | None]) -> None:
    git_init(root)
    write_files(root, CLEAN_PROJECT)
    commit_all(root, "dvc init, dvc add, dvc stage add, dvc repro")
    write_files(root, files)


def test_clean_dvc_project_gives_no_finding(tmp_path: Path) -> None:
    _project(tmp_path, {})
    report = api.lint([tmp_path], api.Overrides(only=CODES))
    assert not report.errors
    assert_findings([], report.diagnostics)


DRIFT = {
    # the training script was edited after `dvc repro` and now writes into data/raw
    "src/train.py": TRAIN + 'frame.to_csv("data/raw/train.csv", index=False)\n',
    # the validation was dropped from prepare
    "src/prepare.py": (
        "import sys\n\nimport pandas as pd\n\npd.read_csv(sys.argv[1]).to_csv('data/processed/train.csv')\n"
    ),
    "params.yaml": PARAMS.replace("n_est: 50", "n_est: 100"),
    "dvc.yaml": DVC_YAML.replace("    - prepare.split\n", "    - prepare.split\n    - prepare.shuffle\n")
    + "  evaluate:  # never reproduced\n    cmd: python src/evaluate.py\n    metrics:\n    - scores.json:\n"
    "        cache: false\n",
    "src/evaluate.py": "print('evaluate')\n",
}


def test_drifted_project_exact_report_and_fix(tmp_path: Path) -> None:
    _project(tmp_path, DRIFT)
    overrides = api.Overrides(only=CODES)
    report = api.lint([tmp_path], overrides)
    assert not report.errors
    assert_findings(
        [
            "dvc.yaml:10:7: MLD006 Stage 'prepare' lists param prepare.shuffle but params.yaml has no such key",
            "dvc.yaml:10:7: MLD007 dvc.lock is stale for stage 'prepare': param prepare.shuffle of dvc.yaml is not in"
            " dvc.lock; run 'dvc repro' and commit dvc.lock",
            f"dvc.lock:12:7: MLD007 dvc.lock is stale for stage 'prepare': md5 of src/prepare.py ({_md5(PREPARE)[:8]}…)"
            " differs from the workspace",
            f"dvc.lock:34:7: MLD007 dvc.lock is stale for stage 'train': md5 of src/train.py ({_md5(TRAIN)[:8]}…)"
            " differs from the workspace",
            "dvc.lock:38:9: MLD007 dvc.lock is stale for stage 'train': param train is {'n_est': 50, 'min_split': 2}"
            " in dvc.lock but {'n_est': 100, 'min_split': 2} in params.yaml",
            "dvc.yaml:13:3: MLD008 Stage 'train' trains on raw data (data/raw/train.csv) with no validation step",
            "dvc.yaml:26:5: MLD005 Stage 'evaluate' runs src/evaluate.py but does not list it in deps",
            "src/train.py:12:1: MLD009 Code writes into data/raw/",
        ],
        report.diagnostics,
    )
    fixed = api.fix([tmp_path], overrides)
    assert fixed.changed == {
        "dvc.yaml": DRIFT["dvc.yaml"].replace(
            "    cmd: python src/evaluate.py\n", "    cmd: python src/evaluate.py\n    deps:\n    - src/evaluate.py\n"
        )
    }
    assert api.fix([tmp_path], overrides).changed == {}


# --- the context -----------------------------------------------------------------------------------


def _repo(root: Path, files: dict[str, str]) -> RepoContext:
    write_files(root, files)
    session = api.open_session([root])
    return session.repo({})


def test_foreach_matrix_vars_and_wdir_are_resolved(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "params.yaml": "regions: [us, eu]\nmodel: {depth: 3}\n",
            "conf/vars.yaml": "script: train.py\n",
            "dvc.yaml": (
                "vars:\n- conf/vars.yaml\n- {out: models}\nstages:\n"
                "  prep:\n    foreach: ${regions}\n    do:\n      cmd: python prep.py ${item}\n"
                "      outs:\n      - data/${item}.csv\n"
                "  train:\n    matrix:\n      lr: [0.1, 0.01]\n      opt: [adam]\n"
                "    wdir: ml\n    cmd: python ${script} --lr ${item.lr} --depth ${model.depth}\n"
                "    outs:\n    - ../${out}/m-${item.lr}-${item.opt}.pt\n"
                "  dict:\n    foreach:\n      a: {n: 1}\n    do:\n      cmd: echo ${key} ${item.n}\n"
            ),
        },
    )
    stages = {stage.name: stage for stage in pipeline_stages(repo, "dvc.yaml")}
    assert sorted(stages) == ["dict@a", "prep@eu", "prep@us", "train@0.01-adam", "train@0.1-adam"]
    assert stages["prep@us"].commands == ["python prep.py us"]
    assert [(o.path, o.line) for o in stages["prep@eu"].outs] == [("data/eu.csv", 10)]
    assert stages["train@0.1-adam"].commands == ["python train.py --lr 0.1 --depth 3"]
    assert stages["train@0.1-adam"].wdir == "ml"
    assert [o.path for o in stages["train@0.01-adam"].outs] == ["models/m-0.01-adam.pt"]
    assert stages["dict@a"].commands == ["echo a 1"]


def _insert(text: str, stage: str, dep: str) -> str | None:
    found = dep_insertion(text, ("stages", stage), dep)
    if found is None:
        return None
    line, column, content = found
    span = Span(start_line=line, start_col=column, end_line=line, end_col=column)
    return apply_edits(text, [TextEdit(path="dvc.yaml", span=span, content=content)])[0]


def test_dep_insertion_keeps_layout_newlines_and_refuses_flow_style() -> None:
    crlf = "stages:\r\n  a:\r\n    cmd: python a.py\r\n    deps:\r\n      - b  # keep\r\n"
    assert _insert(crlf, "a", "a.py") == crlf + "      - a.py\r\n"
    no_final_newline = "stages:\n  a:\n    cmd: python a.py"
    assert _insert(no_final_newline, "a", "a b.py") == no_final_newline + "\n    deps:\n    - 'a b.py'"
    block_scalar = "stages:\n  a:\n    cmd: >-\n      python a.py\n      --x 1\n\n    outs:\n      - o\n"
    assert _insert(block_scalar, "a", "a.py") == (
        "stages:\n  a:\n    cmd: >-\n      python a.py\n      --x 1\n\n    deps:\n      - a.py\n    outs:\n      - o\n"
    )
    assert _insert("stages:\n  a:\n    cmd: python a.py\n    deps: [b]\n", "a", "a.py") is None


def test_workspace_md5_streams_and_respects_the_limit(tmp_path: Path) -> None:
    data = b"line\r\n" * 400_000  # 2.4 MB: several chunks, a CR at a chunk boundary
    repo = _repo(tmp_path, {"big.txt": ""})
    (tmp_path / "big.txt").write_bytes(data)
    assert workspace_md5(repo, "big.txt", 10**7) == hashlib.md5(data, usedforsecurity=False).hexdigest()
    legacy = hashlib.md5(data.replace(b"\r\n", b"\n"), usedforsecurity=False).hexdigest()
    assert workspace_md5(repo, "big.txt", 10**7, "lf") == legacy
    assert workspace_md5(repo, "big.txt", 10**7, "crlf") == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert workspace_md5(repo, "big.txt", 1000) is None


def test_clean_dvc_project_is_clean_for_every_data_rule(tmp_path: Path) -> None:
    """The issue's acceptance: the layout `dvc add`/`stage add`/`repro` leave raises nothing from
    the whole data family (pointers, ignores, pipeline, lock, committed files), all defaults on."""
    _project(tmp_path, {})
    report = api.lint([tmp_path])  # the default rule set (--check-data is opt-in)
    assert not report.errors
    assert_findings([], [d for d in report.diagnostics if d.family.value == "data"])
