"""DVC's own file schemas, run on `.dvc`, `dvc.yaml` and `dvc.lock` without DVC installed.

The schemas shipped in `mlops_lint/schemas/` say exactly what DVC 3 loads: `dvc-yaml` is
iterative/dvcyaml-schema's published `schema.json` aligned with DVC's `MULTI_STAGE_SCHEMA`, and
`dvc-pointer`/`dvc-lock` translate `SINGLE_STAGE_SCHEMA` and `LOCKFILE_SCHEMA` from `dvc/schema.py`
(THIRD-PARTY.md in that folder lists the sources and every difference). A file DVC loads gives no
problem here; a file DVC refuses gives one per refused value, at that value's key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlops_lint.context.schema_check import problems, validator
from mlops_lint.context.yaml_doc import YamlDoc

DvcFileKind = Literal["pointer", "yaml", "lock"]
DVC_SCHEMA_FILES: dict[str, DvcFileKind] = {"dvc.yaml": "yaml", "dvc.lock": "lock"}  # by file name

# keys older DVC versions wrote in .dvc files that DVC 3 refuses: what to tell the author
_RETIRED = {
    "metric": "DVC 2 wrote it in .dvc files; DVC 3 refuses it, delete the line",
    "plot": "DVC 2 wrote it in .dvc files; DVC 3 refuses it, delete the line",
    "cmd": "a DVC 1 stage file; DVC 3 runs stages from dvc.yaml only",
}


@dataclass(frozen=True, slots=True)
class DvcSchemaProblem:
    message: str
    line: int
    column: int
    key: tuple[str | int, ...]


def dvc_schema_problems(doc: YamlDoc, kind: DvcFileKind) -> list[DvcSchemaProblem]:
    """What DVC's schema refuses in a parsed DVC file, in document order. An empty file is `{}`
    to DVC: fine for `.dvc` and `dvc.yaml`, refused for `dvc.lock` (it needs `schema: '2.0'`)."""
    value = {} if doc.value is None else doc.value
    found = []
    for problem in problems(validator(f"dvc-{kind}.schema.json"), value):
        message = problem.message
        last = problem.path[-1] if problem.path else None
        if kind == "pointer" and message.endswith(f"unknown key '{last}'") and last in _RETIRED:
            message += f" ({_RETIRED[str(last)]})"
        line, column = doc.position_of(problem.path)
        found.append(DvcSchemaProblem(message, line, column, problem.path))
    return found
