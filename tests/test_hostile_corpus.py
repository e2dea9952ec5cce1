"""The hostile-input corpus (`tests/hostile_corpus.py`) through the real command line.

For every case: the run finishes within a timeout, exits 0/1 as the findings say (2 only for a
configuration error), prints no traceback, reports the bad file with a location, and still
reports the unrelated finding planted next to it.

Decisions:
- *Unreadable files*: `chmod 000` means nothing to root, which reads anyway, so that case is
  skipped when the suite runs as root. What root cannot read is a FIFO: opening one blocks
  forever, so the corpus puts a `.py` symlink to a FIFO in the shared repository, and the run
  must report it, not hang on it.
- *A file that changes while being read*: the realistic race is a file that is deleted, emptied,
  or replaced by a folder or a FIFO between the inventory (`git ls-files`) and the read; an
  editor's atomic save or `git checkout` does exactly that. `test_files_change_after_listing`
  makes those changes in-process, right after the inventory is built.
- The shared repository is linted once (module fixture) and every file case is asserted on that
  one report, to keep the whole corpus under a minute on two cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests import hostile_corpus as corpus

TIMEOUT = 120  # seconds: far above a normal run; a hang fails the test instead of the suite


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def findings(self) -> list[dict]:
        return json.loads(self.stdout)


def cli(root: Path, *args: str) -> Run:
    command = [sys.executable, "-m", "mlops_lint.cli", *args]
    env = {**os.environ, "MLOPS_LINT_DEBUG": ""}
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, timeout=TIMEOUT, env=env, check=False)
    except subprocess.TimeoutExpired:  # a hang fails its own case, not the fixture every case shares
        return Run(-1, "", f"hung: no answer within {TIMEOUT} s")
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def check(root: Path, *args: str) -> Run:
    return cli(root, "check", "--output-format", "json", *args)


def assert_sane(run: Run, exit_code: int = 1) -> None:
    """No traceback, no internal error, the exit code the findings call for."""
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.code == exit_code, (run.code, run.stderr[-2000:])


def matches(finding: Mapping, expect: corpus.Expect) -> bool:
    return (
        finding["path"] == expect.path
        and finding["code"].startswith(expect.code)
        and (expect.line is None or finding["line"] == expect.line)
        and (expect.column is None or finding["column"] == expect.column)
        and (expect.cell is None or finding["cell"] == expect.cell)
        and (expect.message is None or expect.message in finding["message"])
    )


def assert_found(findings: list[dict], expect: corpus.Expect) -> None:
    near = [f"{f['path']}:{f['line']}:{f['column']} {f['code']} {f['message'][:80]}" for f in findings]
    near = [line for line in near if line.startswith(expect.path.rsplit("/", 1)[0])]
    assert any(matches(f, expect) for f in findings), f"{expect} not in:\n" + "\n".join(near)


def buddy(path: str) -> corpus.Expect:
    return corpus.Expect(path, corpus.BUDDY_CODE, 1, 8)


def _marks(case: corpus.Case) -> list:
    marks = []
    if case.skip:
        marks.append(pytest.mark.skip(reason=case.skip))
    if case.xfail:
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    return marks


def _params(cases: list[corpus.Case]) -> list:
    return [pytest.param(case, id=case.name, marks=_marks(case)) for case in cases]


# ---------------------------------------------------------------- the shared repository


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    root = tmp_path_factory.mktemp("hostile") / "shared"
    corpus.build_shared(root)
    return root, check(root)


def test_shared_run_is_sane(shared: tuple[Path, Run]) -> None:
    _root, run = shared
    assert_sane(run)
    assert run.findings, "the corpus has findings on purpose"
    assert_found(run.findings, buddy("train.py"))


@pytest.mark.parametrize("case", _params(corpus.FILE_CASES))
def test_file_case(shared: tuple[Path, Run], case: corpus.Case) -> None:
    _root, run = shared
    findings = run.findings
    assert_found(findings, buddy(f"cases/{case.name}/buddy.py"))
    for expect in case.expect:
        assert_found(findings, expect)


def test_nothing_outside_the_repository_is_read(shared: tuple[Path, Run]) -> None:
    root, run = shared
    paths = {f["path"] for f in run.findings}
    assert not any(path.startswith("cases/symlink_outside/evil_dir/") for path in paths)
    for name in ("evil.py", "passwd.py"):
        hits = [f for f in run.findings if f["path"] == f"cases/symlink_outside/{name}"]
        assert [f["code"] for f in hits] == ["MLX001"], hits  # reported, never linted through the link
    assert "must never be read" not in run.stdout
    assert (root.parent / "outside" / "secret.py").read_text(encoding="utf-8").startswith("import pandas as pds")


def test_ruff_findings_survive_a_file_that_crashes_ruff(shared: tuple[Path, Run]) -> None:
    """ruff overflows its stack on a 20,000-term expression; the other files keep ruff's findings."""
    _root, run = shared
    assert not [f for f in run.findings if f["code"] == "MLX002" and f["path"] == "."], "ruff lost for every file"
    assert any(f["code"] == "F401" and f["path"] == "cases/syntax_error/buddy.py" for f in run.findings)
    crashed = [f for f in run.findings if f["code"] == "MLX002"]
    assert [f["path"] for f in crashed] == ["cases/long_expression/chain.py"], crashed


def test_warm_run_reports_the_same(shared: tuple[Path, Run]) -> None:
    """The result cache stores what the cold run found, odd file names and all."""
    root, run = shared
    warm = check(root)
    assert_sane(warm)
    assert warm.findings == run.findings


