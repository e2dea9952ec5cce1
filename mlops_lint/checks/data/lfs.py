"""Git LFS: a broken pointer, or a raw blob committed under an LFS pattern (MLD010). Data and model
files committed to git are the git-history family's (checks/git_history/committed.py)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context.artifacts import size_text
from mlops_lint.context.git_objects import head_blobs
from mlops_lint.context.lfs import lfs_attributes, looks_like_pointer, pointer_problem
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.rule import RepoRule


class LfsPointerProblem(RepoRule):
    # reads the blobs at HEAD (git state, in every memo's key) and the `.gitattributes` files
    # (listed files): nothing outside what the memos see, so a warm run need not run it
    code = "MLD010"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        blobs = head_blobs(repo)
        attributes = lfs_attributes(repo)
        targets = set(repo.targets)
        for path, blob in sorted(blobs.items()):
            if path not in targets:
                continue
            if looks_like_pointer(blob.content):
                problem = pointer_problem(blob.content or b"")
                if problem is not None:
                    yield self.diagnostic(
                        Location(path=path, span=Span.point(problem.line)),
                        problem=f"invalid LFS pointer: {problem.problem}",
                        command="git lfs fsck --pointers",
                    )
                continue
            rule = attributes.rule_for(path)
            if rule is not None and blob.size > 0:
                yield self.diagnostic(
                    Location(path=path),
                    problem=(
                        f"matches '{rule.pattern} filter=lfs' ({rule.source}:{rule.line}) but its committed "
                        f"blob is raw content ({size_text(blob.size)}), not an LFS pointer"
                    ),
                    command=f'git lfs migrate import --include="{path}"',
                )


RULES = [LfsPointerProblem]
