"""JUnit XML output: exact XML on a real report, a passing case when clean, XML that always parses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from mlops_lint import api
from mlops_lint.diagnostics import Diagnostic, Location, RuleError, RunReport, Span
from mlops_lint.registry import metas
from mlops_lint.reporters import junit
from tests.helpers import git_init, write_files


def lint(tmp_path: Path, files: dict[str, str]) -> RunReport:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, files)
    return api.lint([root], api.Overrides(only=("MLN004", "MLN002", "MLX001"), history="none", cache=False))


def test_exact_xml_on_a_real_report(tmp_path: Path) -> None:
    report = lint(
        tmp_path,
        {"src/train.py": "import pandas as pds\n", "notebooks/Untitled.ipynb": "{}", "src/old.py": "print 1\n"},
    )
    assert junit.render(report) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="mlops-lint" tests="3" failures="3" errors="0">\n'
        '  <testsuite name="mlops-lint.naming" tests="2" failures="2" errors="0" skipped="0">\n'
        '    <testcase classname="naming.MLN002" name="MLN002 notebooks/Untitled.ipynb" '
        'file="notebooks/Untitled.ipynb">\n'
        "      <failure message=\"Notebook 'Untitled.ipynb' is Jupyter's default name: give it a descriptive name "
        "or delete it\" type=\"info\">notebooks/Untitled.ipynb: MLN002 Notebook 'Untitled.ipynb' is Jupyter's "
        "default name: give it a descriptive name or delete it\n"
        "rule: MLN002 untitled-or-copied-notebook (naming, info)</failure>\n"
        "    </testcase>\n"
        '    <testcase classname="naming.MLN004" name="MLN004 src/train.py:1:8" file="src/train.py">\n'
        "      <failure message=\"Import pandas as 'pd' (found 'pds')\" type=\"info\">src/train.py:1:8: MLN004 "
        "Import pandas as 'pd' (found 'pds')\n"
        "rule: MLN004 nonstandard-import-alias (naming, info)\n"
        "help: Rename 'pds' to 'pd' (safe fix)</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        '  <testsuite name="mlops-lint.internal" tests="1" failures="1" errors="0" skipped="0">\n'
        '    <testcase classname="internal.MLX001" name="MLX001 src/old.py:1:1" file="src/old.py">\n'
        "      <failure message=\"File cannot be parsed: SyntaxError: Missing parentheses in call to 'print'. Did "
        'you mean print(...)?" type="error">src/old.py:1:1: MLX001 File cannot be parsed: SyntaxError: Missing '
        "parentheses in call to 'print'. Did you mean print(...)?\n"
        "rule: MLX001 unparsable-file (internal, error)\n"
        "help: Fix the file, or exclude it (extend-exclude) if it is not meant to be read as code</failure>\n"
        "    </testcase>\n"
        "  </testsuite>\n"
        "</testsuites>\n"
    )
    ET.fromstring(junit.render(report).split("\n", 1)[1])


def test_clean_run_is_one_passing_test_case(tmp_path: Path) -> None:
    report = lint(tmp_path, {"src/train.py": "import pandas as pd\n"})
    assert junit.render(report) == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<testsuites name="mlops-lint" tests="1" failures="0" errors="0">\n'
        '  <testsuite name="mlops-lint" tests="1" failures="0" errors="0" skipped="0">\n'
        '    <testcase classname="mlops-lint" name="all checks passed (1 file)" />\n'
        "  </testsuite>\n"
        "</testsuites>\n"
    )


def test_markup_and_control_characters_make_valid_xml() -> None:
    meta = metas()["MLN004"]
    message = 'a <b> & "c" \x00 nul \x1b[31m esc \x0c ff \ud800 lone'
    diagnostic = Diagnostic(
        code="MLN004",
        name=meta.name,
        family=meta.family,
        severity=meta.severity,
        message=message,
        location=Location(path="src/<&>\x01.py", span=Span.point(2, 3)),
    )
    crash = RuleError(code="MLD001", location=Location(path="a.dvc"), error="ValueError: bad \x07 bell")
    xml = junit.render(RunReport(diagnostics=(diagnostic,), errors=(crash,)))
    root = ET.fromstring(xml.encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == 'a <b> & "c" \\x00 nul \\x1b[31m esc \\x0c ff \\ud800 lone'
    case = root.find("./testsuite/testcase")
    assert case is not None and case.get("file") == "src/<&>\\x01.py"
    error = root.find("./testsuite[@name='mlops-lint.internal']/testcase/error")
    assert error is not None and error.get("message") == "rule MLD001 crashed on a.dvc: ValueError: bad \\x07 bell"