@pytest.fixture(scope="module")
def odd_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Odd file names (a newline, a leading dash, a byte that is not UTF-8) and control
    characters in messages, for every output format."""
    root = tmp_path_factory.mktemp("odd")
    corpus.git_init(root)
    for name in ("odd_names", "control_chars"):
        next(case for case in corpus.FILE_CASES if case.name == name).build(root / name)
    return root


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github", "junit"])
def test_every_output_format_survives_odd_names_and_control_characters(odd_repo: Path, output_format: str) -> None:
    run = cli(odd_repo, "check", "--no-cache", "--output-format", output_format)
    assert_sane(run)
    if output_format in ("json", "sarif"):
        json.loads(run.stdout)
    elif output_format == "junit":
        ElementTree.fromstring(run.stdout)
    else:  # a repository never drives the terminal, and one finding is one line
        assert not any(char in run.stdout for char in "\x00\x07\x1b"), run.stdout
        assert "odd_names/new\\nline.py:1:8: MLN004" in run.stdout
    assert "-rf.py" in run.stdout


def test_fix_never_writes_control_characters_into_gitignore(odd_repo: Path) -> None:
    run = cli(odd_repo, "fix", "--no-cache", "--diff", "--select", "MLD002")
    assert_sane(run, exit_code=run.code if run.code in (0, 1) else -1)
    assert "secrets" not in run.stdout and "\x00" not in run.stdout


# ---------------------------------------------------------------- fix on the corpus


def _snapshot(root: Path) -> dict[str, bytes | str]:
    found: dict[str, bytes | str] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in (".git", ".mlops_lint_cache")]
        for name in files:
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[rel] = path.read_bytes()
    return found


def test_fix_leaves_what_it_cannot_parse(tmp_path: Path) -> None:
    root = tmp_path / "shared"
    corpus.build_shared(root)
    shutil.rmtree(root / "cases" / "notebook_50mb_output")  # its size is the check's business, not fix's
    before = _snapshot(root)
    # the 10,000-line function and the 20,000-cell notebook cost seconds per round and have nothing to fix
    run = cli(
        root, "fix", "--no-cache", "--select", "naming,notebooks,data,internal", "--exclude", "long.py,many.ipynb"
    )
    assert_sane(run, exit_code=run.code if run.code in (0, 1) else -1)
    after = _snapshot(root)
    changed = {path for path in before if before[path] != after.get(path)}
    untouched = {path for case in corpus.FILE_CASES for path in case.untouched}
    assert not changed & untouched, changed & untouched
    assert all(isinstance(after[p], bytes) or after[p] == before[p] for p in before), "a symlink was replaced"
    assert "cases/bom/bom.py" in changed and after["cases/bom/bom.py"] == b"\xef\xbb\xbfimport pandas as pd\n"
    assert after["cases/crlf/crlf.py"] == b"import os\r\nimport pandas as pd\r\n\r\nprint(os, pd)\r\n"
    assert (root.parent / "outside" / "secret.py").read_text(encoding="utf-8").startswith("import pandas as pds")


# ---------------------------------------------------------------- whole repositories


@pytest.fixture(scope="module")
def repo_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every repository case built and checked; the runs go two at a time (most of a run is
    interpreter start-up and git, so this halves the wall time on two cores)."""
    base = tmp_path_factory.mktemp("repos")
    cases = [case for case in corpus.REPO_CASES if not case.skip]
    for case in cases:
        corpus.build_repo(case.name, base / case.name)
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda case: check(base / case.name, "--no-cache"), cases)
        return {case.name: run for case, run in zip(cases, runs, strict=True)}


@pytest.mark.parametrize("case", _params(corpus.REPO_CASES))
def test_repository_case(repo_runs: dict[str, Run], case: corpus.Case) -> None:
    run = repo_runs[case.name]
    assert_sane(run, case.exit_code)
    if case.exit_code == 2:
        assert run.stdout == "" and "mlops-lint: error:" in run.stderr
        return
    findings = run.findings
    if "buddy" in case.notes:
        assert_found(findings, buddy(case.notes["buddy"]))
    for expect in case.expect:
        assert_found(findings, expect)
    if case.exit_code == 0:
        assert findings == []


# ---------------------------------------------------------------- files that change under the run


def test_files_change_after_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Listed by git, then deleted, emptied, or replaced by a folder or a FIFO before being read."""
    from mlops_lint import api

    corpus.git_init(tmp_path)
    names = ("deleted.py", "emptied.py", "to_folder.py", "to_fifo.py", "deleted.ipynb", "deleted.dvc")
    for name in names:
        corpus.put(tmp_path / name, corpus.BUDDY)
    corpus.put(tmp_path / "train.py", corpus.BUDDY)
    corpus.commit_all(tmp_path, "files")
    listed = api.build_inventory

    def then_change(root: Path, exclude):
        inventory = listed(root, exclude)
        for name in ("deleted.py", "deleted.ipynb", "deleted.dvc"):
            (root / name).unlink()
        (root / "emptied.py").write_bytes(b"")
        (root / "to_folder.py").unlink()
        (root / "to_folder.py").mkdir()
        (root / "to_fifo.py").unlink()
        os.mkfifo(root / "to_fifo.py")
        return inventory

    monkeypatch.setattr(api, "build_inventory", then_change)
    report = api.lint([tmp_path], api.Overrides(cache=False, history="none"))
    assert report.errors == ()
    found = {(d.location.path, d.code) for d in report.diagnostics}
    assert ("train.py", "MLN004") in found
    for name in ("deleted.py", "to_folder.py", "to_fifo.py"):
        assert (name, "MLX001") in found, found
    assert not any(path == "emptied.py" for path, _code in found)
