"""Experiment tracking: references from experiment metadata to data (MLE003), commits (MLE004) and
metrics (MLE005)."""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from mlops_lint.context.experiment_commits import lookup_commits
from mlops_lint.context.experiment_docs import as_number, key_location, parsed_experiments
from mlops_lint.context.git_objects import read_blobs
from mlops_lint.context.gitignore import on_disk
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc, YamlProblem, load_yaml
from mlops_lint.diagnostics import Diagnostic, Severity, Span
from mlops_lint.fixes import Fix, TextEdit, line_starts, newline_of, yaml_lines_agree
from mlops_lint.rule import RepoRule, Rule


class ExperimentDatasetUnresolved(RepoRule):
    reads_outside_files = True
    code = "MLE003"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for _experiment, path, doc, value in parsed_experiments(repo):
            datasets = value.get("dataset")
            if not isinstance(datasets, list):
                continue
            commit = _resolved_commit(repo, value)
            for index, entry in enumerate(datasets):
                if not isinstance(entry, dict) or not isinstance(entry.get("pointer"), str):
                    continue
                pointer = entry["pointer"]
                if _PLACEHOLDER.match(pointer):
                    continue  # a TODO left by the scaffold: MLE002 asks a person to fill it
                if not repo.has(pointer):
                    yield self.diagnostic(
                        key_location(path, doc, ("dataset", index, "pointer")),
                        problem=f"the pointer {pointer} is not a file of the repository",
                    )
                    continue
                recorded = _pointer_md5(repo, pointer)
                md5 = entry.get("md5")
                if "md5" not in entry and recorded is not None and commit is not None:
                    # the pointer at the experiment's commit pins the data: advice, not an error
                    pinned = _pointer_md5_at(repo, commit, pointer)
                    found = self._missing_md5(repo, path, doc, index, pointer, pinned, commit)
                    yield replace(found, severity=Severity.INFO)
                elif "md5" not in entry and recorded is not None:
                    yield self._missing_md5(repo, path, doc, index, pointer, recorded)
                elif isinstance(md5, str) and recorded is not None and md5 != recorded:
                    # with the experiment's commit known, the data it ran on is the pointer's at that
                    # commit: the pointer moving on since is the data's history, not a mismatch
                    pinned = _pointer_md5_at(repo, commit, pointer) if commit is not None else None
                    if pinned is not None and md5 == pinned:
                        continue
                    against = f"{pinned} at the experiment's commit" if pinned is not None else recorded
                    yield self.diagnostic(
                        key_location(path, doc, ("dataset", index, "md5")),
                        problem=f"md5 {md5} differs from {against} recorded in {pointer}",
                    )

    def _missing_md5(
        self,
        repo: RepoContext,
        path: str,
        doc: YamlDoc,
        index: int,
        pointer: str,
        recorded: str | None,
        commit: str | None = None,
    ) -> Diagnostic:
        """No md5: the entry names the pointer but not the data version; the fix copies it in,
        on a new line under `pointer:`, indented like it (never overwriting a differing one).
        With the experiment's commit known, the md5 comes from the pointer at that commit (no
        fix when it cannot be read there), and the data is pinned already: the finding says so."""
        line, column = doc.position_of(("dataset", index, "pointer"))
        text = repo.file(path).text or ""
        newline = newline_of(text)
        starts = line_starts(text)
        fix = None
        pointer_line = text[starts[line - 1] : starts[line]] if line < len(starts) else ""
        problem = f"no md5 is recorded for {pointer}, so the data version the experiment ran on is not pinned"
        if commit is not None:
            problem = (
                f"no md5 is recorded for {pointer}; the data version is pinned by the pointer at the "
                f"experiment's commit {commit[:12]}, recording the md5 makes it visible here"
            )
        # `pointer: <path>` on one line (as the marks number lines): the md5 goes right under it
        if recorded is not None and pointer in pointer_line and yaml_lines_agree(text):
            insert = Span.point(line + 1, 1)
            content = " " * (column - 1) + f"md5: {recorded}" + newline
            fix = Fix(title=self.fix_title(md5=recorded), edits=(TextEdit(path=path, span=insert, content=content),))
        return self.diagnostic(key_location(path, doc, ("dataset", index, "pointer")), fix, problem=problem)


def _resolved_commit(repo: RepoContext, value: dict[str, Any]) -> str | None:
    """The experiment's `code.commit` when it names a commit of this repository, else None."""
    code = value.get("code")
    commit = code.get("commit") if isinstance(code, dict) else None
    if not (isinstance(commit, str) and 4 <= len(commit) <= 64 and set(commit) <= HEX):
        return None
    lookup = lookup_commits(repo, [commit])
    return commit if lookup is not None and commit in lookup.known else None


