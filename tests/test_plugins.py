"""Third-party rule packages: the bundled example plugin installed, used and uninstalled for real.

`pip install --no-deps --no-build-isolation --target` builds `examples/plugin` with the hatchling of
the test extras (offline) into a folder put on PYTHONPATH of a fresh interpreter, where
`importlib.metadata` finds its entry point; uninstalling removes the files its RECORD lists, as
`pip uninstall` does. Collisions are tested with hand-written distributions (METADATA and
entry_points.txt are all an entry point needs).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_lint import plugins
from mlops_lint.catalogue import load_catalogue
from mlops_lint.result_cache import rules_key
from mlops_lint.selection import specificity

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "examples" / "plugin"
DEMO = PLUGIN / "demo"
ENTRY = PLUGIN / "team_conventions" / "rules" / "TEAM001-training-script-without-logged-params.yaml"


def _run(site: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mlops_lint.cli", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def _install(site: Path, source: Path) -> None:
    copy = site.parent / f"src-{source.name}"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "demo", "tests"))
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
           "--target", str(site), str(copy)]  # fmt: skip
    done = subprocess.run(pip, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _uninstall(site: Path, distribution: str) -> None:
    """What `pip uninstall` does: remove every file the distribution's RECORD lists."""
    (dist_info,) = site.glob(f"{distribution}-*.dist-info")
    with (dist_info / "RECORD").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            (site / row[0]).unlink(missing_ok=True)
    shutil.rmtree(dist_info, ignore_errors=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plugin") / "site"
    _install(folder, PLUGIN)
    return folder


def test_rules_lists_the_plugin_rule_and_explains_it(site: Path) -> None:
    listed = _run(site, "rules", "--output-format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["code"]: row for row in json.loads(listed.stdout)}
    assert rows["TEAM001"]["name"] == "training-script-without-logged-params"
    assert rows["TEAM001"]["family"] == "experiments"
    explained = _run(site, "rules", "explain", "TEAM001")
    assert explained.stdout.startswith("# training-script-without-logged-params (TEAM001)")
    assert "## Why is this bad?" in explained.stdout


@pytest.mark.parametrize(
    "selector", ["TEAM001", "TEAM", "team0", "experiments", "training-script-without-logged-params"]
)
def test_the_plugin_rule_is_selected_by_code_prefix_family_and_name(site: Path, selector: str) -> None:
    done = _run(site, "check", "--no-cache", "--select", selector, "--output-format", "json", str(DEMO))
    assert done.returncode == 1, done.stderr
    found = json.loads(done.stdout)
    assert [(f["code"], f["path"], f["line"]) for f in found if f["code"] == "TEAM001"] == [
        ("TEAM001", "src/train.py", 8)
    ]


def test_check_reports_it_in_every_output_format(site: Path) -> None:
    text = _run(site, "check", "--no-cache", str(DEMO))
    assert text.returncode == 1, text.stderr
    assert "src/train.py:8:5: TEAM001 info: model.fit() trains a model" in text.stdout
    sarif = json.loads(_run(site, "check", "--no-cache", "--output-format", "sarif", str(DEMO)).stdout)
    (rule,) = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "TEAM001"]
    assert rule["name"] == "training-script-without-logged-params"
    assert rule["shortDescription"]["text"] == "A training script never logs its hyperparameters"
    assert any(r["ruleId"] == "TEAM001" for r in sarif["runs"][0]["results"])
    for output_format in ("github", "junit"):
        assert "TEAM001" in _run(site, "check", "--no-cache", "--output-format", output_format, str(DEMO)).stdout


def test_ignoring_and_suppressing_the_plugin_rule(site: Path, tmp_path: Path) -> None:
    assert _run(site, "check", "--no-cache", "--ignore", "TEAM", str(DEMO)).returncode == 0
    (tmp_path / "pyproject.toml").write_text("[tool.mlops-lint]\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("def main(model, X, y):\n    model.fit(X, y)  # mlops-lint: ignore[TEAM001]\n")
    suppressed = _run(site, "check", "--no-cache", "--no-history", str(tmp_path))
    assert suppressed.returncode == 0, suppressed.stdout


def test_the_plugin_runs_its_own_catalogue_examples_with_the_harness(site: Path, tmp_path: Path) -> None:
    shutil.copytree(PLUGIN / "tests", tmp_path / "tests")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=tmp_path,
                          env=env, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_uninstalling_the_package_removes_its_rules(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _install(site, PLUGIN)
    assert "TEAM001" in _run(site, "check", "--no-cache", str(DEMO)).stdout
    _uninstall(site, "team_conventions")
    assert not any(site.rglob("*.py")), "the uninstall left files behind"
    assert "TEAM001" not in _run(site, "rules").stdout
    after = _run(site, "check", "--no-cache", str(DEMO))
    assert after.returncode == 0, after.stdout + after.stderr
    selected = _run(site, "check", "--no-cache", "--select", "TEAM", str(DEMO))
    assert selected.returncode == 2
    assert "'TEAM' matches no rule (if a plugin provides it, is its package installed?)" in selected.stderr


def _fake_plugin(site: Path, distribution: str, code: str, name: str) -> None:
    """A distribution whose entry point adds one rule: a copy of TEAM001's entry and class, recoded."""
    module = distribution.replace("-", "_")
    package = site / module
    (package / "rules").mkdir(parents=True)
    entry = (
        ENTRY.read_text(encoding="utf-8")
        .replace("TEAM001", code)
        .replace("training-script-without-logged-params", name)
    )
    (package / "rules" / f"{code}-{name}.yaml").write_text(entry, encoding="utf-8")
    (package / "__init__.py").write_text(
        "from pathlib import Path\nfrom team_conventions.checks import TrainingScriptWithoutLoggedParams as Base\n"
        f"class Rule(Base):\n    code = {code!r}\n"
        "CATALOGUE = Path(__file__).parent / 'rules'\nRULES = [Rule]\n",
        encoding="utf-8",
    )
    dist_info = site / f"{module}-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(f"[mlops_lint.plugins]\n{module} = {module}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "name", "message"),
    [
        ("TEAM001", "another-name-for-it", "code TEAM001 is already used by plugin 'team' (team-conventions 0.1.0)"),
        ("OTHER001", "training-script-without-logged-params", "rule name training-script-without-logged-params is "
         "already used by TEAM001 of plugin 'team' (team-conventions 0.1.0)"),
        ("MLE006", "my-tracking-rule", "code MLE006 is not a plugin code"),
    ],
)  # fmt: skip
def test_a_colliding_plugin_is_refused_with_a_clear_error(site: Path, tmp_path: Path, code: str, name: str,
                                                           message: str) -> None:  # fmt: skip
    both = tmp_path / "both"
    shutil.copytree(site, both)
    _fake_plugin(both, "zz-clash", code, name)
    done = _run(both, "check", "--no-cache", str(DEMO))
    assert done.returncode == 2
    assert done.stderr.startswith("mlops-lint: error: broken rule catalogue: plugin 'zz_clash' (zz-clash 1.0): ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_plugin_catalogue_is_validated_with_the_rule_schema(tmp_path: Path) -> None:
    entry = ENTRY.read_text(encoding="utf-8").replace("family: experiments", "family: conventions")
    (tmp_path / ENTRY.name).write_text(entry, encoding="utf-8")
    with pytest.raises(Exception, match="family: 'conventions' is not one of"):
        load_catalogue(tmp_path)


def test_a_plugin_prefix_selects_only_its_own_codes() -> None:
    (meta,) = load_catalogue(ENTRY.parent).values()
    assert specificity("TEAM", meta) == 4 and specificity("TEAM00", meta) == 6
    assert specificity("TE", meta) == 0  # shorter than the plugin's letters: a ruff prefix, never ours
    assert specificity("ML", meta) == 0


def test_the_plugin_version_is_part_of_the_result_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    metas = load_catalogue(ENTRY.parent)

    def key(version: str) -> str:
        plugin = plugins.Plugin("team", "team-conventions", version, dict(metas), {})
        monkeypatch.setattr(plugins, "installed_plugins", lambda: (plugin,))
        return rules_key([("TEAM001", {})], [])

    assert key("0.1.0") != key("0.2.0")
    assert key("0.1.0") == key("0.1.0")
