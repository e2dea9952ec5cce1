"""Which rules run, and which findings are ignored for which files.

Selectors are codes (`MLN004`), code prefixes (`MLN`, `ML`, a plugin's `TEAM`), family words (`naming`), rule names
(`nonstandard-import-alias`) or `ALL`. As in ruff, the most specific selector wins: with
`select = ["naming"]` and `ignore = ["MLN001"]`, MLN001 is off and the rest of the family is on;
with `ignore = ["naming"]` and `extend-select = ["MLN002"]`, only MLN002 of the family runs.
On a tie, ignore wins. `internal` findings (a file that cannot be parsed) are on whatever is
selected, unless ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from pathspec import GitIgnoreSpec

from mlops_lint.catalogue import RuleMeta
from mlops_lint.config import Config, ConfigError, RuffSettings
from mlops_lint.diagnostics import Family, Severity
from mlops_lint.globs import gitignore_spec
from mlops_lint.plugins import prefix

FAMILY_SPECIFICITY = 3
EXACT_SPECIFICITY = 100

_WORDS = frozenset({family.value for family in Family} | {"ruff"})


def normalise(selector: str) -> str:
    """Selectors are case-insensitive: codes and prefixes upper case (`mln004`), families, rule
    names and `ruff` lower case (rule names and families are the ones with a hyphen or a known word)."""
    lowered = selector.lower()
    return lowered if "-" in selector or lowered in _WORDS else selector.upper()


def suggestion(selector: str, metas: Mapping[str, RuleMeta]) -> str:
    """'; did you mean 'MLN004'?' for a near miss, else ''."""
    formerly = [old for meta in metas.values() for old in meta.formerly]  # codes that moved (`formerly:`)
    words = [*metas, *(meta.name for meta in metas.values()), *sorted(_WORDS), *formerly]
    close = difflib.get_close_matches(normalise(selector), words, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def specificity(selector: str, meta: RuleMeta) -> int:
    """How specifically `selector` names `meta`: 0 = does not match."""
    selector = normalise(selector)
    # a code the rule had before (`formerly:`, as ruff's rule redirects) still selects, ignores and suppresses it
    if selector == meta.code or selector == meta.name or selector in meta.formerly:
        return EXACT_SPECIFICITY
    if selector == "ALL":
        return 1
    if selector == meta.family.value:
        return FAMILY_SPECIFICITY
    if meta.code.startswith(selector) and selector.startswith("ML"):
        return len(selector)
    if meta.code.startswith(selector) and not meta.code.startswith("ML") and len(selector) >= len(prefix(meta.code)):
        return len(selector)  # a plugin's prefix (`TEAM`, `TEAM0`): never shorter than its letters
    return 0


def check_selectors(selectors: Iterable[str], metas: Mapping[str, RuleMeta], where: str) -> None:
    """Refuse selectors that name no rule, so a typo never silently disables nothing."""
    families = {family.value for family in Family}
    for selector in selectors:
        if (
            normalise(selector) not in families
            and normalise(selector) != "ruff"
            and not any(specificity(selector, meta) for meta in metas.values())
            and not is_ruff_selector(selector)
        ):
            near = suggestion(selector, metas)
            hint = (" (use a code, prefix, family or name)" + near) if near else _plugin_hint(selector)
            hint = hint or " (use a code, prefix, family or name)"
            raise ConfigError(f"{where}: '{selector}' matches no rule{hint}")


def _plugin_hint(selector: str) -> str:
    """A selector shaped like a plugin's code or prefix: the plugin is most likely not installed here."""
    wanted = normalise(selector)
    if re.match(r"^[A-Z]{3,}[0-9]{0,3}$", wanted) and not wanted.startswith("ML"):
        return " (if a plugin provides it, is its package installed?)"
    return ""


# ruff's findings are selected like a rule of the code-quality family named `ruff`
# (`--select code-quality`, `--ignore ruff`); which ruff codes appear is [tool.mlops-lint.ruff]'s business.
RUFF_PSEUDO_RULE = RuleMeta(
    code="MLS000",
    name="ruff",
    family=Family.CODE_QUALITY,
    summary="ruff's findings",
    message="{message}",
    severity=Severity.WARNING,
    default=True,
    fix_applicability=None,
    fix_title=None,
    options_schema={},
    docs={},
)


