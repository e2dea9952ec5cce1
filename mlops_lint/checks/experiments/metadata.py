"""Experiment tracking: experiment metadata as a checked convention (MLE002).

MLE002 validates every `experiment.yaml` against the (shipped or configured) JSON Schema and checks
what a schema cannot say (dates in order, id = folder, unique ids). Fields a template left as TODO
or null make one warning that names them all; what a person wrote wrong is an error of its own.
MLE001 (a folder without metadata, and the skeleton it creates) lives in `missing`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mlops_lint.context.experiments import (
    Experiment,
    experiment_schema,
    experiments,
)
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.schema_words import in_words
from mlops_lint.context.yaml_doc import YamlProblem
from mlops_lint.diagnostics import Diagnostic, Location, Severity, Span
from mlops_lint.rule import RepoRule, Rule

if TYPE_CHECKING:  # imported where used: jsonschema costs a tenth of a second at start-up
    import jsonschema

_PLACEHOLDER = re.compile(r"^\s*(TODO|TBD|FIXME)\b")


# --- MLE002 -------------------------------------------------------------------------------------


def _key_name(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _leaf(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For oneOf/anyOf, the alternative whose type fitted: it says most ("seed[1]: -2 is less than ...")."""
    import jsonschema

    while error.validator in ("oneOf", "anyOf") and error.context:
        fitting = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
        if not fitting:
            break
        error = jsonschema.exceptions.best_match(fitting)
    return error


def _problem(error: jsonschema.ValidationError) -> str:
    instance = error.instance
    if error.validator == "not" and isinstance(instance, str):
        problem = f"{instance!r} is a placeholder: fill it in"
    else:
        problem = in_words(error)
    expects_string = error.validator == "type" and "string" in (
        [error.validator_value] if isinstance(error.validator_value, str) else list(error.validator_value)
    )
    if expects_string and isinstance(instance, int) and not isinstance(instance, bool) and instance >= 0:
        problem += f' (quote it: "{instance}"; YAML reads an all-digit value such as a hash as a number)'
    key = _key_name(tuple(error.absolute_path))
    return f"{key}: {problem}" if key else problem


def placeholder(value: Any) -> bool:
    """A value the template left for a person: null, or a string starting with TODO/TBD/FIXME."""
    return value is None or (isinstance(value, str) and bool(_PLACEHOLDER.match(value)))


def _strings(value: Any, key: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, (*key, str(name)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*key, index))


def _when(value: Any) -> datetime | date | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if len(value.strip()) > 10 else parsed.date()


def _before(finished: datetime | date, started: datetime | date) -> bool:
    if isinstance(finished, datetime) and isinstance(started, datetime):
        if (finished.tzinfo is None) == (started.tzinfo is None):
            return finished < started
        finished, started = finished.date(), started.date()
    day_f = finished.date() if isinstance(finished, datetime) else finished
    day_s = started.date() if isinstance(started, datetime) else started
    return day_f < day_s


def _is_date_time(value: object) -> bool:
    """RFC 3339 date-time (jsonschema checks it only with an optional package; we never skip it)."""
    if not isinstance(value, str):
        return True
    text = value.strip()
    if len(text) < 16 or text[10] not in "Tt " or not text[:4].isdigit():
        return False
    try:
        datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] in "Zz" else text)
    except ValueError:
        return False
    return True


def _format_checker() -> jsonschema.FormatChecker:
    import jsonschema

    checker = jsonschema.FormatChecker()
    checker.checks("date-time")(_is_date_time)
    return checker


