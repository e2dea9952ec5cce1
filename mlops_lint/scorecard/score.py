"""The formula: from a run's findings and the repository's size to a 0-10 score per practice.

    penalty = 5 x errors + 2 x warnings + 0.5 x infos        (the practice's findings)
    size    = what the repository has of the practice          (files, notebooks, experiments...)
    score   = 10 x size / (size + penalty)                     (one decimal)

A practice with no findings scores 10; one penalty point per unit of size halves the score; the
score never reaches 0, so two bad repositories can still be told apart. A practice whose size is 0
and that has no findings is not applicable (`null`), never 0: a repository without an experiments
folder is not bad at experiment tracking, it has none. One with findings but size 0 (a tracking call
in a repository without experiment folders) is scored with size 1. The overall score is the plain
mean of the applicable practices. Internal findings (a file that cannot be parsed, ruff missing)
are listed but scored nowhere: they say the run saw less, not that a practice is worse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mlops_lint.catalogue import RuleMeta
from mlops_lint.diagnostics import Family, Severity
from mlops_lint.scorecard.practices import BY_FAMILY, MEASURE_LABELS, PRACTICES, Practice

WEIGHTS: Mapping[str, float] = {"error": 5.0, "warning": 2.0, "info": 0.5}
RUFF_CHECK = "ruff"
TIMES = "\u00d7"  # the multiplication sign, written as an escape so no reader mistakes it for an x


def practice_of(finding: Mapping[str, Any]) -> str | None:
    """The practice a finding counts for (None: internal, scored nowhere)."""
    practice = BY_FAMILY.get(Family(finding["family"]))
    return practice.id if practice else None


def penalty(findings: Iterable[Mapping[str, Any]]) -> float:
    return sum(WEIGHTS[f["severity"]] for f in findings)


def score(size: int, points: float) -> float:
    return round(10.0 * size / (size + points), 1) if size + points > 0 else 10.0


def grade(value: float | None) -> str:
    """A word for colours and screen readers: good (8 and up), fair (5 to 8), poor (below 5)."""
    if value is None:
        return "n/a"
    return "good" if value >= 8 else "fair" if value >= 5 else "poor"


def _checks(
    practice: Practice, found: Sequence[Mapping[str, Any]], metas: Iterable[RuleMeta], enabled: set[str], ruff: bool
) -> list[dict[str, Any]]:
    per_code = Counter(f["code"] for f in found)
    checks = []
    catalogued = set()
    for meta in sorted(metas, key=lambda m: m.code):
        if meta.family not in practice.families:
            continue
        catalogued.add(meta.code)
        count = per_code.get(meta.code, 0)
        status = "fail" if count else "pass" if meta.code in enabled else "off"
        checks.append(
            {"code": meta.code, "name": meta.name, "severity": str(meta.severity), "status": status,
             "findings": count, "summary": meta.summary}
        )  # fmt: skip
    outside = sorted(code for code in per_code if code not in catalogued)  # ruff's own codes
    if Family.CODE_QUALITY in practice.families and (ruff or outside):
        count = sum(per_code[code] for code in outside)
        checks.append(
            {"code": RUFF_CHECK, "name": "ruff", "severity": "warning", "status": "fail" if count else "pass",
             "findings": count, "summary": "ruff's ML-relevant rules" + (f": {', '.join(outside)}" if outside else "")}
        )  # fmt: skip
    return checks


def _count(number: int, label: str) -> str:
    return f"{number} {label[:-1] if number == 1 and label.endswith('s') else label}"


def _why(practice: Practice, measure: Mapping[str, int], size: int, counts: Counter[str], points: float) -> str:
    if not size and not points:
        return f"Not applicable: the repository has no {' or '.join(MEASURE_LABELS[k] for k in practice.measures)}."
    has = ", ".join(_count(measure[key], MEASURE_LABELS[key]) for key in practice.measures if measure[key])
    base = f"size {size} ({has})" if has else "size 1 (none counted, but it has findings)"
    if not points:
        return f"No findings: penalty 0, score 10; {base}."
    terms = [
        f"{WEIGHTS[s.value]:g} {TIMES} {_count(counts[s.value], s.value + ('s' if s is not Severity.INFO else ''))}"
        for s in Severity
        if counts[s.value]
    ]
    return (
        f"Penalty {' + '.join(terms)} = {points:g}; {base}; "
        f"score = 10 {TIMES} {size} / ({size} + {points:g}) = {score(size, points)}."
    )


def score_practices(
    findings: Sequence[Mapping[str, Any]],
    measure: Mapping[str, int],
    metas: Iterable[RuleMeta],
    enabled: Iterable[str],
    ruff: bool = False,
) -> list[dict[str, Any]]:
    """One entry per practice: score, counts, size and the pass/fail of each of its checks."""
    metas, enabled_set = list(metas), set(enabled)
    rows = []
    for practice in PRACTICES:
        found = [f for f in findings if practice_of(f) == practice.id]
        counts = Counter(f["severity"] for f in found)
        points = penalty(found)
        counted = {key: measure.get(key, 0) for key in practice.measures}
        size = sum(counted.values())
        applicable = bool(size or found)
        size = max(size, 1) if applicable else 0
        rows.append(
            {
                "id": practice.id,
                "title": practice.title,
                "short": practice.short,
                "question": practice.question,
                "families": [str(f) for f in practice.families],
                "applicable": applicable,
                "score": score(size, points) if applicable else None,
                "grade": grade(score(size, points) if applicable else None),
                "size": size,
                "measure": counted,
                "penalty": points,
                "counts": {s.value: counts.get(s.value, 0) for s in Severity} | {"total": len(found)},
                "checks": _checks(practice, found, metas, enabled_set, ruff),
                "why": _why(practice, counted, size, counts, points),
            }
        )
    return rows


def overall(practices: Sequence[Mapping[str, Any]]) -> float | None:
    scores = [p["score"] for p in practices if p["applicable"]]
    return round(sum(scores) / len(scores), 1) if scores else None
