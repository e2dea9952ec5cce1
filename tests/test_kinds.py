"""Kind inference: evidence from factories, methods, subscripts, annotations and self attributes."""

from __future__ import annotations

import libcst as cst
import pytest

from mlops_lint.context.kinds import Kind
from mlops_lint.context.python import PythonContext

SOURCE = """
import numpy as np
import pandas as pd
import torch
from pandas import read_csv as rc
from torch import nn, optim
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

df = pd.read_csv("a.csv")
df = df.dropna()
other = rc("b.csv")
col = df["a"]
sub = df[["a", "b"]]
arr = df.values
values = {"a": 1}
mixed = pd.read_csv("c.csv")
mixed = mixed.to_dict()
x_train, x_test, y_train, y_test = train_test_split(df, col)
scaler = StandardScaler()
t = torch.zeros(3).float()
model = nn.Linear(3, 1)
opt = optim.Adam(model.parameters())
criterion = nn.CrossEntropyLoss()
loss = criterion(model(t), t)

def f(frame: pd.DataFrame, tensor: torch.Tensor, optimizer, unknown):
    return frame, tensor, optimizer, unknown

class Net(nn.Module):
    def __init__(self):
        self.encoder = nn.Linear(2, 2)
        self.name = "net"

    def forward(self, x):
        return self.encoder, self.name

net = Net()
"""


@pytest.fixture(scope="module")
def kinds() -> tuple[PythonContext, dict[str, Kind | None]]:
    module = cst.parse_module(SOURCE)
    context = PythonContext("a.py", module)
    index = context.kinds
    found: dict[str, Kind | None] = {}

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.setdefault(node.value, index.of(node))

        def visit_Attribute(self, node: cst.Attribute) -> None:
            found.setdefault(context.code_for(node), index.of(node))

    context.wrapper.visit(Collect())
    return context, found


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("df", Kind.DATAFRAME),
        ("other", Kind.DATAFRAME),
        ("col", Kind.SERIES),
        ("sub", Kind.DATAFRAME),
        ("arr", Kind.NDARRAY),
        ("values", None),
        ("mixed", None),
        ("x_train", Kind.DATAFRAME),
        ("y_test", Kind.SERIES),
        ("scaler", Kind.TRANSFORMER),
        ("t", Kind.TENSOR),
        ("model", Kind.MODULE),
        ("opt", Kind.OPTIMIZER),
        ("criterion", Kind.LOSS_FUNCTION),
        ("loss", Kind.LOSS),
        ("frame", Kind.DATAFRAME),
        ("tensor", Kind.TENSOR),
        ("optimizer", Kind.OPTIMIZER),
        ("unknown", None),
        ("self.encoder", Kind.MODULE),
        ("self.name", None),
        ("net", Kind.MODULE),
    ],
)
def test_kind(kinds: tuple[PythonContext, dict[str, Kind | None]], name: str, kind: Kind | None) -> None:
    assert kinds[1][name] == kind
