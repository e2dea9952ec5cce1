"""`mlops-lint new experiment NAME`: a new experiment folder with its metadata file.

The file is the shipped template with what the repository can tell filled in: the id (the folder
name), the owner (the author git would record), today's date, the HEAD commit, and the `.dvc` pointers that
`dvc.yaml` stages depend on, with their md5s. Everything else stays a TODO, which keeps the metadata invalid until a
person writes the name, the hypothesis and the budget: the convention is that nobody starts an
experiment without saying what it tests.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from mlops_lint.checks.experiments.missing import render_metadata
from mlops_lint.context.experiments import dataset_pointers
from mlops_lint.context.files import read_inside
from mlops_lint.git_gateway import GitGateway

MAX_POINTER_BYTES = 1 << 20  # a dvc.yaml or .dvc pointer is a few hundred bytes
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,79}$")


class ScaffoldError(Exception):
    """The experiment cannot be created (bad name, or it exists); the message says why."""


def _git_facts(root: Path) -> tuple[str | None, str | None]:
    """(the author git would record, from configuration or environment; HEAD's commit)."""
    gateway = GitGateway(root)
    try:
        ident = (gateway.out("var", "GIT_AUTHOR_IDENT") or "").strip()
        return ident or None, gateway.head_commit()
    finally:
        gateway.close()


def _reader(root: Path) -> Callable[[str], str | None]:
    def read(relpath: str) -> str | None:
        problem, data = read_inside(root, relpath, MAX_POINTER_BYTES)
        return None if problem is not None or data is None else data.decode("utf-8", "replace")

    return read


def render_experiment(root: Path, experiment_id: str, today: dt.date | None = None) -> str:
    """The same rendering MLE001's fix uses, with today's date instead of a first commit's."""
    ident, commit = _git_facts(root)
    owner = ident.split(" <", 1)[0].strip() if ident and " <" in ident else None
    return render_metadata(
        experiment_id,
        dataset_pointers(_reader(root)),
        owner=owner,
        created=(today or dt.date.today()).isoformat(),
        commit=commit,
    )


def new_experiment(root: Path, experiment_id: str, folder_pattern: str = "experiments") -> Path:
    """Create `<root>/experiments/<id>/experiment.yaml`; returns its path."""
    if not ID_PATTERN.match(experiment_id):
        rule = "lowercase letters, digits, '.', '_' and '-', 3-80 characters"
        raise ScaffoldError(f"'{experiment_id}' is not a valid experiment id: {rule}")
    folder = root / folder_pattern / experiment_id
    target = folder / "experiment.yaml"
    if target.exists():
        raise ScaffoldError(f"{target.relative_to(root)} exists already; nothing was written")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(render_experiment(root, experiment_id), encoding="utf-8")
    return target
