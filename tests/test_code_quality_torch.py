"""PyTorch rules on training-loop shapes met in real repositories, beyond the catalogue examples.

Each case is a small file and the exact `line:col` findings of one rule; most cases are traps
that must stay silent (precision first).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.code_quality.torchutil import scope_nodes
from mlops_lint.checks.code_quality.value_uses import Use, UseAnalysis
from mlops_lint.context.python import PythonContext
from tests.helpers import git_init, write_files

HF_LOOP = """
def train(model, loader, optimizer, scheduler):
    tr_loss = 0.0
    for step, batch in enumerate(loader):
        outputs = model(**batch)
        loss = outputs.loss
        loss.backward()
        tr_loss += loss.detach().float()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
    return tr_loss
"""

GAN_LOOP = """
import torch

def train(netD, netG, loader, criterion):
    optimizerD = torch.optim.Adam(netD.parameters())
    optimizerG = torch.optim.Adam(netG.parameters())
    for real in loader:
        netD.zero_grad()
        errD = criterion(netD(real), 1)
        errD.backward()
        optimizerD.step()
        netG.zero_grad()
        errG = criterion(netD(netG(real)), 1)
        errG.backward()
        optimizerG.step()
"""

ACCELERATE_WITHOUT_ZERO_GRAD = """
def train(model, loader, optimizer, accelerator):
    for batch in loader:
        loss = model(batch)
        accelerator.backward(loss)
        optimizer.step()
"""

SELF_OPTIMIZER = """
import torch

class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    def fit(self, loader):
        step = 0
        while step < 100:
            for x in loader:
                self.model(x).backward()
                self.optimizer.step()
                step += 1
"""

WHILE_LOOP_HELPER_ZERO = """
def clear(model):
    model.zero_grad(set_to_none=True)

def train(model, optimizer, get_batch):
    it = 0
    while it < 10:
        clear(model)
        model(get_batch()).backward()
        optimizer.step()
        it += 1
"""

LBFGS_CLOSURE = """
def train(model, optimizer, x, y, criterion):
    for i in range(10):
        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss
        optimizer.step(closure)
"""

FINAL_EVAL_THEN_BREAK = """
def fit(model, loader, optimizer, epochs, patience):
    for epoch in range(epochs):
        for x in loader:
            optimizer.zero_grad()
            model(x).backward()
            optimizer.step()
        if epoch - patience > 10:
            model.eval()
            break
"""

EVAL_RESTORED_INLINE = """
import torch

def fit(model, loader, val_loader, optimizer, criterion):
    for epoch in range(10):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            for x, y in val_loader:
                model(x)
        model.train()
"""

TWO_MODELS_EVAL_IN_HELPER_METHOD = """
class Trainer:
    def validate(self):
        self.model.eval()
        return [self.model(x) for x in self.val]

    def fit(self, loader, optimizer):
        for x in loader:
            optimizer.zero_grad()
            self.model(x).backward()
            optimizer.step()
        self.validate()
"""

ONE_OF_TWO_MODELS_RESTORED = """
def fit(gen, disc, loader, optimizer):
    for x in loader:
        gen.train()
        optimizer.zero_grad()
        (gen(x) + disc(x)).backward()
        optimizer.step()
        gen.eval()
        disc.eval()
"""

DDP_MODULE_RESTORED = """
def fit(model, loader, optimizer):
    for x in loader:
        model.module.train()
        optimizer.zero_grad()
        model(x).backward()
        optimizer.step()
        model.eval()
"""

LOSS_REBOUND_TO_FLOAT = """
def train(model, loader, optimizer):
    total = 0.0
    for x in loader:
        optimizer.zero_grad()
        loss = model(x)
        loss.backward()
        optimizer.step()
        loss = loss.item()
        total += loss
    return total
"""

LOSS_NOT_A_LOSS = """
def train(model, loader, optimizer):
    seen = 0
    for x in loader:
        optimizer.zero_grad()
        loss = model(x)
        loss.backward()
        optimizer.step()
        n = len(x)
        seen += n
    return seen
"""

FORWARD_OF_UNKNOWN = """
import torch.nn as nn

class Wrapper(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.proj = nn.Linear(2, 2)

    def forward(self, x):
        return self.proj(self.inner.forward(x))
"""


@pytest.mark.parametrize(
    ("code", "source", "expected"),
    [
        ("MLS016", HF_LOOP, []),
        ("MLS012", HF_LOOP, []),
        ("MLS016", GAN_LOOP, []),
        ("MLS016", ACCELERATE_WITHOUT_ZERO_GRAD, ["5:9"]),
        ("MLS016", SELF_OPTIMIZER, ["13:17"]),
        ("MLS016", WHILE_LOOP_HELPER_ZERO, []),
        ("MLS016", LBFGS_CLOSURE, []),
        ("MLS014", FINAL_EVAL_THEN_BREAK, []),
        ("MLS014", EVAL_RESTORED_INLINE, []),
        ("MLS014", TWO_MODELS_EVAL_IN_HELPER_METHOD, []),
        ("MLS014", ONE_OF_TWO_MODELS_RESTORED, ["9:9"]),
        ("MLS014", DDP_MODULE_RESTORED, []),
        ("MLS012", LOSS_REBOUND_TO_FLOAT, []),
        ("MLS012", LOSS_NOT_A_LOSS, []),
        ("MLS015", FORWARD_OF_UNKNOWN, []),
    ],
)
def test_findings(code: str, source: str, expected: list[str], tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"train.py": source})
    report = api.lint([tmp_path], api.Overrides(only=(code,)))
    assert not report.errors, report.errors
    found = [f"{d.location.span.start_line}:{d.location.span.start_col}" for d in report.diagnostics if d.location.span]
    assert found == expected


def test_self_attribute_fix_names_the_attribute(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"train.py": SELF_OPTIMIZER})
    api.fix([tmp_path], api.Overrides(only=("MLS016",)), unsafe=True)
    assert (
        "                self.optimizer.zero_grad()\n                self.model(x).backward()"
        in (tmp_path / "train.py").read_text()
    )


@pytest.mark.parametrize(
    ("body", "use"),
    [
        ("acc = 0\nacc += 1\nprint(acc / 2)\n", Use.FLOAT),
        ("acc = 0\nlogger.info(f'{acc:.2f}')\nwriter.add_scalar('loss', acc, 1)\n", Use.FLOAT),
        ("acc = 0\nmean = acc / 3\nprint(mean.item())\n", Use.TENSOR),
        ("acc = []\nx = torch.stack(acc)\n", Use.TENSOR),
        ("acc = 0\nreturn acc\n", Use.UNKNOWN),
        ("acc = 0\nsend(acc)\n", Use.UNKNOWN),
    ],
)
def test_use_analysis(body: str, use: Use) -> None:
    import libcst as cst

    source = "import torch\n\ndef f(logger, writer, send):\n" + "".join(f"    {line}\n" for line in body.splitlines())
    context = PythonContext("a.py", cst.parse_module(source))
    function = next(n for n in scope_nodes(context.module) if isinstance(n, cst.FunctionDef))
    assert UseAnalysis(context.kinds, function).of_name("acc") is use
