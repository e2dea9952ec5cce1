"""The shipped experiment schema is a valid JSON Schema, and the template validates once filled."""

from __future__ import annotations

import json
from string import Template

import jsonschema
import pytest

from mlops_lint.context.yaml_doc import YamlDoc, load_yaml
from mlops_lint.resources import templates_dir

SCHEMA = json.loads((templates_dir() / "experiment.schema.json").read_text(encoding="utf-8"))
TEMPLATE = Template((templates_dir() / "experiment.yaml").read_text(encoding="utf-8"))
FILLED = {
    "id": "exp-001-baseline",
    "name": "Random forest churn baseline",
    "owner": "jqp",
    "hypothesis": "A random forest on tenure and fees reaches ROC AUC >= 0.75.",
    "created": "2024-05-14",
    "commit": "3c52c944bb440ddce81ac28fae11d7c00ef9698c",
    "dataset_name": "customers",
    "dataset_pointer": "data/raw/customers.csv.dvc",
    "seed": "20",
    "gpu_hours": "2",
}


def validate(values: dict[str, str]) -> list[str]:
    doc = load_yaml(TEMPLATE.substitute(values))
    assert isinstance(doc, YamlDoc)
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(doc.value)]


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_filled_template_validates_with_an_unquoted_date() -> None:
    assert validate(FILLED) == []


@pytest.mark.parametrize("field", ["hypothesis", "name"])
def test_todo_placeholders_keep_it_invalid(field: str) -> None:
    assert validate({**FILLED, field: "TODO describe this experiment"}) != []
