"""Reproducibility across files: seeds reachable from entry points."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from functools import partial
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.checks.reproducibility.seed_reach import ImportMemo, SeedReach, where_to_span
from mlops_lint.context.commands import module_to_paths, scripts_in_command
from mlops_lint.context.files import FileKind, classify
from mlops_lint.context.python_facts import Where
from mlops_lint.context.random_apis import trains
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule

_SEED_HINTS = {
    "numpy": "np.random.seed(SEED)",
    "random": "random.seed(SEED)",
    "torch": "torch.manual_seed(SEED)",
    "tensorflow": "tf.random.set_seed(SEED)",
}


def pipeline_entry_points(repo: RepoContext) -> dict[str, str]:
    """Python files that dvc.yaml stages and MLproject entry points run: path -> where it is declared."""
    found: dict[str, str] = {}
    for path in repo.file_set:
        name = PurePosixPath(path).name
        if name not in ("dvc.yaml", "MLproject"):
            continue
        doc = repo.yaml(path)
        if not isinstance(doc, YamlDoc) or not isinstance(doc.value, dict):
            continue
        folder = posixpath.dirname(path)
        section = doc.value.get("stages" if name == "dvc.yaml" else "entry_points")
        if not isinstance(section, dict):
            continue
        for stage in section.values():
            if not isinstance(stage, dict):
                continue
            commands = stage.get("cmd" if name == "dvc.yaml" else "command")
            wdir = stage.get("wdir", ".") if isinstance(stage.get("wdir", "."), str) else "."
            for command in commands if isinstance(commands, list) else [commands]:
                if not isinstance(command, str):
                    continue
                for kind, target in scripts_in_command(command):
                    base = posixpath.normpath(posixpath.join(folder, wdir))
                    base = "" if base == "." else base + "/"
                    candidates = module_to_paths(target, (base,)) if kind == "module" else [base + target]
                    for candidate in candidates:
                        candidate = posixpath.normpath(candidate)
                        if candidate.endswith(".py") and repo.has(candidate):
                            found.setdefault(candidate, path)
                            break
    return found


_TEST_FOLDERS = frozenset({"test", "tests", "testing", "test_utils"})


def _is_test(path: str) -> bool:
    """Test code checks behaviour, not results: what it asserts does not hang on a seed (or it seeds)."""
    parts = PurePosixPath(path).parts
    name = parts[-1]
    named = name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    return named or bool(_TEST_FOLDERS.intersection(parts))


class GlobalSeedMissing(RepoRule):
    reads_module_facts = True
    code = "MLR002"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        pipelines = pipeline_entry_points(repo) if self.options["pipeline-scripts"] else {}
        memo = ImportMemo()  # shared by every entry point's reach
        for path in sorted(repo.targets):
            kind = classify(path)
            if kind is not FileKind.PYTHON and kind is not FileKind.NOTEBOOK:
                continue
            pipeline = path in pipelines
            # one memo unit per file: editing a script reruns its own reach, not all 254 of diffusers'
            found = repo.memo_unit(f"{path}\0{pipeline}", partial(self._finding, repo, path, pipeline, memo))
            if found is not None:
                line, col, end_line, end_col = found["span"]
                span = Span(start_line=line, start_col=col, end_line=end_line, end_col=end_col)
                yield self.diagnostic(Location(path=path, span=span, cell=found["cell"]), **found["fields"])

    def _finding(self, repo: RepoContext, path: str, pipeline: bool, memo: ImportMemo) -> dict[str, Any] | None:
        """The finding on `path` as JSON (a memo unit's value), or None."""
        facts = repo.facts(path)
        if facts is None:
            return None
        notebook = classify(path) is FileKind.NOTEBOOK
        script = notebook or facts.main_guard is not None or trains(facts.top_level.trains)
        if not pipeline and (not script or _is_test(path)):
            return None  # a module (imported, not run), or a test
        reach = SeedReach(repo, path, memo)
        reach.run()
        if not pipeline and not trains(reach.training):
            return None  # inference, evaluation, export, conversion, benchmarks: nothing learns from the draws
        missing = sorted(set(reach.first_draws) - reach.seeds)
        if not missing:
            return None
        first = min((reach.first_draws[library] for library in missing), key=lambda w: (w.line, w.col))
        location = self._location(repo, path, first)
        if location is None or location.span is None:
            return None
        span = location.span
        return {
            "span": [span.start_line, span.start_col, span.end_line, span.end_col],
            "cell": location.cell,
            "fields": {
                "entry": "Pipeline script" if pipeline else "Notebook" if notebook else "Entry point",
                "libraries": ", ".join(missing),
                "hint": ", ".join(_SEED_HINTS[library] for library in missing),
            },
        }

    @staticmethod
    def _location(repo: RepoContext, path: str, where: Where) -> Location | None:
        """The draw (or the call or import leading to it) in the entry file; in a notebook, its cell."""
        if path.endswith(".ipynb"):
            program = repo.notebook_program(path)
            mapped = program.to_cell(where_to_span(program.text, where)) if program is not None else None
            if mapped is None:
                return None
            piece, span = mapped
            return Location(path=path, span=span, cell=piece.cell.index)
        return Location(path=path, span=where_to_span(repo.file(path).text or "", where))


RULES = [GlobalSeedMissing]
