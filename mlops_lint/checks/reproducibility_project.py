"""Reproducibility across files: seeds reachable from entry points, pinned dependencies."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.checks.seed_reach import SeedReach, where_to_span
from mlops_lint.context.commands import module_to_paths, scripts_in_command
from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.python_facts import Where
from mlops_lint.context.random_apis import trains
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import PathRule, RepoRule

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
        for path in sorted(repo.targets):
            kind = repo.file(path).kind
            if kind is not FileKind.PYTHON and kind is not FileKind.NOTEBOOK:
                continue
            facts = repo.facts(path)
            if facts is None:
                continue
            pipeline = path in pipelines
            script = kind is FileKind.NOTEBOOK or facts.main_guard is not None or trains(facts.top_level.trains)
            if not pipeline and (not script or _is_test(path)):
                continue  # a module (imported, not run), or a test
            reach = SeedReach(repo, path)
            reach.run()
            if not pipeline and not trains(reach.training):
                continue  # inference, evaluation, export, conversion, benchmarks: nothing learns from the draws
            missing = sorted(set(reach.first_draws) - reach.seeds)
            if not missing:
                continue
            first = min((reach.first_draws[library] for library in missing), key=lambda w: (w.line, w.col))
            location = self._location(repo, path, first)
            if location is None:
                continue
            yield self.diagnostic(
                location,
                entry="Pipeline script" if pipeline else "Notebook" if kind is FileKind.NOTEBOOK else "Entry point",
                libraries=", ".join(missing),
                hint=", ".join(_SEED_HINTS[library] for library in missing),
            )

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


# --- dependencies ------------------------------------------------------------------------------

_LOCK_FILES = ("poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml", "conda-lock.yaml", "pixi.lock")
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$")
_CONDA = re.compile(r"^\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def _lock_present(repo: RepoContext) -> str | None:
    for path in sorted(repo.file_set):
        name = PurePosixPath(path).name
        if name in _LOCK_FILES or re.fullmatch(r"requirements.*\.lock", name):
            return path
    return None


def _pinned(spec: str) -> bool:
    spec = spec.split(";", 1)[0].split("#", 1)[0].strip()
    return spec.startswith(("==", "===")) and "*" not in spec and "," not in spec


class UnpinnedDependency(PathRule):
    code = "MLR005"
    kinds = None

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        from mlops_lint.globs import gitignore_spec

        if not gitignore_spec(self.options["files"]).match_file(file.path) or file.text is None:
            return
        if _lock_present(repo):
            return
        if file.path.endswith((".yml", ".yaml")):
            yield from self._conda(file)
        else:
            yield from self._requirements(file)

    def _requirements(self, file: FileContext) -> Iterator[Diagnostic]:
        text = file.text or ""
        if "--hash=" in text:
            return  # pip-compile --generate-hashes output pins everything
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith(("#", "-", ".", "/")) or "://" in line or "@" in line:
                continue  # options, includes, local paths, URLs and VCS references
            match = _REQUIREMENT.match(line)
            if match and not _pinned(match.group(3)):
                yield self._finding(file, number, raw, match.group(1), match.group(3).strip())

    def _conda(self, file: FileContext) -> Iterator[Diagnostic]:
        in_dependencies = False
        for number, raw in enumerate((file.text or "").splitlines(), start=1):
            if re.match(r"^dependencies\s*:", raw):
                in_dependencies = True
                continue
            if in_dependencies and raw and not raw[0].isspace() and not raw.startswith("-"):
                in_dependencies = False
            if not in_dependencies:
                continue
            match = _CONDA.match(raw.split("#", 1)[0])
            if not match or match.group(1) in ("pip", "python") or raw.strip().endswith(":"):
                continue
            spec = match.group(2).strip()
            conda_pinned = re.match(r"^=?=\s*[0-9][^*,<>]*$", spec) is not None
            if not conda_pinned and not _pinned(spec):
                yield self._finding(file, number, raw, match.group(1), spec)

    def _finding(self, file: FileContext, number: int, raw: str, name: str, spec: str) -> Diagnostic:
        column = raw.find(name) + 1
        span = Span(start_line=number, start_col=column, end_line=number, end_col=column + len(name))
        state = f"only constrained by '{spec}'" if spec else "not pinned"
        return self.diagnostic(Location(path=file.path, span=span), package=name, state=state)


RULES = [GlobalSeedMissing, UnpinnedDependency]