class ExperimentMetadataInvalid(RepoRule):
    code = "MLE002"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        found = [e for e in experiments(repo) if e.metadata is not None]
        if not found:
            return
        validator = None
        schema = experiment_schema(repo)
        if isinstance(schema, str):
            yield self.diagnostic(Location(path=repo.config.experiment_schema or "pyproject.toml"), problem=schema)
        else:
            import jsonschema

            try:
                jsonschema.Draft202012Validator.check_schema(schema)
                validator = jsonschema.Draft202012Validator(schema, format_checker=_format_checker())
            except jsonschema.SchemaError as exc:
                path = repo.config.experiment_schema or "experiment.schema.json"
                yield self.diagnostic(Location(path=path), problem=f"not a valid JSON Schema: {exc.message}")
        first_with_id: dict[str, str] = {}
        for experiment in found:
            unreadable = repo.file(experiment.metadata).text_problem if experiment.doc is None else None
            yield from self._check_one(experiment, validator, first_with_id, unreadable)

    def _check_one(
        self,
        experiment: Experiment,
        validator: jsonschema.Draft202012Validator | None,
        ids: dict[str, str],
        unreadable: str | None = None,
    ) -> Iterator[Diagnostic]:
        path = experiment.metadata
        assert path is not None
        doc = experiment.doc
        if isinstance(doc, YamlProblem):
            yield self.diagnostic(Location(path=path, span=Span.point(doc.line, doc.column)), problem=doc.message)
            return
        if unreadable is not None:  # binary, not UTF-8, a symlink out of the repository: not "empty"
            yield self.diagnostic(Location(path=path), problem=f"cannot be read: {unreadable}")
            return
        if doc is None or doc.value is None:
            yield self.diagnostic(Location(path=path, span=Span.point(1, 1)), problem="the file is empty")
            return
        problems: list[tuple[tuple[int, int], str]] = []
        unfilled: dict[tuple[str | int, ...], tuple[int, int]] = {}  # placeholders: one finding for all
        schema_required: set[str] = set()
        flagged_keys: list[tuple[str | int, ...]] = []
        if validator is not None:
            for error in map(_leaf, validator.iter_errors(doc.value)):
                key = tuple(error.absolute_path)
                flagged_keys.append(key)
                if key and placeholder(error.instance):
                    unfilled.setdefault(key, doc.position_of(key))
                    continue
                problems.append((doc.position_of(key), _problem(error)))
                if error.validator == "required" and not key:
                    schema_required.update(n for n in ("metrics",) if repr(n) in error.message)
        flagged = {tuple(e) for e in flagged_keys}
        for key, text in _strings(doc.value, ()):
            if _PLACEHOLDER.match(text) and key not in flagged:
                unfilled.setdefault(key, doc.position_of(key))
        value = doc.value if isinstance(doc.value, dict) else {}
        ident = value.get("id")
        if isinstance(ident, str):
            if ident != experiment.name:
                problems.append(
                    (doc.position_of(("id",)), f"id {ident!r} differs from the folder name {experiment.name!r}")
                )
            if ident in ids:
                problems.append((doc.position_of(("id",)), f"id {ident!r} is also used by {ids[ident]}"))
            else:
                ids[ident] = path
        started, finished = _when(value.get("started")), _when(value.get("finished"))
        if started is not None and finished is not None and _before(finished, started):
            problems.append((doc.position_of(("finished",)), "finished is earlier than started"))
        metrics = value.get("metrics")
        has_metrics = isinstance(metrics, dict) and bool(metrics.get("file") or metrics.get("values"))
        if value.get("status") == "completed" and "metrics" not in schema_required and not has_metrics:
            where = ("metrics",) if "metrics" in value else ("status",)
            problems.append((doc.position_of(where), "status is completed but no metrics (file or values) are given"))
        if unfilled:
            yield self._skeleton(path, unfilled)
        seen: set[tuple[tuple[int, int], str]] = set()
        for (line, column), problem in sorted(problems):
            if ((line, column), problem) in seen:
                continue
            seen.add(((line, column), problem))
            yield self.diagnostic(Location(path=path, span=Span.point(line, column)), problem=problem)

    def _skeleton_severity(self) -> Severity:
        """As severe as a missing record (MLE001): the fix that creates the skeleton moves that finding
        into the file, so a safe fix never raises a severity's count. Never above this rule's own."""
        from mlops_lint.registry import metas

        missing = metas().get("MLE001")
        return missing.severity if missing is not None else Severity.WARNING

    def _skeleton(self, path: str, unfilled: dict[tuple[str | int, ...], tuple[int, int]]) -> Diagnostic:
        """A file with fields still to fill in (a created skeleton): one warning naming them all, not
        one schema error per placeholder. What a person wrote wrong stays an error of its own."""
        ordered = sorted(unfilled.items(), key=lambda item: item[1])
        names = ", ".join(_key_name(key) for key, _where in ordered)
        these = f"these {len(ordered)} fields" if len(ordered) != 1 else "this field"
        line, column = ordered[0][1]
        return self.diagnostic(
            Location(path=path, span=Span.point(line, column)),
            severity=self._skeleton_severity(),
            problem=f"not filled in yet: fill in {these}: {names}",
        )


RULES: list[type[Rule]] = [ExperimentMetadataInvalid]
