"""The per-rule memo: after an edit, a rule (or a unit of one) is answered from the last run only
when no file it read changed, and the answers are always those of a run without any cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mlops_lint import api
from mlops_lint.checks.reproducibility import seed_reach
from mlops_lint.context.reads import ReadLog
from mlops_lint.rule_memo import RuleMemo
from tests.helpers import commit_all, compact, git_init, write_files

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# an entry point seeded through an import, beside the bundled example: MLR002's units read other modules
LAYOUT = {
    "pkg/__init__.py": "",
    "pkg/seeding.py": "import random\n\ndef seed_all():\n    random.seed(0)\n",
    "pkg/data.py": "import random\n\ndef shuffled(xs):\n    random.shuffle(xs)\n    return xs\n",
    "train_a.py": (
        "from pkg.seeding import seed_all\nfrom pkg.data import shuffled\n\ndef main(model):\n    seed_all()\n"
        "    model.fit(shuffled([1, 2]))\n\nif __name__ == '__main__':\n    main(None)\n"
    ),
    ".env": "WANDB_API_KEY=0123456789abcdef0123456789abcdef01234567\n",  # MLG006: a tracked credential file
    "train_b.py": (
        "import random\n\ndef main(model):\n    random.shuffle([1])\n    model.fit([1])\n\n"
        "if __name__ == '__main__':\n    main(None)\n"
    ),
}


def _report(root: Path, cache: bool = True) -> tuple[list[str], list[str], list[str]]:
    overrides = api.Overrides(select=("ALL",), ignore=("ruff",), history="none", cache=cache, jobs=1)
    report = api.lint([root], overrides)
    return (
        sorted(compact(d) for d in report.diagnostics),
        sorted(f"{e.code} {e.location.path}" for e in report.errors),
        sorted(report.notices),
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns("plugin", "__pycache__", ".mlops_lint_cache"))
    git_init(root)
    write_files(root, LAYOUT)
    commit_all(root, "example")
    return root


@pytest.fixture
def reuses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the rule memo answered, run after run."""
    found: list[str] = []
    real = RuleMemo.reuse

    def counting(self: RuleMemo, name: str) -> object:
        entry = real(self, name)
        if entry is not None:
            found.append(name)
        return entry

    monkeypatch.setattr(RuleMemo, "reuse", counting)
    return found


def test_emptying_any_file_gives_the_findings_of_an_uncached_run(repo: Path, reuses: list[str]) -> None:
    """Every listed file, emptied in turn: whatever read it must run again. A read the memo missed
    would keep the findings the file's old text gave."""
    untouched = _report(repo)  # the memo of the untouched repository
    assert any(f.startswith(".env") and "MLG006" in f for f in untouched[0])
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts)
    files = [f for f in files if not f.startswith(".mlops_lint_cache")]
    assert len(files) > 20
    for name in files:
        path = repo / name
        original = path.read_bytes()
        path.write_bytes(b"")
        try:
            memoized = _report(repo)
            assert memoized == _report(repo, cache=False), name
        finally:
            path.write_bytes(original)
        assert _report(repo) == _report(repo, cache=False), name
    assert any(name.startswith("path\0") for name in reuses)  # the memo was used, not bypassed
    assert any(not name.startswith("path\0") for name in reuses)


def test_an_edited_entry_point_reruns_its_own_reach_only(
    repo: Path, reuses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _report(repo)
    assert any("train_b.py" in f and "MLR002" in f for f in before[0])
    assert not any("train_a.py" in f and "MLR002" in f for f in before[0])
    reaches: list[str] = []
    real = seed_reach.SeedReach.run
    monkeypatch.setattr(seed_reach.SeedReach, "run", lambda self: reaches.append(self.entry) or real(self))
    (repo / "train_b.py").write_text((repo / "train_b.py").read_text() + "# edited\n")
    reuses.clear()
    memoized = _report(repo)
    assert reaches == ["train_b.py"]  # the other entry points' units were unchanged
    assert memoized == _report(repo, cache=False)
    assert "train_a.py" in reaches  # which the uncached run does reach
    assert "path\0train_a.py" in reuses and "path\0train_b.py" not in reuses


def test_a_module_an_entry_imports_is_a_read_of_that_entry(repo: Path) -> None:
    """Removing the seed from the imported module makes train_a.py unseeded: its unit must rerun."""
    _report(repo)
    (repo / "pkg/seeding.py").write_text("import random\n\ndef seed_all():\n    pass\n")
    after = _report(repo)
    assert any("train_a.py" in f and "MLR002" in f for f in after[0])
    assert after == _report(repo, cache=False)


def test_a_new_file_starts_the_memo_over(repo: Path, reuses: list[str]) -> None:
    _report(repo)
    reuses.clear()
    write_files(repo, {"pkg/extra.py": "x = 1\n"})
    assert _report(repo) == _report(repo, cache=False)
    assert reuses == []  # another list of files: another key


def test_a_frame_collects_what_is_read_inside_it_and_its_inner_frames() -> None:
    log = ReadLog()
    log.note("outside.py")  # no frame open: kept nowhere
    with log.recording() as outer:
        log.note("a.py")
        with log.recording() as inner:
            log.note_all(["b.py", "c.py"])
        log.note("d.py")
    assert inner == {"b.py", "c.py"}
    assert outer == {"a.py", "b.py", "c.py", "d.py"}
