"""Naming conventions a team declares as data in its configuration (MLN007)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.context.files import FileContext
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location
from mlops_lint.globs import gitignore_spec
from mlops_lint.rule import PathRule

if TYPE_CHECKING:
    pass
else:
    pass  # imported on first use: see mlops_lint.lazy


class NamingConventionViolated(PathRule):
    code = "MLN007"

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        for convention in repo.config.conventions:
            spec = gitignore_spec([convention.glob])
            if convention.for_folders:
                parts = file.path.split("/")[:-1]
                candidates = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
            else:
                candidates = [file.path]
            for candidate in candidates:
                if not spec.match_file(candidate):
                    continue
                pure = PurePosixPath(candidate.rstrip("/"))
                subject = {"name": pure.name, "stem": pure.stem, "path": str(pure)}[convention.target]
                if convention.pattern.fullmatch(subject):
                    continue
                label = f" '{convention.name}'" if convention.name else ""
                message = convention.message or f"{convention.target} must match {convention.pattern.pattern}"
                yield self.diagnostic(Location(path=candidate), path=candidate, label=label, message=message)


RULES = [NamingConventionViolated]
