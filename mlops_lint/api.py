"""The library interface: `lint` and `fix`. Pure of any terminal concerns; the CLI calls these."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlops_lint.baseline import Baseline
from mlops_lint.cache import Cache
from mlops_lint.catalogue import RuleMeta
from mlops_lint.config import Config, ConfigError, load_config
from mlops_lint.context.declared_requirements import declaration_files
from mlops_lint.context.files import FileContext, classify
from mlops_lint.context.git_history import HistoryScope
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.run_options import RunOptions, combined_interest
from mlops_lint.diagnostics import Diagnostic, Family, RunReport
from mlops_lint.discovery import Inventory, build_inventory, changed_files, find_root, select_targets
from mlops_lint.engine import ActiveRules, suppress
from mlops_lint.parallel import default_jobs
from mlops_lint.registry import registry
from mlops_lint.result_cache import ResultCache
from mlops_lint.rule import EngineEvent
from mlops_lint.run_rules import run_rules
from mlops_lint.selection import PerFileIgnores, check_selectors, effective_ruff, enabled_codes


@dataclass(frozen=True)
class Overrides:
    """Command-line settings that override or extend the configuration file."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    config_file: Path | None = None
    only: tuple[str, ...] = field(default=())  # exact codes to run (the test harness)
    options: Mapping[str, Mapping] = field(default_factory=dict)  # per-rule options on top of config
    history: str | None = None  # "all", "none", "staged" or a range "A..B"; None: pre-push's range or all
    cache: bool = True
    progress: bool = False  # history scan progress on stderr (the CLI, on a terminal)
    baseline: Path | None = None  # report only findings not acknowledged in this file
    changed_since: str | None = None  # per-file rules only on files changed since this revision
    jobs: int | None = None  # processes for the Python rules; None: all cores (small runs stay in-process)
    fail_on: str | None = None  # "error", "warning" or "info": replaces the configuration's `fail-on`


@dataclass(frozen=True)
class Session:
    """Everything a run needs, resolved once: root, configuration, files and rules."""

    root: Path
    config: Config
    inventory: Inventory
    targets: tuple[str, ...]
    rules: ActiveRules
    metas: Mapping[str, RuleMeta]
    per_file: PerFileIgnores
    ruff_active: bool = False
    run_options: RunOptions = field(default_factory=RunOptions)
    baseline: Baseline | None = None
    result_cache: ResultCache | None = None
    jobs: int = 1

    def repo(self, overlays: Mapping[str, str] | None = None) -> RepoContext:
        extra = tuple(path for path in overlays or {} if path not in self.targets)
        return RepoContext(
            self.root,
            self.inventory,
            self.config,
            overlays,
            targets=self.targets + extra,
            run_options=self.run_options,
            result_cache=self.result_cache,
        )

    def save_cache(self) -> None:
        if self.result_cache is not None:
            self.result_cache.save(self.inventory.files)


def open_session(paths: Sequence[Path], overrides: Overrides = Overrides()) -> Session:
    """Resolve root, configuration, inventory and rules. Raises ConfigError on bad configuration."""
    paths = list(paths) or [Path.cwd()]
    anchor = Path(_common_dir(paths))
    root = find_root(anchor)
    reg = registry()
    metas = {code: meta for code, (meta, _cls) in reg.items()}
    for flag, values in (("--select", overrides.select), ("--extend-select", overrides.extend_select)):
        check_selectors(values or (), metas, flag)  # so that an error below names the configuration file
    check_selectors(overrides.ignore, metas, "--ignore")
    config = load_config(root, metas, overrides.config_file).with_overrides(
        select=overrides.select,
        extend_select=overrides.extend_select,
        ignore=overrides.ignore,
        exclude=overrides.exclude,
        fail_on=overrides.fail_on,
    )
    with _named(config):
        codes = list(overrides.only) if overrides.only else enabled_codes(metas, config)
        per_file = PerFileIgnores.from_config(config, metas)
    options = {code: {**config.rule_options.get(code, {}), **overrides.options.get(code, {})} for code in codes}
    inventory = build_inventory(root, config.exclude)
    targets = select_targets(root, inventory, paths, config.exclude)
    if overrides.changed_since:
        changed = changed_files(root, overrides.changed_since)
        targets = [path for path in targets if path in changed]
    rules = ActiveRules.build(reg, codes, options)
    # the harness (`only`) runs ruff just for the examples of the rule that reports ruff's failures
    ruff = effective_ruff(config)
    if ruff is not None:
        config = replace(config, ruff=ruff)  # `--select F401` runs only ruff's F401
    reports_ruff = EngineEvent.RUFF_FAILED in rules.engine_reporters
    ruff_active = reports_ruff and config.ruff.enabled if overrides.only else ruff is not None
    scope = HistoryScope.parse(overrides.history) if overrides.history else HistoryScope.from_environment()
    run_options = RunOptions(
        history=scope or HistoryScope(),
        cache=overrides.cache,
        progress=overrides.progress,
        interest=combined_interest(
            interest
            for settings, rule_cls in rules.repo_rules
            if (interest := rule_cls.history_interest(settings.options)) is not None
        ),
    )
    return Session(
        root=root,
        config=config,
        inventory=inventory,
        targets=tuple(targets),
        rules=rules,
        metas=metas,
        per_file=per_file,
        ruff_active=ruff_active,
        run_options=run_options,
        baseline=_baseline(root, overrides, config),
        result_cache=ResultCache(Cache(root), _cache_key(root, inventory, config, rules)) if overrides.cache else None,
        jobs=overrides.jobs or default_jobs(),
    )