# --- ruff's codes as selectors ------------------------------------------------------------------------
# `--select F401`, `--ignore F841`, `per-file-ignores = {"*.ipynb" = ["F841"]}`: the codes we print are
# selectors too. A ruff selector is a code or prefix ruff itself knows (F401, F4, NPY); as for our own
# codes, one ruff does not know is an error. For a ruff finding, an exact code beats a prefix, a prefix
# beats `ruff`, and `ruff` beats the family word and ALL, so `select = ["ruff"]` with `ignore = ["F841"]`
# runs every default ruff code but F841.

_RUFF_LIKE = re.compile(r"^[A-Z]{1,4}[0-9]{0,4}$")
RUFF_NAME_SPECIFICITY = 4


def is_ruff_selector(selector: str) -> bool:
    wanted = normalise(selector)
    if not _RUFF_LIKE.match(wanted) or wanted.startswith("ML") or wanted == "ALL":
        return False
    from mlops_lint.ruff_bridge import ruff_rule_codes

    return any(code.startswith(wanted) for code in ruff_rule_codes())


def ruff_specificity(selector: str, code: str) -> int:
    """How specifically `selector` names the ruff code `code` (0: not at all)."""
    wanted = normalise(selector)
    if wanted == code:
        return EXACT_SPECIFICITY
    if wanted == "ruff":
        return RUFF_NAME_SPECIFICITY
    if wanted == "ALL":
        return 1
    if wanted == RUFF_PSEUDO_RULE.family.value:
        return FAMILY_SPECIFICITY
    if _RUFF_LIKE.match(wanted) and not wanted.startswith("ML") and code.startswith(wanted):
        return RUFF_NAME_SPECIFICITY + len(wanted)
    return 0


def effective_ruff(config: Config) -> RuffSettings | None:
    """The ruff settings this run uses, or None when ruff does not run. `select` naming ruff codes
    replaces the configured ruff set with them; `extend-select` adds; `ignore` removes."""
    if not config.ruff.enabled:
        return None
    picked = [normalise(s) for s in config.select or () if is_ruff_selector(s)]
    extended = [normalise(s) for s in config.extend_select if is_ruff_selector(s)]
    ignored = [normalise(s) for s in config.ignore if is_ruff_selector(s)]
    whole = 1 if config.select is None else _best(config.select, RUFF_PSEUDO_RULE)
    whole = max(whole, _best(config.extend_select, RUFF_PSEUDO_RULE))
    if whole <= _best(config.ignore, RUFF_PSEUDO_RULE):
        whole = 0
    if not (whole or picked or extended):
        return None
    settings = config.ruff
    if picked and not whole:
        settings = replace(settings, select=tuple(picked), extend_select=())
    return replace(
        settings,
        extend_select=(*settings.extend_select, *extended),
        ignore=(*settings.ignore, *ignored),
    )


def _best(selectors: Iterable[str], meta: RuleMeta) -> int:
    return max((specificity(s, meta) for s in selectors), default=0)


def enabled_codes(metas: Mapping[str, RuleMeta], config: Config) -> list[str]:
    """The codes that run, in catalogue order."""
    check_selectors(config.select or (), metas, "select")
    check_selectors(config.extend_select, metas, "extend-select")
    check_selectors(config.ignore, metas, "ignore")
    enabled = []
    for code, meta in metas.items():
        chosen = (1 if meta.default else 0) if config.select is None else _best(config.select, meta)
        chosen = max(chosen, _best(config.extend_select, meta))
        if meta.family is Family.INTERNAL:
            chosen = max(chosen, 1)  # the engine's own findings stay on unless ignored by name
        if chosen and chosen > _best(config.ignore, meta):
            enabled.append(code)
    return enabled


@dataclass(frozen=True)
class PerFileIgnores:
    """`per-file-ignores`: gitignore-style globs mapped to the selectors they silence."""

    entries: tuple[tuple[GitIgnoreSpec, tuple[str, ...]], ...]

    @classmethod
    def from_config(cls, config: Config, metas: Mapping[str, RuleMeta]) -> PerFileIgnores:
        entries = []
        for glob, selectors in config.per_file_ignores:
            check_selectors(selectors, metas, f"per-file-ignores.{glob}")
            entries.append((gitignore_spec([glob]), selectors))
        return cls(tuple(entries))

    def ignores(self, path: str, meta: RuleMeta) -> bool:
        return any(
            spec.match_file(path) and any(specificity(s, meta) for s in selectors) for spec, selectors in self.entries
        )

    def ignores_ruff(self, path: str, code: str) -> bool:
        """A ruff finding (no catalogue entry) under a glob whose selectors name its code, a prefix of
        it, `ruff`, the code-quality family or ALL."""
        return any(
            spec.match_file(path) and any(ruff_specificity(s, code) for s in selectors)
            for spec, selectors in self.entries
        )
