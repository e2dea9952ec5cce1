"""Which rules run, and which findings are ignored for which files.

Selectors are codes (`MLN004`), code prefixes (`MLN`, `ML`), family words (`naming`), rule names
(`nonstandard-import-alias`) or `ALL`. As in ruff, the most specific selector wins: with
`select = ["naming"]` and `ignore = ["MLN001"]`, MLN001 is off and the rest of the family is on;
with `ignore = ["naming"]` and `extend-select = ["MLN002"]`, only MLN002 of the family runs.
On a tie, ignore wins. `internal` findings (a file that cannot be parsed) are on whatever is
selected, unless ignored.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pathspec import GitIgnoreSpec

from mlops_lint.catalogue import RuleMeta
from mlops_lint.config import Config, ConfigError
from mlops_lint.diagnostics import Family, Severity
from mlops_lint.globs import gitignore_spec

FAMILY_SPECIFICITY = 3
EXACT_SPECIFICITY = 100

# Codes that moved (as ruff's rule redirects): the old code still selects, ignores and suppresses the rule.
REDIRECTS = {
    "MLD012": "MLG002",  # data-file-committed moved to the git-history family
    "MLD013": "MLG001",  # model-file-committed moved to the git-history family
}


_WORDS = frozenset({family.value for family in Family} | {"ruff"})


def normalise(selector: str) -> str:
    """Selectors are case-insensitive: codes and prefixes upper case (`mln004`), families, rule
    names and `ruff` lower case (rule names and families are the ones with a hyphen or a known word)."""
    lowered = selector.lower()
    return lowered if "-" in selector or lowered in _WORDS else selector.upper()


def suggestion(selector: str, metas: Mapping[str, RuleMeta]) -> str:
    """'; did you mean 'MLN004'?' for a near miss, else ''."""
    words = [*metas, *(meta.name for meta in metas.values()), *sorted(_WORDS), *REDIRECTS]
    close = difflib.get_close_matches(normalise(selector), words, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def specificity(selector: str, meta: RuleMeta) -> int:
    """How specifically `selector` names `meta`: 0 = does not match."""
    selector = normalise(selector)
    selector = REDIRECTS.get(selector, selector)
    if selector == meta.code or selector == meta.name:
        return EXACT_SPECIFICITY
    if selector == "ALL":
        return 1
    if selector == meta.family.value:
        return FAMILY_SPECIFICITY
    if meta.code.startswith(selector) and selector.startswith("ML"):
        return len(selector)
    return 0


def check_selectors(selectors: Iterable[str], metas: Mapping[str, RuleMeta], where: str) -> None:
    """Refuse selectors that name no rule, so a typo never silently disables nothing."""
    families = {family.value for family in Family}
    for selector in selectors:
        if (
            normalise(selector) not in families
            and normalise(selector) != "ruff"
            and not any(specificity(selector, meta) for meta in metas.values())
        ):
            hint = suggestion(selector, metas)
            raise ConfigError(f"{where}: '{selector}' matches no rule (use a code, prefix, family or name){hint}")


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


def ruff_selected(config: Config) -> bool:
    chosen = 1 if config.select is None else _best(config.select, RUFF_PSEUDO_RULE)
    chosen = max(chosen, _best(config.extend_select, RUFF_PSEUDO_RULE))
    return config.ruff.enabled and chosen > _best(config.ignore, RUFF_PSEUDO_RULE)


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
