"""Find, validate and freeze the configuration: `[tool.mlops-lint]` or `.mlops-lint.toml`.

Validation uses the shipped JSON Schema and the options schema of every rule, and each error
names the offending key (`tool.mlops-lint.rules.MLN004.aliasez: unknown key`) so the user can go
straight to it. The result is a frozen `Config`; CLI flags are merged with `with_overrides`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint.config_files import (
    CONFIG_FILE,
    PYPROJECT,
    ConfigError,
    Layer,
    find_config_file,
    merge,
    read_chain,
    tomllib,
)
from mlops_lint.context.files import DEFAULT_MAX_BYTES
from mlops_lint.diagnostics import Severity
from mlops_lint.resources import schema

if TYPE_CHECKING:  # imported where used: jsonschema costs a tenth of a second at start-up
    import jsonschema

__all__ = ["CONFIG_FILE", "PYPROJECT", "Config", "ConfigError", "find_config_file", "load_config", "tomllib"]

DEFAULT_EXCLUDE = (
    ".git/",
    ".hg/",
    ".svn/",
    ".venv/",
    "venv/",
    ".tox/",
    ".nox/",
    "node_modules/",
    "__pypackages__/",
    "site-packages/",
    ".mypy_cache/",
    ".ruff_cache/",
    ".pytest_cache/",
    ".mlops_lint_cache/",
    ".dvc/cache/",
    ".dvc/tmp/",
    "*{{*",  # cookiecutter/Jinja templates are not code yet
    "*{%*",
)


@dataclass(frozen=True, slots=True)
class Convention:
    """A team's naming convention, declared as data: paths matching `glob` must match `pattern`."""

    glob: str
    pattern: re.Pattern[str]
    target: str = "name"
    name: str = ""
    message: str = ""

    @property
    def for_folders(self) -> bool:
        return self.glob.endswith("/")


DEFAULT_ANALYSIS_TIMEOUT = 30.0  # seconds per Python file or notebook; the largest real modules take 1-2 s

DEFAULT_SELECT = ("F", "E9", "NPY001", "NPY003", "NPY201", "PD003", "PD004", "PD007", "PD101", "S506")


@dataclass(frozen=True, slots=True)
class RuffSettings:
    enabled: bool = True
    select: tuple[str, ...] = DEFAULT_SELECT
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # pyflakes/pycodestyle findings are left to the linter the repository runs itself (ruff_refine)
    defer_to_project_linter: bool = True

    @classmethod
    def from_table(cls, table: Mapping[str, Any]) -> RuffSettings:
        return cls(
            enabled=table.get("enabled", True),
            select=tuple(table.get("select", DEFAULT_SELECT)),
            extend_select=tuple(table.get("extend-select", ())),
            ignore=tuple(table.get("ignore", ())),
            defer_to_project_linter=table.get("defer-to-project-linter", True),
        )


@dataclass(frozen=True, slots=True)
class Config:
    source: str | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: Mapping[str, str] = field(default_factory=dict)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    conventions: tuple[Convention, ...] = ()
    ruff: RuffSettings = field(default_factory=RuffSettings)
    experiment_paths: tuple[str, ...] = ("experiments/*/",)
    experiment_schema: str | None = None
    project_budget: Mapping[str, float] = field(default_factory=dict)
    max_file_bytes: int = DEFAULT_MAX_BYTES
    analysis_timeout: float = DEFAULT_ANALYSIS_TIMEOUT
    # the least severe finding that makes `check` exit 1: `info` (any finding, the default),
    # `warning`, or `error` (CI fails on errors while the rest is still printed)
    fail_on: Severity = Severity.INFO
    baseline: str | None = None  # the baseline file, relative to the project root (`baseline = "..."`)

    def with_overrides(
        self,
        select: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
        ignore: Sequence[str] = (),
        exclude: Sequence[str] = (),
        fail_on: str | None = None,
    ) -> Config:
        """CLI flags. As in ruff, `--select` starts the selection afresh (the file's `select`,
        `extend-select` and `ignore` no longer apply); `--extend-select`, `--ignore` and `--exclude` add;
        `--fail-on` replaces the file's `fail-on`."""
        fresh = select is not None
        return replace(
            self,
            select=tuple(select) if fresh else self.select,
            extend_select=(() if fresh else self.extend_select) + tuple(extend_select),
            ignore={**({} if fresh else self.ignore), **{s: "" for s in ignore}},
            exclude=self.exclude + tuple(exclude),
            fail_on=Severity(fail_on) if fail_on is not None else self.fail_on,
        )


