"""`mlops-lint report`: the formula pinned on small repositories, the JSON format, the badge, bad input,
`--since`, `--merge` and the GitHub job summary. What a browser shows is in test_scorecard_browser.py."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mlops_lint import __version__, api
from mlops_lint.cli import main
from mlops_lint.resources import schema, templates_dir
from mlops_lint.scorecard.badge import badge_svg
from mlops_lint.scorecard.build import build_card
from mlops_lint.scorecard.card import ScorecardError, validate
from mlops_lint.scorecard.score import score
from tests.helpers import commit_all, git, git_init, write_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
QUIET = api.Overrides(history="none", cache=False)


def _card(root: Path, overrides: api.Overrides = QUIET) -> dict:
    card, _report = build_card([root], overrides)
    return validate(card)


def _scores(card: dict) -> dict[str, float | None]:
    return {p["id"]: p["score"] for p in card["practices"]}


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, files)
    commit_all(root, "start")
    return root


def test_the_formula() -> None:
    assert score(17, 8) == 6.8  # 10 x 17 / 25
    assert score(3, 0) == 10.0
    assert score(1, 1) == 5.0  # one penalty point per unit of size halves the score
    assert score(2, 0.5) == 8.0


def test_formula_on_a_small_repository(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"README.md": "# r\n", "src/train.py": "import pandas as pds\n\nprint(pds.__version__)\n"})
    card = _card(root, api.Overrides(select=("naming",), history="none", cache=False))
    naming = next(p for p in card["practices"] if p["id"] == "naming")
    # one info finding (MLN004: 0.5 points) over 2 files: 10 x 2 / (2 + 0.5)
    assert (naming["size"], naming["penalty"], naming["score"]) == (2, 0.5, 8.0)
    assert naming["counts"] == {"error": 0, "warning": 0, "info": 1, "total": 1}
    assert "10 \u00d7 2 / (2 + 0.5) = 8.0" in naming["why"]
    assert _scores(card) == {
        "naming": 8.0,
        "code-quality": 10.0,
        "experiments": None,  # no experiments folder: not applicable, not 0
        "data": None,
        "reproducibility": 10.0,
        "git-hygiene": 10.0,
        "notebooks": None,
    }
    assert card["overall"]["score"] == 9.5  # mean of 8, 10, 10, 10
    checks = {c["code"]: c["status"] for p in card["practices"] for c in p["checks"]}
    assert checks["MLN004"] == "fail" and checks["MLN002"] == "pass" and checks["MLS002"] == "off"


def test_experiments_apply_only_when_the_repository_has_them(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"src/a.py": "x = 1\n", "experiments/exp-001-base/notes.md": "n\n"})
    experiments = next(p for p in _card(root)["practices"] if p["id"] == "experiments")
    assert experiments["applicable"] and experiments["measure"] == {"experiments": 1}
    # MLE001 (no experiment.yaml, info: the convention is ours): 10 x 1 / (1 + 0.5)
    assert experiments["score"] == 6.7


def test_fixing_the_example_raises_the_affected_scores(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLES, root)
    git_init(root)
    commit_all(root, "example")
    before = _card(root)
    # MLE001's fix writes a template whose TODO fields a person fills in (until then MLE002 reports them)
    fixed = api.fix([root], api.Overrides(ignore=("MLE001",), history="none", cache=False), unsafe=True)
    assert fixed.applied >= 5
    # MLR007's fix adds a budget skeleton; its TODO is the person's to fill in, as it would be
    metadata = root / "experiments" / "exp-001-baseline" / "experiment.yaml"
    metadata.write_text(
        metadata.read_text(encoding="utf-8").replace("gpu_hours: TODO", "gpu_hours: 2"), encoding="utf-8"
    )
    after = _card(root)
    penalties = {p["id"]: p["penalty"] for p in before["practices"]}
    for practice in after["practices"]:
        old = next(p for p in before["practices"] if p["id"] == practice["id"])
        if practice["penalty"] < penalties[practice["id"]]:
            assert practice["score"] > old["score"], practice["id"]
        else:
            assert practice["score"] == old["score"], practice["id"]
    raised = {p["id"] for p in after["practices"] if p["score"] != _scores(before)[p["id"]]}
    assert {"naming", "code-quality", "data", "reproducibility"} <= raised
    assert after["overall"]["score"] > before["overall"]["score"]


def test_json_validates_against_the_shipped_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["report", str(EXAMPLES), "--no-history", "--no-cache", "--output-format", "json"]
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    jsonschema.Draft202012Validator(schema("scorecard.schema.json")).validate(card)
    assert card["format"] == "mlops-lint-scorecard" and card["version"] == 1
    assert card["repository"]["name"] and card["tool"]["name"] == "mlops-lint"
    assert {p["id"] for p in card["practices"]} == {
        "naming", "code-quality", "experiments", "data", "reproducibility", "git-hygiene", "notebooks",
    }  # fmt: skip
    assert all(f["practice"] or f["family"] == "internal" for f in card["findings"])
    assert len(card["findings"]) == 15


def test_badge_is_valid_svg() -> None:
    svg = badge_svg(_card(EXAMPLES))
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert int(root.get("width", "0")) > 60 and root.get("height") == "20"
    assert root.get("role") == "img" and root.get("aria-label", "").startswith("mlops-lint: ")
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "mlops-lint" and texts[1].endswith("/10")


def test_cli_writes_page_and_badge(tmp_path: Path) -> None:
    page, badge = tmp_path / "out" / "report.html", tmp_path / "badge.svg"
    args = ["report", str(EXAMPLES), "--no-history", "--no-cache", "-o", str(page), "--badge", str(badge)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Naming conventions" in result.stdout  # the text table on the terminal
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Why this score:" in html and 'id="rule-MLN004"' in html
    # nothing that loads: no external script, style, image or font (links in the rule docs load nothing)
    assert not re.search(r"<(img|script|link|iframe|source|object|embed)\b[^>]*\b(src|href)=\"(?!data:)", html)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    ET.fromstring(badge.read_text(encoding="utf-8"))


def test_empty_repository_gets_a_report_that_says_so(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    git_init(root)
    card = _card(root)
    assert card["empty"] and card["overall"]["score"] is None and card["overall"]["grade"] == "n/a"
    assert all(not p["applicable"] and p["score"] is None for p in card["practices"])
    page = tmp_path / "r.html"
    result = CliRunner().invoke(
        main, ["report", str(root), "--no-cache", "-o", str(page), "--badge", str(tmp_path / "b.svg")]
    )
    assert result.exit_code == 0, result.output
    assert "no files to check" in page.read_text(encoding="utf-8")
    assert "n/a" in (tmp_path / "b.svg").read_text(encoding="utf-8")


def _stored(tmp_path: Path, root: Path, name: str) -> Path:
    target = tmp_path / name
    result = CliRunner().invoke(
        main, ["report", str(root), "--no-history", "--no-cache", "--output-format", "json", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    return target


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not an mlops-lint scorecard"),
        ('{"format": "mlops-lint-scorecard", "version": 99}', "newer mlops-lint (scorecard format version 99"),
        ('{"format": "mlops-lint-scorecard", "version": 1}', "not a valid scorecard"),
    ],
)
def test_merge_refuses_what_is_not_a_scorecard(tmp_path: Path, content: str, says: str) -> None:
    good = _stored(tmp_path, EXAMPLES, "good.json")
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--merge", str(good), str(bad), "-o", str(tmp_path / "fleet.html")])
    assert result.exit_code == 2
    assert f"mlops-lint: error: {bad}: " in result.stderr and says in result.stderr
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["report", "--merge", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "nope.json: cannot be read" in missing.stderr


def test_merge_builds_a_fleet_page(tmp_path: Path) -> None:
    clean = _repo(tmp_path, {"src/clean.py": "x = 1\n"})
    cards = [_stored(tmp_path, EXAMPLES, "example.json"), _stored(tmp_path, clean, "clean.json")]
    page = tmp_path / "fleet.html"
    result = CliRunner().invoke(main, ["report", "--merge", *map(str, cards), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert "Worst practices across the fleet" in html and "2 repositories" in html
    assert html.index(">examples<") < html.index(">repo<")  # worst first
    text = CliRunner().invoke(main, ["report", "--merge", *map(str, cards)]).stdout
    assert text.splitlines()[1].startswith("examples") and "worst practices: " in text


def test_since_a_commit_shows_the_change_without_touching_the_work_tree(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"src/train.py": "import pandas as pds\n\nprint(pds.__version__)\n"})
    write_files(root, {"src/train.py": "import pandas as pd\n\nprint(pd.__version__)\n"})
    commit_all(root, "fix the alias")
    write_files(root, {"notes.txt": "uncommitted\n"})  # the user's work in progress
    status = git(root, "status", "--porcelain")
    result = CliRunner().invoke(
        main, ["report", str(root), "--no-history", "--since", "HEAD~1", "--output-format", "json"]
    )
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)
    assert card["since"]["ref"] == "HEAD~1" and card["since"]["practices"]["naming"] < _scores(card)["naming"]
    assert git(root, "status", "--porcelain") == status
    assert len(git(root, "worktree", "list").splitlines()) == 1
    text = CliRunner().invoke(main, ["report", str(root), "--no-history", "--since", "HEAD~1"]).stdout
    assert "change" in text.splitlines()[1] and "+" in text


def test_since_a_stored_card(tmp_path: Path) -> None:
    stored = _stored(tmp_path, EXAMPLES, "before.json")
    page = tmp_path / "r.html"
    result = CliRunner().invoke(
        main, ["report", str(EXAMPLES), "--no-history", "--no-cache", "--since", str(stored), "-o", str(page)]
    )
    assert result.exit_code == 0, result.output
    assert "±0" in page.read_text(encoding="utf-8")
    wrong = CliRunner().invoke(main, ["report", str(EXAMPLES), "--no-history", "--since", "no-such-ref"])
    assert wrong.exit_code == 2 and "neither a scorecard file nor a commit" in wrong.stderr


def test_github_job_summary_has_the_practice_table(tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = CliRunner().invoke(
        main, ["report", str(EXAMPLES), "--no-history", "--no-cache"], env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 0, result.output
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## mlops-lint scorecard: ") and "| Practice | Score |" in text
    assert "| Data versioning and validation | **" in text


def test_validate_names_the_source() -> None:
    with pytest.raises(ScorecardError, match=r"^x\.json: not an mlops-lint scorecard"):
        validate({"format": "sarif"}, "x.json")


def test_fleet_workflow_template() -> None:
    workflow = yaml.safe_load((templates_dir() / "fleet-scorecard.yml").read_text(encoding="utf-8"))
    jobs = workflow["jobs"]
    assert jobs["scorecard"]["strategy"]["matrix"]["repository"] == "${{ fromJSON(needs.repositories.outputs.list) }}"
    assert jobs["fleet"]["needs"] == "scorecard" and jobs["fleet"]["if"] == "always()"
    scripts = [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]
    assert all("${{" not in script for script in scripts)  # values reach scripts through env only
    joined = "\n".join(scripts)
    assert "mlops-lint report --output-format json -o" in joined
    assert "mlops-lint report --merge cards/*.json -o fleet.html" in joined
    assert f'pip install "mlops-lint=={__version__}"' in joined
