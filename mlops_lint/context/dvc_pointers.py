"""The repository's `.dvc` pointer files, parsed, and the paths their outputs declare.

Shared by the data rules (workspace data against its pointer) and the git-history rules (a file
tracked by DVC is not a raw blob to report)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context.dvc import pointer_outs
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc


def dvc_pointers(repo: RepoContext) -> Iterator[tuple[str, YamlDoc]]:
    """(path, parsed document) of every `.dvc` pointer outside `.dvc/` that is a mapping, in path order."""
    for path in sorted(repo.file_set):
        if path.endswith(".dvc") and not path.startswith(".dvc/"):
            doc = repo.yaml(path)
            if isinstance(doc, YamlDoc) and isinstance(doc.value, dict):
                yield path, doc


def dvc_out_paths(repo: RepoContext) -> set[str]:
    """Repo-relative paths of every output the `.dvc` pointers declare."""
    return {out.path for pointer, doc in dvc_pointers(repo) for out in pointer_outs(doc, pointer)}
