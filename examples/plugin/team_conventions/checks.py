"""TEAM001: a training script (it calls `.fit(...)` or an optimizer's `.step()`) logs its hyperparameters.

A plugin rule reads what a built-in rule reads: here the parsed module, through the libcst visitor
methods of `PythonRule`. It never imports the linted code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlops_lint.rule import PythonRule

if TYPE_CHECKING:
    import libcst as cst
else:  # libcst on first use, as the built-in rules do: loading the plugin stays cheap
    from mlops_lint.lazy import libcst as cst

# calls that record a run's hyperparameters: MLflow, Lightning loggers, DVCLive, Keras/W&B callbacks
_LOGGING_METHODS = frozenset({"log_param", "log_params", "log_hyperparams", "save_hyperparameters", "autolog"})


def _dotted(node: cst.BaseExpression) -> str:
    """`self.optimizer.step` for an attribute chain of names; '' for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


class TrainingScriptWithoutLoggedParams(PythonRule):
    code = "TEAM001"
    triggers = (".fit(", ".step(")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.training: cst.Call | None = None
        self.training_call = ""
        self.logged = False

    def visit_Call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Attribute):
            return
        method = node.func.attr.value
        receiver = _dotted(node.func.value)
        trains = method == "fit" or (method == "step" and "optim" in receiver.rsplit(".", 1)[-1].lower())
        if trains and self.training is None:
            self.training = node
            self.training_call = f"{receiver or '...'}.{method}()"
        if method in _LOGGING_METHODS:
            self.logged = True

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # wandb.config.update(...), wandb.config.lr = ..., run.config[...]: the run's config is recorded
        if node.attr.value == "config" and _dotted(node.value).split(".")[0] in ("wandb", "run"):
            self.logged = True

    def leave_Module(self, original_node: cst.Module) -> None:
        path = self.context.path
        name = path.rsplit("/", 1)[-1]
        is_test = name.startswith("test_") or name.endswith("_test.py") or "/tests/" in f"/{path}"
        if self.training is not None and not self.logged and not is_test:
            self.report(self.training, call=self.training_call)
