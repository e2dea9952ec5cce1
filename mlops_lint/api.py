"""The library interface: `lint` and `fix`. Pure of any terminal concerns; the CLI calls these."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlops_lint.baseline import Baseline, Entry, entries_for
from mlops_lint.cache import Cache
from mlops_lint.catalogue import RuleMeta
from mlops_lint.checks.git_history import history_interest
from mlops_lint.checks.internal import RuffFailed
from mlops_lint.config import Config, ConfigError, load_config
from mlops_lint.context.declared_requirements import declaration_files
from mlops_lint.context.files import FileContext, classify
from mlops_lint.context.git_history import HistoryScope
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.run_options import RunOptions
from mlops_lint.diagnostics import Diagnostic, Family, RunReport
from mlops_lint.discovery import Inventory, build_inventory, changed_files, find_root, select_targets
from mlops_lint.engine import ActiveRules, run, suppress
from mlops_lint.fixer import FixReport
from mlops_lint.parallel import default_jobs
from mlops_lint.registry import registry
from mlops_lint.result_cache import ResultCache
from mlops_lint.ruff_refine import drop_replaced, replacing
from mlops_lint.ruff_session import ruff_findings, start_ruff
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
    # the harness (`only`) runs ruff just for MLX002's own examples
    ruff = effective_ruff(config)
    if ruff is not None:
        config = replace(config, ruff=ruff)  # `--select F401` runs only ruff's F401
    ruff_active = RuffFailed.code in overrides.only and config.ruff.enabled if overrides.only else ruff is not None
    rules = ActiveRules.build(reg, codes, options)
    scope = HistoryScope.parse(overrides.history) if overrides.history else HistoryScope.from_environment()
    run_options = RunOptions(
        history=scope or HistoryScope(),
        cache=overrides.cache,
        progress=overrides.progress,
        interest=history_interest({settings.meta.code: settings for settings, _cls in rules.repo_rules}),
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
    targets = list(repo.targets)
    ruff = start_ruff(session, repo, targets) if session.ruff_active else None
    try:
        result = run(repo, targets, session.rules, session.jobs)
    except BaseException:
        if ruff is not None:
            ruff.cancel()
        raise
    if ruff is not None:
        result.diagnostics = drop_replaced(
            result.diagnostics + ruff_findings(session, repo, ruff), replacing(session.rules)
        )
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


def baseline_entries(
    paths: Sequence[Path], overrides: Overrides = Overrides(), prune: Path | None = None
) -> list[Entry]:
    """The entries a baseline file should hold now: every current finding, or, with `prune`, only the
    entries of that baseline that still match a finding (a pruned baseline never grows)."""
    session = replace(open_session(paths, replace(overrides, baseline=None)), baseline=None)  # nothing filtered
    repo = session.repo()
    report = _lint_repo(session, repo)
    current = entries_for(repo, report.diagnostics)
    if prune is None:
        return current
    remaining = Counter((e.code, e.path, e.fingerprint) for e in current)
    kept = []
    for entry in Baseline.load(prune).entries:
        key = (entry.code, entry.path, entry.fingerprint)
        if remaining[key] > 0:
            remaining[key] -= 1
            kept.append(entry)
    return kept


def baseline_target(paths: Sequence[Path], overrides: Overrides = Overrides()) -> Path | None:
    """The configured baseline file (`baseline = "..."`, relative to the project root), if any."""
    config_paths = list(paths) or [Path.cwd()]
    root = find_root(Path(_common_dir(config_paths)))
    configured = load_config(root, {code: meta for code, (meta, _cls) in registry().items()}, overrides.config_file)
    return root / configured.baseline if configured.baseline else None


def fix(
    paths: Sequence[Path], overrides: Overrides = Overrides(), unsafe: bool = False, write: bool = True
) -> FixReport:
    """Apply fixes to a fixed point; write changed files atomically unless `write` is False (`api_fix`)."""
    return fix_session(open_session(paths, overrides), unsafe=unsafe, write=write)


def fix_session(session: Session, unsafe: bool = False, write: bool = True) -> FixReport:
    from mlops_lint import api_fix  # api_fix builds on this module: imported when a fix is asked for

    return api_fix.fix_session(session, unsafe=unsafe, write=write)


def unified_diff(report: FixReport) -> str:
    from mlops_lint import api_fix

    return api_fix.unified_diff(report)
