"""The wheel ships the catalogue and templates, and works from an install (not the source tree)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)], cwd=ROOT, check=True,
                   capture_output=True)  # fmt: skip
    (built,) = out.glob("mlops_lint-*.whl")
    return built


def test_wheel_contains_catalogue_templates_and_schemas(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    rules = {p.name for p in (ROOT / "rules").glob("*.yaml")}
    assert {f"mlops_lint/_data/rules/{name}" for name in rules} <= names
    templates = {p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert {f"mlops_lint/_data/templates/{name}" for name in templates} <= names
    assert "mlops_lint/schemas/rule.schema.json" in names and "mlops_lint/schemas/config.schema.json" in names
    assert "mlops_lint/_data/pre-commit-hooks.yaml" in names  # `init` writes local hooks from it
    assert not any(name.startswith(("rules/", "templates/")) for name in names), "data shipped as top-level folders"


def test_installed_wheel_lists_the_same_rules(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import mlops_lint, mlops_lint.resources as r;"
        "assert mlops_lint.__file__.startswith(sys.argv[1]), mlops_lint.__file__;"
        "assert str(r.rules_dir()).startswith(sys.argv[1]), r.rules_dir();"
        "assert str(r.hooks_manifest()).startswith(sys.argv[1]) and r.hooks_manifest().is_file();"
        "from mlops_lint.cli import main; sys.argv = ['mlops-lint', 'rules', '--output-format', 'json']; main()"
    )
    installed = subprocess.run(
        [sys.executable, "-c", script, str(target)], cwd=tmp_path, capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    source = subprocess.run([sys.executable, "-m", "mlops_lint.cli", "rules", "--output-format", "json"], cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    assert json.loads(installed.stdout) == json.loads(source.stdout)
    assert len(json.loads(installed.stdout)) >= 6