@contextmanager
def _named(config: Config) -> Iterator[None]:
    """A selector error found in the configuration names the file it came from."""
    try:
        yield
    except ConfigError as exc:
        name = Path(config.source).name if config.source else "configuration"
        raise ConfigError(f"{name}: {exc}") from None


def _baseline(root: Path, overrides: Overrides, config: Config) -> Baseline | None:
    """`--baseline FILE`, else the configured `baseline = "..."` once it has been written."""
    if overrides.baseline is not None:
        return Baseline.load(overrides.baseline)
    if config.baseline is None or not (root / config.baseline).is_file():
        return None
    return Baseline.load(root / config.baseline)


def _cache_key(root: Path, inventory: Inventory, config: Config, rules: ActiveRules) -> str:
    """The rules' key, and the packaging files' digests when a rule reads the declared requirements."""
    if not any(cls.reads_declared_requirements for _settings, cls in rules.python_rules):
        return rules.cache_key
    digests = [
        f"{path}:{FileContext(path=path, root=root, kind=classify(path), max_bytes=config.max_file_bytes).digest}"
        for path in declaration_files(inventory.files)
    ]
    return hashlib.sha256("\n".join([rules.cache_key, *digests]).encode()).hexdigest()[:16]


def _common_dir(paths: Sequence[Path]) -> str:
    import os

    resolved = [str(p.resolve() if p.is_dir() else p.resolve().parent) for p in paths]
    return os.path.commonpath(resolved)


def _lint_repo(session: Session, repo: RepoContext) -> RunReport:
    try:
        return _report(session, repo)
    finally:
        repo.close()  # whatever read git last (a memo hit's live rules, suppression, the baseline)


def _report(session: Session, repo: RepoContext) -> RunReport:
    targets = list(repo.targets)
    result = run_rules(session, repo, targets)
    if set(session.targets) != set(session.inventory.files):
        result.diagnostics = in_scope(result.diagnostics, repo.targets)
    kept, dropped = suppress(repo, result.diagnostics, session.metas, session.per_file)
    unique = sorted(set(kept), key=Diagnostic.sort_key)
    baselined = 0
    if session.baseline is not None:
        unique, baselined, stale = session.baseline.split(repo, unique)
        if stale:
            repo.notices.append(
                f"{len(stale)} baseline {'entry no longer matches' if len(stale) == 1 else 'entries no longer match'} "
                "any finding "
                "(fixed, or the code moved): run `mlops-lint baseline --prune` to drop them"
            )
    return RunReport(
        diagnostics=tuple(unique),
        baselined=baselined,
        errors=tuple(result.errors),
        files_checked=len(targets),
        suppressed=dropped,
        root=str(session.root),
        notices=tuple(dict.fromkeys(repo.notices)),
        fail_on=session.config.fail_on,
    )


def in_scope(diagnostics: Sequence[Diagnostic], targets: Sequence[str]) -> list[Diagnostic]:
    """When only some files were named (pre-commit passes the changed files, perhaps split over
    several runs), keep the findings about those files or the folders holding them, and the
    engine's own. Repository rules read every file but report only on what was asked about, so
    the findings of split runs add up to those of one run and an unrelated commit is not blocked."""
    named = set(targets)
    folders = {parent for path in named for parent in _parents(path)}
    return [
        d
        for d in diagnostics
        if d.family is Family.INTERNAL or d.location.path in named or d.location.path.rstrip("/") in folders
    ]


def _parents(path: str) -> list[str]:
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def lint(paths: Sequence[Path], overrides: Overrides = Overrides()) -> RunReport:
    session = open_session(paths, overrides)
    return lint_session(session)


def lint_session(session: Session) -> RunReport:
    report = _lint_repo(session, session.repo())
    session.save_cache()
    return report


# the fix loop, named here so that a test can stand in for it (api_fix calls it through this module)
# `fix`, the baseline and the diff live in api_fix; they are part of this public API
from mlops_lint.api_fix import (  # noqa: E402 - api_fix imports this module's Session and lint
    baseline_entries,
    baseline_target,
    fix,
    fix_session,
    unified_diff,
)
from mlops_lint.fixer import fix_to_fixed_point  # noqa: E402

__all__ = [
    "Overrides",
    "Session",
    "baseline_entries",
    "baseline_target",
    "fix",
    "fix_session",
    "fix_to_fixed_point",
    "in_scope",
    "lint",
    "lint_session",
    "open_session",
    "unified_diff",
]
