"""MLE001/MLE002 beyond the catalogue examples: the created file fails only on its TODOs, and the
schema pieces (placeholders, number hints, invalid team schemas) behave as documented."""

from __future__ import annotations

from pathlib import Path

from mlops_lint import api
from mlops_lint.checks.experiments.missing import render_metadata
from mlops_lint.context.experiments import DatasetPointer
from mlops_lint.context.yaml_doc import YamlDoc, load_yaml
from tests.helpers import compact, git_init, write_files

ONLY = api.Overrides(only=("MLE001", "MLE002"))


def _findings(root: Path) -> list[str]:
    return sorted(compact(d) for d in api.lint([root], ONLY).diagnostics)


def test_rendered_metadata_is_yaml_with_dataset_entries() -> None:
    pointers = [
        DatasetPointer("data/a.csv.dvc", "473f828a2c2531782e07be0bfb1e2ca0"),
        DatasetPointer("data/images.dvc", None),
    ]
    doc = load_yaml(render_metadata("exp-007", pointers))
    assert isinstance(doc, YamlDoc)
    assert doc.value["id"] == "exp-007"
    assert doc.value["dataset"] == [
        {"name": "a", "pointer": "data/a.csv.dvc", "md5": "473f828a2c2531782e07be0bfb1e2ca0"},
        {"name": "images", "pointer": "data/images.dvc"},
    ]


def test_awkward_folder_names_stay_strings() -> None:
    for name in ("123", "true", "null", "Bigger Vocab: v2 #1", "exp-1"):
        doc = load_yaml(render_metadata(name, []))
        assert isinstance(doc, YamlDoc)
        assert doc.value["id"] == name


def test_fix_creates_a_file_that_fails_only_on_its_todo_fields(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"experiments/exp-002/notes.md": "notes\n"})
    assert _findings(tmp_path) == [
        "experiments/exp-002: MLE001 Experiment folder experiments/exp-002/ has no experiment.yaml: "
        "what was tried, on which data and code, is not recorded"
    ]
    api.fix([tmp_path], ONLY)
    findings = _findings(tmp_path)
    # one finding until a person fills it: the skeleton's TODO fields, named, at the first of them
    assert len(findings) == 1 and "MLE002" in findings[0] and "not filled in yet: fill in these" in findings[0]
    text = (tmp_path / "experiments/exp-002/experiment.yaml").read_text(encoding="utf-8")
    todo_lines = {n for n, line in enumerate(text.splitlines(), start=1) if "TODO" in line}
    assert int(findings[0].split(":")[1]) in todo_lines
    named = findings[0].split("fill in these ", 1)[1].split(": ", 1)[1].split(", ")
    assert {"name", "owner", "hypothesis", "created", "code.commit", "seed"} <= set(named)


def test_invalid_team_schema_is_one_finding_and_semantics_still_run(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path,
        {
            "pyproject.toml": '[tool.mlops-lint.experiments]\nschema = "s.json"\n',
            "s.json": '{"type": 12}\n',
            "experiments/exp-001/experiment.yaml": "id: exp-9\n",
        },
    )
    findings = _findings(tmp_path)
    assert len(findings) == 2
    assert findings[0].startswith("experiments/exp-001/experiment.yaml:1:1: MLE002 Invalid experiment metadata: id ")
    assert findings[1].startswith("s.json: MLE002 Invalid experiment metadata: not a valid JSON Schema")


def test_empty_metadata_file_is_reported(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(tmp_path, {"experiments/exp-001/experiment.yaml": "# nothing yet\n"})
    assert _findings(tmp_path) == [
        "experiments/exp-001/experiment.yaml:1:1: MLE002 Invalid experiment metadata: the file is empty"
    ]


def test_dates_and_date_times_are_checked_without_optional_packages(tmp_path: Path) -> None:
    git_init(tmp_path)
    good = "2024-05-20T17:05:00Z"
    body = "schema_version: 1\nid: exp-001\ncreated: {created}\nstarted: {started}\n"
    write_files(tmp_path, {"experiments/exp-001/experiment.yaml": body.format(created="yesterday", started=good)})
    created = [f for f in _findings(tmp_path) if "created" in f]
    assert created and created[0].startswith("experiments/exp-001/experiment.yaml:3:1: MLE002")
    write_files(tmp_path, {"experiments/exp-001/experiment.yaml": body.format(created="2024-05-14", started=good)})
    assert not [f for f in _findings(tmp_path) if "created" in f or "started" in f]
    write_files(
        tmp_path, {"experiments/exp-001/experiment.yaml": body.format(created="2024-05-14", started="2024-05-20T25:00")}
    )
    assert [f for f in _findings(tmp_path) if "started" in f]


def test_one_of_errors_point_inside_the_fitting_alternative(tmp_path: Path) -> None:
    git_init(tmp_path)
    write_files(
        tmp_path, {"experiments/exp-001/experiment.yaml": "id: exp-001\nseed: [1, -2]\nowner: {name: x, email: 3}\n"}
    )
    prefix = "experiments/exp-001/experiment.yaml:"
    findings = [
        f.split(" metadata: ", 1)[0][len(prefix) :] + " " + f.split(" metadata: ", 1)[1] for f in _findings(tmp_path)
    ]
    assert [f for f in findings if "required" not in f] == [
        "2:11: MLE002 Invalid experiment seed[1]: expected 0 or more, found -2",
        "3:18: MLE002 Invalid experiment owner.email: expected a text, found 3"
        ' (quote it: "3"; YAML reads an all-digit value such as a hash as a number)',
    ]
