"""The catalogue's own invariants: valid entries, one class per code, filled docs, README in sync."""

from __future__ import annotations

import re
import string
from pathlib import Path

import jsonschema
import pytest

from mlops_lint.catalogue import CatalogueError, load_catalogue, load_entry
from mlops_lint.checks import ALL_RULES
from mlops_lint.diagnostics import Family, Severity
from mlops_lint.docs import TABLE_END, TABLE_START, explain, replace_table, rule_table
from mlops_lint.registry import registry
from mlops_lint.resources import rules_dir, schema

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = load_catalogue()


def test_every_entry_matches_the_rule_schema() -> None:
    validator = jsonschema.Draft202012Validator(schema("rule.schema.json"))
    for path in sorted(rules_dir().glob("*.yaml")):
        import yaml

        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(entry))
        assert not errors, f"{path.name}: {errors[0].message}"
        # a run skips this validation for the shipped catalogue: this test is what holds it
        assert load_entry(path, validate=True) == CATALOGUE[entry["code"]]


def test_codes_and_classes_match_one_to_one() -> None:
    codes = [cls.code for cls in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert set(codes) == set(CATALOGUE)
    assert set(registry()) == set(CATALOGUE)


def test_code_prefix_matches_family() -> None:
    prefixes = {
        Family.NAMING: "MLN",
        Family.CODE_QUALITY: "MLS",
        Family.EXPERIMENTS: "MLE",
        Family.DATA: "MLD",
        Family.GIT_HISTORY: "MLG",
        Family.NOTEBOOKS: "MLJ",
        Family.REPRODUCIBILITY: "MLR",
        Family.INTERNAL: "MLX",
    }
    for meta in CATALOGUE.values():
        assert meta.code.startswith(prefixes[meta.family]), meta.code


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_docs_are_filled_and_examples_cover_both_sides(code: str) -> None:
    meta = CATALOGUE[code]
    for section in ("what", "why", "example", "use_instead", "fix_safety"):
        assert meta.docs[section].strip(), f"{code}: docs.{section} is empty"
    assert any("expect" in e for e in meta.examples), f"{code}: no bad example"
    assert any(e.get("valid") for e in meta.examples), f"{code}: no good example"
    if meta.fixable:
        assert any("fixed" in e for e in meta.examples), f"{code}: fixable but no `fixed:` example"
    for example in meta.examples:
        for expectation in example.get("expect", []):
            assert re.search(rf": {code}\b", expectation), f"{code}::{example['name']}: expects another code"


# Warnings and errors whose message itself says what to do (and where), so they need no `help:`.
REMEDY_IN_MESSAGE = {
    "MLD003": "run `git rm -r --cached {path}`",
    "MLD004": "run '{command}' if the change is intended, or 'dvc checkout'",
    "MLD007": "run 'dvc repro' and commit dvc.lock",
    "MLD009": "write to data/interim or data/processed",
    "MLD010": "run: {command}",
    "MLG001": "move it to DVC (...) or to LFS (...)",
    "MLG002": "move it to DVC (...) or to LFS (...)",
    "MLG003": "{state}: {command}, the history rewrite that drops the blob",
    "MLG004": "revoke/rotate it and read it from the environment",
    "MLG005": "{state}: revoke it now",
    "MLJ006": "pin versions (e.g. '{example}') or install from a requirements file",
    "MLR002": "call {hint} first",
    "MLR005": "pin it (==) or commit a lock file",
    "MLR006": "use a path relative to the project or a config value",
    "MLS010": "put a scaler (e.g. StandardScaler) before it",
    "MLS017": "fit on the training split only (put preprocessing in a Pipeline)",
}


def _fields(template: str) -> set[str]:
    return {field for _text, field, _spec, _conv in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_warning_and_error_says_what_to_do(code: str) -> None:
    """A fix title, a `help:` template, or a message that carries the remedy (REMEDY_IN_MESSAGE)."""
    meta = CATALOGUE[code]
    if meta.help is not None:
        assert _fields(meta.help) <= _fields(meta.message), f"{code}: help uses arguments the message does not get"
    if meta.severity is Severity.INFO:
        return
    assert meta.fix_title or meta.help or code in REMEDY_IN_MESSAGE, f"{code}: a {meta.severity} needs a help: text"
    if code in REMEDY_IN_MESSAGE:  # the list stays minimal and true
        assert not (meta.fix_title or meta.help), f"{code}: has its own help now; drop it from REMEDY_IN_MESSAGE"


def test_explain_renders_sections_in_order() -> None:
    text = explain(CATALOGUE["MLN004"])
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Options",
        "## Fix safety",
        "## References",
    ]
    assert "`aliases` (object, default" in text


def test_readme_rule_table_is_in_sync() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert TABLE_START in readme and TABLE_END in readme
    expected = replace_table(readme, rule_table(CATALOGUE.values()))
    assert readme == expected, "README rule table is stale: run `python -m mlops_lint.docs`"


def test_a_broken_entry_is_refused_with_its_file_name(tmp_path: Path) -> None:
    bad = tmp_path / "MLN999-broken-rule.yaml"
    bad.write_text("code: MLN999\nname: broken-rule\nfamily: naming\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"MLN999-broken-rule\.yaml"):
        load_entry(bad)


def test_file_name_must_match_code_and_name(tmp_path: Path) -> None:
    source = rules_dir() / "MLN002-untitled-or-copied-notebook.yaml"
    wrong = tmp_path / "MLN002-other-name.yaml"
    wrong.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"must be named MLN002-untitled-or-copied-notebook\.yaml"):
        load_entry(wrong)


def test_the_parsed_copy_in_the_user_cache_gives_the_same_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The YAML is parsed once per catalogue and kept as JSON (catalogue_compiled.py); the copy,
    a broken copy and an unwritable cache all give the catalogue the YAML gives."""
    from mlops_lint import catalogue, catalogue_compiled

    fresh = catalogue.load_catalogue.__wrapped__
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = fresh()
    copies = list((tmp_path / "cache" / "mlops-lint").glob("catalogue-*.json"))
    assert len(copies) == 1
    parsed: list[str] = []
    real = catalogue._safe_load
    monkeypatch.setattr(catalogue, "_safe_load", lambda text: parsed.append(text[:10]) or real(text))
    assert fresh() == first and parsed == []  # read from the copy: no YAML parsed
    copies[0].write_text("{not json", encoding="utf-8")
    assert fresh() == first and len(parsed) == len(first)  # a broken copy: parsed again (and rewritten)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # the cache folder cannot be made
    assert fresh() == first
    assert catalogue_compiled.read_copy(tmp_path / "missing.json") is None
