"""MLR005: dependencies whose versions are left open where an environment should be rebuildable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context.files import FileContext
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import PathRule

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


RULES = [UnpinnedDependency]