def _key_path(prefix: str, path: Sequence[Any]) -> str:
    out = prefix
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _describe(error: jsonschema.ValidationError, prefix: str) -> str:
    import jsonschema

    where = _key_path(prefix, list(error.absolute_path))
    if error.validator == "additionalProperties":
        known = [str(key) for key in error.schema.get("properties", {})]
        extra = sorted(set(error.instance) - set(known))
        near = difflib.get_close_matches(extra[0], known, n=1, cutoff=0.6) if extra else []
        hint = f" (did you mean '{near[0]}'?)" if near else ""
        return f"{_key_path(where, [extra[0]]) if extra else where}: unknown key{hint}"
    if error.validator == "propertyNames":
        return f"{where}: {error.message}"
    if error.validator == "type":
        return f"{where}: expected {error.validator_value}, got {type(error.instance).__name__}"
    if error.validator in ("oneOf", "anyOf") and error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and best.validator == "type":
            return f"{where}: expected {_expected_types(error)}, got {type(error.instance).__name__}"
    return f"{where}: {error.message}"


def _expected_types(error: jsonschema.ValidationError) -> str:
    kinds = [str(c.validator_value) for c in error.context or [] if c.validator == "type"]
    return " or ".join(dict.fromkeys(kinds)) or "another type"


def _validate(instance: Any, schema_: Mapping[str, Any], prefix: str) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema_)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError(_describe(errors[0], prefix))


def load_config(root: Path, metas: Mapping[str, Any], config_file: Path | None = None) -> Config:
    """Read and validate the configuration of the repository at `root` (defaults if there is none),
    following `extend` (see `mlops_lint.config_files`): each file is validated on its own, so an
    error names the file at fault, then the merged table is frozen."""
    chain = config_chain(root, config_file)
    if not chain:
        return Config()
    for layer in chain:
        try:
            build_config(_without_extend(layer.raw), metas, prefix=layer.table or "(top level)", source=None)
        except ConfigError as exc:
            raise ConfigError(f"{layer.path.name}: {exc}") from None  # every configuration error names its file
    top = chain[-1]
    try:
        return build_config(merge(chain).raw, metas, prefix=top.table or "(top level)", source=str(top.path))
    except ConfigError as exc:
        raise ConfigError(f"{top.path.name}: {exc}") from None


def config_chain(root: Path, config_file: Path | None = None) -> list[Layer]:
    """The configuration files of `root` (or `config_file`), the most basic first; [] when there is none."""
    if config_file is not None:
        return read_chain(config_file)
    found = find_config_file(root)
    return [] if found is None else read_chain(found[0], found[1])


def _without_extend(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key != "extend"}


def build_config(raw: Mapping[str, Any], metas: Mapping[str, Any], prefix: str, source: str | None) -> Config:
    """Validate a configuration table (as parsed from TOML) and freeze it."""
    _validate(raw, schema("config.schema.json"), prefix)
    rule_options: dict[str, dict[str, Any]] = {}
    for code, options in raw.get("rules", {}).items():
        meta = metas.get(code)
        if meta is None:
            hint = "" if code.startswith("ML") else " (if a plugin provides it, is its package installed?)"
            raise ConfigError(f"{prefix}.rules.{code}: no such rule{hint}")
        _validate(options, meta.options_schema, f"{prefix}.rules.{code}")
        rule_options[code] = dict(options)
    ignore = raw.get("ignore", [])
    ignore_map = dict(ignore) if isinstance(ignore, dict) else {code: "" for code in ignore}
    conventions = []
    for index, entry in enumerate(raw.get("naming", {}).get("conventions", [])):
        try:
            pattern = re.compile(entry["pattern"])
        except re.error as exc:
            raise ConfigError(
                f"{prefix}.naming.conventions[{index}].pattern: invalid regular expression ({exc})"
            ) from exc
        conventions.append(
            Convention(
                glob=entry["glob"],
                pattern=pattern,
                target=entry.get("target", "name"),
                name=entry.get("name", ""),
                message=entry.get("message", ""),
            )
        )
    exclude = tuple(raw.get("exclude", DEFAULT_EXCLUDE)) + tuple(raw.get("extend-exclude", ()))
    return Config(
        source=source,
        select=tuple(raw["select"]) if "select" in raw else None,
        extend_select=tuple(raw.get("extend-select", ())),
        ignore=ignore_map,
        per_file_ignores=tuple((glob, tuple(codes)) for glob, codes in raw.get("per-file-ignores", {}).items()),
        exclude=exclude,
        rule_options=rule_options,
        conventions=tuple(conventions),
        ruff=RuffSettings.from_table(raw.get("ruff", {})),
        experiment_paths=tuple(raw.get("experiments", {}).get("paths", ("experiments/*/",))),
        experiment_schema=raw.get("experiments", {}).get("schema"),
        project_budget=dict(raw.get("experiments", {}).get("budget", {})),
        max_file_bytes=int(raw.get("max-file-bytes", DEFAULT_MAX_BYTES)),
        analysis_timeout=float(raw.get("analysis-timeout", DEFAULT_ANALYSIS_TIMEOUT)),
        fail_on=Severity(raw.get("fail-on", Severity.INFO.value)),
        baseline=raw.get("baseline"),
    )
