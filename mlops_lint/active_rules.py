"""The enabled rules of a run, split by how they run, and the records every runner shares: a
file's findings and rule errors, a crashed rule as a `RuleError`, and the engine's own finding
(MLI001) for what cannot be analysed.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mlops_lint.catalogue import RuleMeta
from mlops_lint.checks.internal import UnparsableFile
from mlops_lint.diagnostics import Diagnostic, Location, RuleError, Span
from mlops_lint.result_cache import rules_key
from mlops_lint.rule import PathRule, PythonRule, RepoRule, Rule, RuleSettings


def _shown(meta: RuleMeta) -> list[str | None]:
    return [str(meta.severity), meta.message, meta.help]


@dataclass(frozen=True)
class ActiveRules:
    """The enabled rules, split by how they run, with their settings resolved once."""

    path_rules: tuple[tuple[RuleSettings, type[PathRule]], ...]
    python_rules: tuple[tuple[RuleSettings, type[PythonRule]], ...]
    repo_rules: tuple[tuple[RuleSettings, type[RepoRule]], ...]
    engine_rules: Mapping[str, RuleSettings]

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
        path, python, repo, engine = [], [], [], {}
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
        return cls(tuple(path), tuple(python), tuple(repo), engine)


@dataclass
class FileResult:
    diagnostics: list[Diagnostic]
    errors: list[RuleError]


def rule_error(code: str, path: str, exc: BaseException) -> RuleError:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
    return RuleError(code=code, location=Location(path=path), error=f"{type(exc).__name__}: {exc}{where}")


TOO_DEEP_TO_ANALYSE = "code is nested too deeply for libcst to analyse (other checks still ran)"


def engine_finding(rules: ActiveRules, path: str, span: Span | None, **args: str) -> list[Diagnostic]:
    return located_engine_finding(rules, Location(path=path, span=span), **args)


def located_engine_finding(rules: ActiveRules, location: Location, **args: str) -> list[Diagnostic]:
    settings = rules.engine_rules.get(UnparsableFile.code)
    return [UnparsableFile(settings).diagnostic(location, **args)] if settings else []