def _pointer_md5_at(repo: RepoContext, commit: str, pointer: str) -> str | None:
    """outs[0].md5 of the `.dvc` pointer as it was at `commit` (None if absent or unreadable)."""
    if not pointer.endswith(".dvc"):
        return None
    blobs = read_blobs(repo, [f"{commit}:{pointer}"])
    if len(blobs) != 1:
        return None
    doc = load_yaml(next(iter(blobs.values())).decode("utf-8", errors="replace"))
    return _first_out_md5(doc)


_PLACEHOLDER = re.compile(r"^\s*(TODO|TBD|FIXME)\b")


def _pointer_md5(repo: RepoContext, pointer: str) -> str | None:
    if not pointer.endswith(".dvc"):
        return None
    return _first_out_md5(repo.yaml(pointer))


def _first_out_md5(doc: YamlDoc | YamlProblem | None) -> str | None:
    if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
        return None
    outs = doc.value.get("outs")
    if not isinstance(outs, list) or not outs or not isinstance(outs[0], dict):
        return None
    md5 = outs[0].get("md5")
    return md5 if isinstance(md5, str) else None


HEX = frozenset("0123456789abcdefABCDEF")


class ExperimentCommitUnknown(RepoRule):
    reads_outside_files = True
    code = "MLE004"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        named: list[tuple[str, YamlDoc, str]] = []
        for _experiment, path, doc, value in parsed_experiments(repo):
            code = value.get("code")
            commit = code.get("commit") if isinstance(code, dict) else None
            if isinstance(commit, str) and 4 <= len(commit) <= 64 and set(commit) <= HEX:
                named.append((path, doc, commit))
        if not named:
            return
        lookup = lookup_commits(repo, (commit for _path, _doc, commit in named))
        if lookup is None:
            return
        unknown = [(path, doc, commit) for path, doc, commit in named if commit not in lookup.known]
        if not unknown:
            return
        if lookup.shallow:
            path, doc, _commit = unknown[0]
            yield self.diagnostic(
                key_location(path, doc, ("code", "commit")),
                problem=f"{len(unknown)} experiment commit(s) are not in this shallow clone; "
                "run `git fetch --unshallow` to check them",
                commit=_commit,
            )
            return
        for path, doc, commit in unknown:
            yield self.diagnostic(
                key_location(path, doc, ("code", "commit")),
                problem=f"commit {commit} is not in the repository",
                commit=commit,
            )


TOLERANCE = 1e-9
_MISSING = object()


def _metrics_file(repo: RepoContext, folder: str, declared: str) -> tuple[str, bool]:
    """(repo-relative path, readable) of a metrics file: next to the metadata, else from the root."""
    for candidate in (posixpath.normpath(folder + declared), posixpath.normpath(declared)):
        if not candidate.startswith("../") and repo.has(candidate):
            return candidate, True
    for candidate in (posixpath.normpath(folder + declared), posixpath.normpath(declared)):
        if not candidate.startswith("../") and on_disk(repo, candidate) is not None:
            return candidate, False  # there, but not among the files we read (ignored, excluded)
    return declared, False


def _load_metrics(repo: RepoContext, path: str) -> Any:
    if path.endswith(".json"):
        text = repo.file(path).text
        try:
            return json.loads(text) if text is not None else _MISSING
        except json.JSONDecodeError:
            return _MISSING
    if path.endswith((".yaml", ".yml")):
        doc = repo.yaml(path)
        return doc.value if isinstance(doc, YamlDoc) else _MISSING
    return _MISSING


def _lookup(metrics: Any, name: str) -> Any:
    if isinstance(metrics, dict) and name in metrics:
        return metrics[name]
    value = metrics
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


class ExperimentMetricsDrift(RepoRule):
    reads_outside_files = True
    code = "MLE005"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for experiment, path, doc, value in parsed_experiments(repo):
            metrics = value.get("metrics")
            if not isinstance(metrics, dict) or not isinstance(metrics.get("file"), str):
                continue
            declared = metrics["file"]
            if "://" in declared or declared.startswith("/"):
                continue
            found, readable = _metrics_file(repo, experiment.folder, declared)
            if not readable:
                if on_disk(repo, found) is None:
                    yield self.diagnostic(
                        key_location(path, doc, ("metrics", "file")),
                        problem=f"the metrics file {declared} does not exist",
                    )
                continue
            content = _load_metrics(repo, found)
            values = metrics.get("values")
            if content is _MISSING or not isinstance(values, dict):
                continue
            for name, recorded in values.items():
                number = as_number(recorded)
                if number is None:
                    continue
                actual = _lookup(content, str(name))
                location = key_location(path, doc, ("metrics", "values", str(name)))
                if actual is _MISSING:
                    yield self.diagnostic(location, problem=f"{name} is not in {found}")
                    continue
                measured = as_number(actual)
                if measured is not None and not math.isclose(number, measured, rel_tol=0, abs_tol=TOLERANCE):
                    yield self.diagnostic(location, problem=f"{name} is {recorded} here but {actual} in {found}")


RULES: list[type[Rule]] = [ExperimentDatasetUnresolved, ExperimentCommitUnknown, ExperimentMetricsDrift]
