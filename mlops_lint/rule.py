"""What a rule is: a catalogue entry's code plus one small class that holds only the logic.

Rules never read files or run commands. They read the typed contexts the engine builds once
(`RepoContext`, `FileContext`, a parsed Python module) and return diagnostics. That keeps them
pure, so the engine is free to run them in another process or to serve them from a cache.

- `PathRule`: looks at one file (its path, kind and, through the context, its text).
- `PythonRule`: `visit_<Node>` / `leave_<Node>` methods, as on a libcst visitor; every Python
  rule of a file shares one parse and one traversal (`cst_walk.visit_batched`), as in Fixit.
- `RepoRule`: runs once per run over the repository's per-file facts.
- `EngineRule`: a code the engine itself reports (an unparsable file); no logic of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from mlops_lint.diagnostics import Diagnostic, Location, Severity, StrEnum
from mlops_lint.fixes import Applicability, Fix

if TYPE_CHECKING:
    import ast

    import libcst as cst

    from mlops_lint.catalogue import RuleMeta
    from mlops_lint.context.ast_index import AstIndex
    from mlops_lint.context.files import FileContext, FileKind
    from mlops_lint.context.git_history import Interest
    from mlops_lint.context.python import PythonContext
    from mlops_lint.context.repo import RepoContext
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


@dataclass(frozen=True, slots=True)
class NodeFix:
    """A fix stated in nodes: each node is replaced by the given source text, and each
    `lines_before` entry inserts a new line, indented like the node, above the node's line.

    The engine turns it into a `Fix` of `TextEdit`s once positions are known, so that a rule
    never pays for position metadata on a file where it finds nothing. Replacement text for a
    changed node is best produced with libcst itself: `context.code_for(node.with_changes(...))`.
    """

    title: str
    replacements: tuple[tuple[cst.CSTNode, str], ...]
    applicability: Applicability = Applicability.SAFE
    lines_before: tuple[tuple[cst.CSTNode, str], ...] = ()
    isolated: bool = False  # a scope-wide fix (a rename): see `Fix.isolated`


@dataclass(frozen=True, slots=True)
class RuleSettings:
    """A rule's catalogue entry and its effective options (defaults merged with config)."""

    meta: RuleMeta
    options: Mapping[str, Any]


class Rule:
    """Common base: the catalogue code and how to build a diagnostic from the message template."""

    code: ClassVar[str]
    # ruff codes whose finding at the same place one of ours says again, with more to say: the
    # ruff finding is dropped (MLJ004's hidden state is ruff's F821 "undefined name", explained)
    replaces_ruff: ClassVar[frozenset[str]] = frozenset()
    # Reads more than the listed files' contents and git's HEAD, index and refs: the git history, or
    # work-tree paths git does not list (pulled data, DVC outputs). A run whose files did not change
    # still runs such a rule instead of reusing its findings (see `run_memo.py`).
    reads_outside_files: ClassVar[bool] = False

    def __init__(self, settings: RuleSettings) -> None:
        self.settings = settings

    @property
    def meta(self) -> RuleMeta:
        return self.settings.meta

    @property
    def options(self) -> Mapping[str, Any]:
        return self.settings.options

    def diagnostic(
        self, location: Location, fix: Fix | None = None, severity: Severity | None = None, **message_args: Any
    ) -> Diagnostic:
        """A finding with the catalogue's message. `severity` lowers this one finding (a rule that is
        less sure in some places, e.g. a per-example file of a library, says `info` there, and an
        experiment skeleton still to fill in is a warning, not broken metadata); it never raises a
        finding above the rule's own severity."""
        meta = self.settings.meta
        if severity is None or severity.rank < meta.severity.rank:
            severity = meta.severity
        return Diagnostic(
            code=meta.code,
            name=meta.name,
            family=meta.family,
            severity=severity,
            message=meta.format_message(**message_args),
            location=location,
            fix=fix,
            help=meta.format_help(**message_args),
        )

    def fix_title(self, **args: Any) -> str:
        title = self.settings.meta.fix_title or "Apply the fix"
        return title.format(**args)


class PathRule(Rule):
    """A rule over single files, chosen by kind; `kinds = None` means every file."""

    kinds: ClassVar[frozenset[FileKind] | None] = None

    def check(self, file: FileContext, repo: RepoContext) -> Iterable[Diagnostic]:
        raise NotImplementedError


