"""The pandas rules together on one mixed file: they fire on the pandas objects and nothing else."""

from __future__ import annotations

from pathlib import Path

import libcst as cst

from mlops_lint import api
from mlops_lint.context.kinds import Kind
from mlops_lint.context.python import PythonContext
from tests.helpers import git_init, write_files

PANDAS_CODES = ("MLS001", "MLS002", "MLS003", "MLS004", "MLS006", "MLS007", "MLS008", "MLS009")

MIXED = """\
import numpy as np
import pandas as pd
from pandas import read_csv as rc

values = {"lr": 0.1, "epochs": 3}
for v in values.values():
    print(v)
config = {"train": {"lr": 0.1}}
config["train"]["lr"] = 0.2
config.update(values)
rows = [r for r in values.items()]

train = rc("train.csv")
test = pd.read_csv("test.csv", dtype={"id": "string"})
train.dropna()
labels = train["label"].values
matrix = train[["a", "b"]].values
train["age"][train["age"] < 0] = 0
if train["age"].mean() == np.nan:
    print("empty")
for _, row in train.iterrows():
    print(row)
joined = train.merge(test)
test = test.fillna(0, inplace=True)
print(values["lr"] == np.nan, values.values())
"""


def test_pandas_rules_fire_exactly_on_pandas_objects(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"mixed.py": MIXED})
    report = api.lint([tmp_path], api.Overrides(only=PANDAS_CODES))
    assert not report.errors, report.errors
    found = sorted(
        (d.code, d.location.span.start_line, d.location.span.start_col)
        for d in report.diagnostics
        if d.location.span is not None
    )
    assert found == [
        ("MLS001", 21, 15),  # train.iterrows()
        ("MLS002", 19, 4),  # train["age"].mean() == np.nan
        ("MLS002", 25, 7),  # values["lr"] == np.nan: the NaN comparison is a bug whatever the left side is
        ("MLS003", 18, 1),  # train["age"][mask] = 0
        ("MLS004", 13, 9),  # rc("train.csv"): read_csv under another name
        ("MLS006", 23, 10),  # train.merge(test)
        ("MLS007", 15, 1),  # train.dropna()
        ("MLS008", 24, 1),  # test = test.fillna(0, inplace=True)
        ("MLS009", 16, 10),  # train["label"].values
        ("MLS009", 17, 10),  # train[["a", "b"]].values
    ]
    assert len(report.diagnostics) == len(found)


def test_inplace_assignment_leaves_the_frame_kind_known() -> None:
    source = (
        "import pandas as pd\n"
        'df = pd.read_csv("a.csv")\n'
        "df = df.fillna(0, inplace=True)\n"
        "out = df.dropna(inplace=True)\n"
        "x = df\n"
    )
    context = PythonContext("a.py", cst.parse_module(source))
    statements = context.module.body
    last = statements[-1].body[0]
    result = statements[-2].body[0]
    assert isinstance(last, cst.Assign) and isinstance(result, cst.Assign)
    assert context.kinds.of(last.value) is Kind.DATAFRAME
    assert context.kinds.of(result.targets[0].target) is None
