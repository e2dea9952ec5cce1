"""Reproducibility: DataLoader shuffling without a generator (MLR003), nondeterministic torch training
(MLR004) and absolute local paths (MLR006)."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlops_lint.context import pyutil
from mlops_lint.diagnostics import Severity
from mlops_lint.rule import PythonRule, Rule, RuleSettings

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.ast_index import AstIndex
    from mlops_lint.context.python import PythonContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


# --- MLR003 dataloader-shuffle-without-generator ------------------------------------------------

_DATALOADERS = frozenset({"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"})


class DataloaderShuffleWithoutGenerator(PythonRule):
    code = "MLR003"
    triggers = ("DataLoader",)

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        return "shuffle" in index.keywords and index.calls(_DATALOADERS)

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return super().wants(text, options) and bool(re.search(r"shuffle\s*=\s*True", text))

    # The call and its keywords are all it reads: the `ast` says as much as libcst, so the files
    # that have a finding of this rule only (most of a diffusion repository's training scripts)
    # are not parsed with libcst for it. `visit_Call` below is the same test on libcst nodes.
    judged_on_ast = True

    @classmethod
    def ast_findings(cls, index: AstIndex, options: Mapping[str, Any]) -> list[tuple[ast.expr, dict[str, Any]]]:
        found: list[tuple[ast.expr, dict[str, Any]]] = []
        for call in index.calls_resolving_to(_DATALOADERS):
            shuffle = next((k for k in call.keywords if k.arg == "shuffle"), None)
            if shuffle is None or not (isinstance(shuffle.value, ast.Constant) and shuffle.value.value is True):
                continue
            if any(k.arg in ("generator", "sampler", None) for k in call.keywords):
                continue  # passes a generator or a sampler, or may (`**kwargs`)
            found.append((call, {}))
        return found

    def visit_Call(self, node: cst.Call) -> None:
        if pyutil.call_name_in(self, node, _DATALOADERS) is None:
            return
        shuffle = pyutil.keyword(node, "shuffle")
        if shuffle is None or not pyutil.is_true(shuffle.value):
            return
        if pyutil.passes(node, "generator") or pyutil.passes(node, "sampler"):
            return
        self.report(node)


# --- MLR004 nondeterministic-torch-training -----------------------------------------------------

_DETERMINISM_SWITCHES = frozenset({"torch.use_deterministic_algorithms"})
_LIGHTNING_TRAINERS = frozenset({"lightning.Trainer", "pytorch_lightning.Trainer", "lightning.pytorch.Trainer"})


class NondeterministicTorchTraining(PythonRule):
    code = "MLR004"
    triggers = ("backward", "cudnn")

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        return "backward" in index.called_attrs or index.mentions(("benchmark",))

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        return "torch" in text and super().wants(text, options)

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.first_backward: cst.Call | None = None
        self.deterministic = False

    def visit_Assign(self, node: cst.Assign) -> None:
        if not pyutil.is_true(node.value):
            return
        for target in node.targets:
            names = pyutil.qualified_names(self, target.target)
            if "torch.backends.cudnn.benchmark" in names:
                self.report(node, reason="torch.backends.cudnn.benchmark = True picks kernels by timing")
            elif "torch.backends.cudnn.deterministic" in names:
                self.deterministic = True

    def visit_Call(self, node: cst.Call) -> None:
        method = pyutil.method_call(node)
        if method is not None and method[1] == "backward":
            self.first_backward = self.first_backward or node
        elif pyutil.call_name_in(self, node, _DETERMINISM_SWITCHES):
            args = pyutil.positional(node)
            mode = args[0] if args else pyutil.keyword(node, "mode")
            self.deterministic |= mode is not None and pyutil.is_true(mode.value)
        elif pyutil.call_name_in(self, node, _LIGHTNING_TRAINERS):
            switch = pyutil.keyword(node, "deterministic")
            self.deterministic |= switch is not None and not _is_false(switch.value)

    def leave_Module(self, original_node: cst.Module) -> None:
        if self.first_backward is not None and not self.deterministic:
            self.report(self.first_backward, reason="Training never enables deterministic algorithms")


def _is_false(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


# --- MLR006 absolute-local-path -----------------------------------------------------------------

_USER_PATH = re.compile(
    r"^(?:/(?:home|Users)/[^/]+/|[A-Za-z]:[\\/](?:Users|Documents and Settings)[\\/]|/content/drive/."
    r"|~/(?!Library/)[^.]|/mnt/[A-Za-z]/Users/|/root/.)"
)
_TEST_FILE = re.compile(r"(^|/)(tests?/|test_[^/]*\.py$|[^/]*_test\.py$|conftest\.py$)")
_USER_PATH_ANYWHERE = re.compile(_USER_PATH.pattern.removeprefix("^"))


class AbsoluteLocalPath(PythonRule):
    code = "MLR006"
    triggers = ("/home/", "Users", "/content/drive/", "~/", "/root/", "Documents and Settings")

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """A string in use (not a docstring) holding a user path anywhere (an implicit concatenation is
        one string in the `ast`, several for libcst); a non-printable one also as its source escapes."""
        if _TEST_FILE.search(index.path) or not index.strings_containing(cls.triggers):
            return False
        return any(
            _USER_PATH_ANYWHERE.search(value)
            or (not value.isprintable() and _USER_PATH_ANYWHERE.search(value.encode("unicode_escape").decode("ascii")))
            for value in index.strings_in_use()
        )

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        super().__init__(settings, context)
        self.skip: set[int] = set()
        self.active = not _TEST_FILE.search(self.context.path)

    def visit_Expr(self, node: cst.Expr) -> None:
        """A string standing alone as a statement is a docstring or a comment, not a path in use."""
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            self.skip.update(id(child) for child in pyutil.walk(node.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.active and id(node) not in self.skip:
            self._check(node, pyutil.string_value(node))

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        if not self.active or id(node) in self.skip or not node.parts:
            return
        first = node.parts[0]
        if isinstance(first, cst.FormattedStringText):  # only the literal prefix can be judged
            raw = "r" in node.prefix.lower()
            self._check(node, first.value if raw else first.value.replace("\\\\", "\\"))

    def _check(self, node: cst.CSTNode, value: str | None) -> None:
        if value and _USER_PATH.match(value):
            shown = value if len(value) <= 40 else value[:37] + "..."
            # `~/...` names no user: it works for everyone whose machine has that layout (DeepSpeed's
            # `~/hostfile`), so it is advice; a path with someone's user name in it is a warning
            home_relative = value.startswith("~/")
            self.report(node, path=shown, severity=Severity.INFO if home_relative else None)


RULES: list[type[Rule]] = [DataloaderShuffleWithoutGenerator, NondeterministicTorchTraining, AbsoluteLocalPath]