class RepoRule(Rule):
    """A rule that runs once per run and reads the repository's per-file facts."""

    # Reads `repo.facts(path)` of Python modules: the process pool then computes the facts in the
    # workers, next to the parse they already made, instead of parsing every module again here.
    reads_module_facts: ClassVar[bool] = False

    @classmethod
    def history_interest(cls, options: Mapping[str, Any]) -> Interest | None:
        """What the one git history scan must collect for this rule, given its options; None for a
        rule that reads no history. A rule that returns one says `needs: [history]` in the catalogue
        (a test keeps the two in step), so the engine starts the scan only when such a rule is on."""
        return None

    def check(self, repo: RepoContext) -> Iterable[Diagnostic]:
        raise NotImplementedError


class EngineEvent(StrEnum):
    """What the engine itself reports; the engine rule that declares the event gives it a code."""

    UNPARSABLE_FILE = "unparsable-file"  # a Python file that cannot be read as text or parsed
    RUFF_FAILED = "ruff-failed"  # ruff could not be run, or crashed on a file


class EngineRule(Rule):
    """A code reported by the engine itself (family `internal`), for the event it declares."""

    reports: ClassVar[EngineEvent]


class PythonRule(Rule):
    """Visitor methods (`visit_Call(node)`, `leave_FunctionDef(node)`) run in one batched traversal
    with every other Python rule of the file. Not a `cst.CSTVisitor` subclass: the traversal is our
    own (`cst_walk.visit_batched`), and libcst is only imported once a file needs parsing.

    Two cheap tests decide whether the rule runs on a file, so that a file in which no enabled
    rule can fire is never parsed by libcst: `wants` on the text (`triggers` lists substrings of
    which at least one must occur), then `candidate` on the `AstIndex` of the file's `ast` tree
    (what it imports, calls, names...). Both must be supersets of the rule's findings: "this file
    may contain a finding of mine" (tests/test_candidates.py forces every rule to run to check).
    Positions are not resolved during the traversal: `report` records the node and the engine
    computes positions afterwards, only for files that produced findings.
    """

    triggers: ClassVar[tuple[str, ...]] = ()
    # Reads `context.declared_requirements` (the project's packaging files): cached results of the
    # file then also depend on those files (`declared_requirements.declaration_files`).
    reads_declared_requirements: ClassVar[bool] = False

    @classmethod
    def wants(cls, text: str, options: Mapping[str, Any]) -> bool:
        """Whether the source text can trigger this rule at all (cheap substring test)."""
        return not cls.triggers or any(token in text for token in cls.triggers)

    @classmethod
    def candidate(cls, index: AstIndex, options: Mapping[str, Any]) -> bool:
        """Whether the module's `ast` can hold a finding of this rule (default: it may)."""
        return True

    # Decided on the `ast` alone: the engine reports `ast_findings` and never parses a file with
    # libcst for this rule. The libcst visitor stays the reference the `ast` judgement is tested
    # against (tests/test_ast_judged.py), and what `tests/test_candidates.py` forces to run.
    judged_on_ast: ClassVar[bool] = False

    @classmethod
    def ast_findings(cls, index: AstIndex, options: Mapping[str, Any]) -> list[tuple[ast.expr, dict[str, Any]]]:
        """(node, message arguments) of each finding, for a rule `judged_on_ast`."""
        raise NotImplementedError

    def __init__(self, settings: RuleSettings, context: PythonContext) -> None:
        Rule.__init__(self, settings)
        self.context = context
        self.reports: list[tuple[cst.CSTNode, NodeFix | None, dict[str, Any]]] = []

    def report(self, node: cst.CSTNode, fix: NodeFix | None = None, **message_args: Any) -> None:
        self.reports.append((node, fix, message_args))

    def node_fix(
        self,
        replacements: Iterable[tuple[cst.CSTNode, str]],
        applicability: Applicability | None = None,
        lines_before: Iterable[tuple[cst.CSTNode, str]] = (),
        isolated: bool = False,
        **title_args: Any,
    ) -> NodeFix:
        """A fix with the catalogue's title template and applicability (unless overridden)."""
        return NodeFix(
            title=self.fix_title(**title_args),
            replacements=tuple(replacements),
            applicability=applicability or self.meta.fix_applicability or Applicability.DISPLAY_ONLY,
            lines_before=tuple(lines_before),
            isolated=isolated,
        )
