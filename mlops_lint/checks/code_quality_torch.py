"""Code quality: PyTorch training-loop smells (gradients, train/eval mode, loss graphs, unsafe loads)."""

from __future__ import annotations

from mlops_lint.rule import Rule

RULES: list[type[Rule]] = []
