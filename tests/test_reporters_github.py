"""GitHub Actions output: workflow-command escaping, the per-severity cap, and the job summary."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from mlops_lint import api
from mlops_lint.cli import main
from mlops_lint.diagnostics import Diagnostic, Location, RunReport, Span
from mlops_lint.registry import metas
from mlops_lint.reporters import github
from tests.helpers import git_init, write_files

ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "jqp/churn", "GITHUB_SHA": "abc123"}


def finding(code: str, location: Location, message: str = "a finding") -> Diagnostic:
    meta = metas()[code]
    return Diagnostic(
        code=code, name=meta.name, family=meta.family, severity=meta.severity, message=message, location=location
    )


HOSTILE = finding(
    "MLN004",
    Location(
        path="we:ird,dir/100%\n::warning file=x::y.py", span=Span(start_line=3, start_col=5, end_line=3, end_col=9)
    ),
    message="100% sure: a,b\r\nnext\n::error::injected",
)


def test_escaping_of_message_and_properties_is_exact() -> None:
    report = RunReport(diagnostics=(HOSTILE,), files_checked=1)
    assert github.annotations(report) == [
        "::notice file=we%3Aird%2Cdir/100%25%0A%3A%3Awarning file=x%3A%3Ay.py,line=3,endLine=3,col=5,endColumn=9,"
        "title=MLN004 nonstandard-import-alias::100%25 sure: a,b%0D%0Anext%0A::error::injected"
    ]


def test_repository_content_never_starts_a_command() -> None:
    """The readable text is printed with workflow commands stopped; only our own commands run."""
    report = RunReport(diagnostics=(HOSTILE,), files_checked=1)
    assert github.render(report, token="T0KEN").splitlines() == [
        "::stop-commands::T0KEN",
        # the text reporter escapes control characters: one finding, one line
        "we:ird,dir/100%\\n::warning file=x::y.py:3:5: MLN004 info: 100% sure: a,b\\r\\nnext\\n::error::injected",
        "",
        "Found 1 finding (1 info) in 1 file.",
        "::T0KEN::",
        "::notice file=we%3Aird%2Cdir/100%25%0A%3A%3Awarning file=x%3A%3Ay.py,line=3,endLine=3,col=5,endColumn=9,"
        "title=MLN004 nonstandard-import-alias::100%25 sure: a,b%0D%0Anext%0A::error::injected",
    ]


def test_each_render_stops_commands_with_a_fresh_token() -> None:
    report = RunReport(diagnostics=(HOSTILE,), files_checked=1)
    first, second = github.render(report).splitlines()[0], github.render(report).splitlines()[0]
    assert first.startswith("::stop-commands::") and len(first) == len("::stop-commands::") + 32
    assert first != second


def test_exact_output_on_a_real_report(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, {"src/pkg/__init__.py": "", "src/pkg/load-data.py": "import pandas as pds\n"})
    report = api.lint([root], api.Overrides(only=("MLN004", "MLN005"), history="none", cache=False))
    assert github.render(report, token="T").splitlines() == [
        "::stop-commands::T",
        "src/pkg/load-data.py: MLN005 warning: Module name 'load-data.py' cannot be imported: '-' is not allowed "
        "in an identifier",
        "  help: Rename it to a Python identifier: letters, digits and underscores, not starting with a digit",
        "src/pkg/load-data.py:1:8: MLN004 [*] info: Import pandas as 'pd' (found 'pds')",
        "  help: Rename 'pds' to 'pd'",
        "",
        "Found 2 findings (1 warning, 1 info) in 2 files.",
        "[*] 1 fixable with `mlops-lint fix`.",
        "::T::",
        "::warning file=src/pkg/load-data.py,title=MLN005 module-name-not-importable::Module name 'load-data.py' "
        "cannot be imported: '-' is not allowed in an identifier",
        "::notice file=src/pkg/load-data.py,line=1,endLine=1,col=8,endColumn=21,title=MLN004 "
        "nonstandard-import-alias::Import pandas as 'pd' (found 'pds')",
    ]
    assert github.summary_markdown(report, ENV) == (
        "## mlops-lint\n"
        "\n"
        "Found 2 findings (1 warning, 1 info) in 2 files.\n"
        "\\[\\*\\] 1 fixable with \\`mlops-lint fix\\`.\n"
        "\n"
        "| Family | error | warning | info | total |\n"
        "|---|---:|---:|---:|---:|\n"
        "| naming | 0 | 1 | 1 | 2 |\n"
        "| **total** | 0 | 1 | 1 | 2 |\n"
        "\n"
        "| Severity | Rule | Location | Message |\n"
        "|---|---|---|---|\n"
        "| warning | `MLN005` module-name-not-importable | [src/pkg/load-data.py]"
        "(https://github.com/jqp/churn/blob/abc123/src/pkg/load-data.py) | Module name 'load-data.py' cannot be "
        "imported: '-' is not allowed in an identifier |\n"
        "| info | `MLN004` nonstandard-import-alias | [src/pkg/load-data.py:1:8]"
        "(https://github.com/jqp/churn/blob/abc123/src/pkg/load-data.py#L1) | Import pandas as 'pd' (found 'pds') |\n"
    )


def test_at_most_ten_annotations_per_severity_and_one_notice_for_the_rest() -> None:
    errors = [finding("MLX001", Location(path=f"e{i:02}.py")) for i in range(25)]
    warnings = [finding("MLN005", Location(path=f"w{i}.py")) for i in range(3)]
    infos = [finding("MLN004", Location(path=f"i{i:02}.py")) for i in range(12)]
    lines = github.annotations(RunReport(diagnostics=(*errors, *warnings, *infos)))
    kinds = [line.split(" ", 1)[0] for line in lines]
    assert kinds == ["::error"] * 10 + ["::warning"] * 3 + ["::notice"] * 10
    assert lines[9].startswith("::error file=e09.py,") and lines[-2].startswith("::notice file=i08.py,")
    assert lines[-1] == (
        "::notice title=mlops-lint::18 more findings are not annotated (15 error, 3 info): GitHub shows at most "
        "10 annotations per severity. All findings are in this step's log and in the job summary."
    )


def test_ten_of_each_need_no_notice() -> None:
    infos = [finding("MLN004", Location(path=f"i{i:02}.py")) for i in range(10)]
    assert len(github.annotations(RunReport(diagnostics=tuple(infos)))) == 10


def test_notebook_and_history_annotations() -> None:
    notebook = finding(
        "MLJ004", Location(path="nb.ipynb", cell=3, span=Span(start_line=2, start_col=1, end_line=2, end_col=4))
    )
    old = finding("MLG003", Location(path="models/old.pt", commit="0123456789abcdef0123"))
    report = RunReport(diagnostics=(notebook, old), root="/nonexistent")
    assert github.annotations(report, notebook_line=lambda text, path, cell, line: 40) == [
        # the notebook cannot be read here: no line, the cell in the message
        "::warning file=nb.ipynb,title=MLJ004 notebook-hidden-state::a finding (cell 3, line 2)",
        "::warning file=models/old.pt,title=MLG003 large-blob-in-history::a finding (commit 0123456789ab)",
    ]


def test_markdown_cells_escape_tables_html_and_markdown() -> None:
    hostile = "a|b <script>alert(1)</script> & `x` *y* [l](u)\nnext"
    assert github.cell(hostile) == "a\\|b &lt;script&gt;alert(1)&lt;/script&gt; &amp; \\`x\\` \\*y\\* \\[l\\](u) next"


def test_summary_is_capped() -> None:
    many = tuple(finding("MLX001", Location(path=f"src/m{i:03}.py"), message="x" * 200) for i in range(300))
    out = github.summary_markdown(RunReport(diagnostics=many), {}, limit=5000)
    assert len(out.encode("utf-8")) < 5000
    shown = out.count("| error | `MLX001`")
    assert 0 < shown < 300
    assert out.endswith(f"\n{300 - shown} more not listed here: see the step's log.\n")


def test_summary_appends_to_the_step_summary_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_text("earlier step output\n", encoding="utf-8")
    report = RunReport(diagnostics=(), files_checked=3)
    assert github.write_step_summary(report, {"GITHUB_STEP_SUMMARY": str(target)}) == target
    assert (
        target.read_text(encoding="utf-8") == "earlier step output\n## mlops-lint\n\nAll checks passed (3 files).\n\n\n"
    )
    assert github.write_step_summary(report, {}) is None


def test_summary_skipped_when_the_file_is_nearly_full(tmp_path: Path) -> None:
    target = tmp_path / "summary.md"
    target.write_bytes(b"x" * (github.SUMMARY_LIMIT - 100))
    assert github.write_step_summary(RunReport(diagnostics=()), {"GITHUB_STEP_SUMMARY": str(target)}) is None
    assert target.stat().st_size == github.SUMMARY_LIMIT - 100


def test_cli_writes_the_step_summary(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    git_init(root)
    write_files(root, {"src/train.py": "import pandas as pds\n"})
    target = tmp_path / "summary.md"
    result = CliRunner(env={"GITHUB_STEP_SUMMARY": str(target)}).invoke(
        main, ["check", str(root), "--select", "MLN004", "--no-history", "--no-cache", "--output-format", "github"]
    )
    assert result.exit_code == 1
    assert "::notice file=src/train.py,line=1," in result.stdout
    assert target.read_text(encoding="utf-8").startswith("## mlops-lint\n\nFound 1 finding (1 info) in 1 file.\n")


def test_notebook_annotation_points_at_the_json_line(tmp_path: Path) -> None:
    write_files(tmp_path, {"nb.ipynb": "{}\n"})
    notebook = finding(
        "MLJ004", Location(path="nb.ipynb", cell=3, span=Span(start_line=2, start_col=1, end_line=2, end_col=4))
    )
    report = RunReport(diagnostics=(notebook,), root=str(tmp_path))
    assert github.annotations(
        report, notebook_line=lambda text, path, cell, line: 40 if (cell, line) == (3, 2) else None
    ) == ["::warning file=nb.ipynb,line=40,title=MLJ004 notebook-hidden-state::a finding (cell 3, line 2)"]
