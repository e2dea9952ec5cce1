"""Which rules run, grouped by how they run (path, Python, repository, engine events), and what a
file's run yields (`FileResult`). Built once per run from the registry and the enabled codes."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from mlops_lint.catalogue import RuleMeta
from mlops_lint.diagnostics import Diagnostic, Location, RuleError
from mlops_lint.result_cache import rules_key
from mlops_lint.rule import EngineEvent, EngineRule, PathRule, PythonRule, RepoRule, Rule, RuleSettings

if TYPE_CHECKING:
    pass


def _shown(meta: RuleMeta) -> list[str | None]:
    return [str(meta.severity), meta.message, meta.help]


@dataclass(frozen=True)
class ActiveRules:
    """The enabled rules, split by how they run, with their settings resolved once."""

    path_rules: tuple[tuple[RuleSettings, type[PathRule]], ...]
    python_rules: tuple[tuple[RuleSettings, type[PythonRule]], ...]
    repo_rules: tuple[tuple[RuleSettings, type[RepoRule]], ...]
    engine_rules: Mapping[str, RuleSettings]
    # the enabled engine rules by the event they report (`EngineRule.reports`): the engine asks for
    # "the rule that reports an unparsable file", never for a code
    engine_reporters: Mapping[EngineEvent, EngineRule] = field(default_factory=dict)

    @property
    def cache_key(self) -> str:
        """What cached per-file Python results depend on: the Python rules, their options, the engine codes,
        and the catalogue text each finding carries (severity, message, help), so that a catalogue edit
        without a version bump never serves findings with the old severity or wording."""
        return rules_key(
            ((s.meta.code, {"options": dict(s.options), "shown": _shown(s.meta)}) for s, _c in self.python_rules),
            [json.dumps([code, *_shown(settings.meta)]) for code, settings in self.engine_rules.items()],
        )

    @classmethod
    def build(
        cls, registry: Mapping[str, tuple[RuleMeta, type[Rule]]], codes: Iterable[str], options: Mapping[str, Mapping]
    ) -> ActiveRules:
        path, python, repo, engine, reporters = [], [], [], {}, {}
        for code in codes:
            meta, rule_cls = registry[code]
            settings = RuleSettings(meta, {**meta.default_options(), **options.get(code, {})})
            if issubclass(rule_cls, PythonRule):
                python.append((settings, rule_cls))
            elif issubclass(rule_cls, PathRule):
                path.append((settings, rule_cls))
            elif issubclass(rule_cls, RepoRule):
                repo.append((settings, rule_cls))
            else:
                engine[code] = settings
                if issubclass(rule_cls, EngineRule):
                    reporters[rule_cls.reports] = rule_cls(settings)
        return cls(tuple(path), tuple(python), tuple(repo), engine, reporters)

    @cached_property
    def live(self) -> ActiveRules:
        """Only the path and repository rules that read outside the listed files: what a run whose
        findings were memoized still runs, and what no memo answers (see `run_memo.py`)."""
        return self._reading_outside(True)

    @cached_property
    def settled(self) -> ActiveRules:
        """The path and repository rules that read only listed files: what a memo may answer."""
        return self._reading_outside(False)

    def _reading_outside(self, outside: bool) -> ActiveRules:
        return ActiveRules(
            tuple(rule for rule in self.path_rules if rule[1].reads_outside_files == outside),
            (),
            tuple(rule for rule in self.repo_rules if rule[1].reads_outside_files == outside),
            {},
        )

    @property
    def codes(self) -> frozenset[str]:
        rules = (*self.path_rules, *self.python_rules, *self.repo_rules)
        return frozenset(settings.meta.code for settings, _cls in rules) | frozenset(self.engine_rules)


@dataclass
class FileResult:
    diagnostics: list[Diagnostic]
    errors: list[RuleError]
    transient: bool = False  # an analysis was stopped by the time limit: not to be remembered


def _error(code: str, path: str, exc: BaseException) -> RuleError:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return RuleError(code=code, location=Location(path=path), error=f"{type(exc).__name__}: {exc}{where}")
