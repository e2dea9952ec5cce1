"""Experiment tracking: experiment metadata as a checked convention.

MLE001 finds experiment folders without an `experiment.yaml` and offers to create one from the
shipped template; MLE002 validates every `experiment.yaml` against the (shipped or configured)
JSON Schema and checks what a schema cannot say (dates in order, id = folder, unique ids).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from string import Template
from typing import TYPE_CHECKING, Any

from mlops_lint.context.experiments import Experiment, experiment_schema, experiments
from mlops_lint.context.git_facts import folder_histories, head_commit
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import CreateFile, Fix
from mlops_lint.resources import templates_dir
from mlops_lint.rule import RepoRule, Rule

if TYPE_CHECKING:  # imported where used: jsonschema costs a tenth of a second at start-up
    import jsonschema

# --- MLE001 -------------------------------------------------------------------------------------


@cache
def _template() -> str:
    return (templates_dir() / "experiment.yaml").read_text(encoding="utf-8")


_PLAIN_ID = re.compile(r"[a-z][a-z0-9._-]*")
_PLACEHOLDER = re.compile(r"^\s*(TODO|TBD|FIXME)\b")
_DATASET_BLOCK = re.compile(r"^dataset:\n(?:[ \t]+.*\n)+", re.MULTILINE)


def _plain_string(text: str) -> bool:
    """True when `text` written unquoted reads back as the same string (a slug that is not a bool or null)."""
    if not _PLAIN_ID.fullmatch(text):
        return False
    doc = load_yaml(text)
    return isinstance(doc, YamlDoc) and doc.value == text


def _dataset_pointers(repo: RepoContext) -> list[str]:
    """The `.dvc` pointers of the data the `dvc.yaml` stages depend on, in file order."""
    if not repo.has("dvc.yaml"):
        return []
    doc = repo.yaml("dvc.yaml")
    stages = doc.value.get("stages") if isinstance(doc, YamlDoc) and isinstance(doc.value, dict) else None
    if not isinstance(stages, dict):
        return []
    found: list[str] = []
    for stage in stages.values():
        deps = stage.get("deps") if isinstance(stage, dict) else None
        for dep in deps if isinstance(deps, list) else ():
            if not isinstance(dep, str) or "${" in dep:
                continue
            path = posixpath.normpath(dep.strip().removeprefix("./")).rstrip("/")
            pointer = path if path.endswith(".dvc") else path + ".dvc"
            if repo.has(pointer) and pointer not in found:
                found.append(pointer)
    return found


def _dataset_name(pointer: str) -> str:
    name = posixpath.basename(pointer).removesuffix(".dvc")
    return name.split(".", 1)[0] or name


def render_metadata(
    experiment_id: str,
    pointers: list[str],
    owner: str | None = None,
    created: str | None = None,
    commit: str | None = None,
) -> str:
    """The template filled with what the repository says; the rest stays TODO (and invalid)."""
    text = Template(_template()).safe_substitute(
        id=experiment_id if _plain_string(experiment_id) else json.dumps(experiment_id),
        name='"TODO: a short title"',
        owner=json.dumps(owner) if owner else '"TODO"',
        hypothesis="TODO: what this experiment tests and the result that would confirm it",
        created=created or '"TODO"',
        commit=commit or "TODO",
        dataset_name="TODO",
        dataset_pointer='"TODO"',
        seed="null  # TODO: the random seed",
        gpu_hours="null  # TODO: the budget",
    )
    if pointers:
        entries = "".join(f"  - name: {_dataset_name(p)}\n    pointer: {p}\n" for p in pointers)
        text = _DATASET_BLOCK.sub(lambda _: "dataset:\n" + entries, text, count=1)
    return text


class ExperimentMetadataMissing(RepoRule):
    code = "MLE001"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        missing = [experiment for experiment in experiments(repo) if experiment.metadata is None]
        if not missing:
            return
        pointers = _dataset_pointers(repo)
        histories = folder_histories(repo, [experiment.folder for experiment in missing])
        commit = head_commit(repo)
        for experiment in missing:
            path = experiment.folder + "experiment.yaml"
            history = histories.get(experiment.folder)
            content = render_metadata(
                experiment.name,
                pointers,
                owner=history.last_author if history else None,
                created=history.first_date if history else None,
                commit=commit,
            )
            fix = Fix(title=self.fix_title(path=path), edits=(CreateFile(path=path, content=content),))
            yield self.diagnostic(Location(path=experiment.folder.rstrip("/")), fix, folder=experiment.folder)


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
        problem = error.message
    expects_string = error.validator == "type" and "string" in (
        [error.validator_value] if isinstance(error.validator_value, str) else list(error.validator_value)
    )
    if expects_string and isinstance(instance, int) and not isinstance(instance, bool) and instance >= 0:
        problem += f' (quote it: "{instance}"; YAML reads an all-digit value such as a hash as a number)'
    key = _key_name(tuple(error.absolute_path))
    return f"{key}: {problem}" if key else problem


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
        schema_required: set[str] = set()
        flagged_keys: list[tuple[str | int, ...]] = []
        if validator is not None:
            for error in map(_leaf, validator.iter_errors(doc.value)):
                key = tuple(error.absolute_path)
                problems.append((doc.position_of(key), _problem(error)))
                flagged_keys.append(key)
                if error.validator == "required" and not key:
                    schema_required.update(n for n in ("metrics",) if repr(n) in error.message)
        flagged = {tuple(e) for e in flagged_keys}
        for key, text in _strings(doc.value, ()):
            if _PLACEHOLDER.match(text) and key not in flagged:
                problems.append((doc.position_of(key), f"{_key_name(key)}: {text!r} is a placeholder: fill it in"))
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
        seen: set[tuple[tuple[int, int], str]] = set()
        for (line, column), problem in sorted(problems):
            if ((line, column), problem) in seen:
                continue
            seen.add(((line, column), problem))
            yield self.diagnostic(Location(path=path, span=Span.point(line, column)), problem=problem)


RULES: list[type[Rule]] = [ExperimentMetadataMissing, ExperimentMetadataInvalid]
