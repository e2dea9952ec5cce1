"""The command line: parse, call `mlops_lint.api`, pick a reporter, choose the exit code. No logic.

Exit codes: 0 no findings (at or above `fail-on`), 1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from mlops_lint import __version__, api
from mlops_lint.baseline import DEFAULT_FILE, write
from mlops_lint.cli_support import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    FAIL_ON,
    DefaultGroup,
    _colour,
    _fix_summary,
    _guarded,
    _missing,
    _notices,
    _overrides,
    history_options,
    selection_options,
)
from mlops_lint.registry import metas
from mlops_lint.reporters import FORMATS, github
from mlops_lint.reporters.paths import CWD_RELATIVE_FORMATS, from_working_folder
from mlops_lint.reporters.text import statistics, statistics_rows


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlops-lint")
def main() -> None:
    """mlops-lint: a linter for machine-learning repositories."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@history_options
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@FAIL_ON
@click.option("--statistics", "show_statistics", is_flag=True, help="Print a count per rule instead of the findings.")
@click.option("--show-fixes", is_flag=True, help="Also show display-only fix suggestions.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings not acknowledged in this baseline file (see `mlops-lint baseline`).",
)
@click.option("--changed-since", metavar="REV", help="Check only files changed since REV (and untracked files).")
@click.option(
    "--check-data",
    is_flag=True,
    help="Also run the rules that compare workspace data with its .dvc pointers; off by default.",
)
def check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: Path | None,
    no_history: bool,
    history_range: str | None,
    staged: bool,
    no_cache: bool,
    jobs: int | None,
    output_format: str,
    exit_zero: bool,
    fail_on: str | None,
    show_statistics: bool,
    show_fixes: bool,
    baseline_file: Path | None,
    changed_since: str | None,
    check_data: bool,
) -> None:
    """Lint PATHS (default: the current folder)."""
    if check_data:  # the rules whose catalogue entry says `opt-in: check-data`
        extend_select = (*extend_select, *(m.code for m in metas().values() if m.opt_in == "check-data"))

    def action() -> int:
        _missing(paths)
        overrides = replace(
            _overrides(
                select, extend_select, ignore, exclude, config_file, no_history, history_range, staged, no_cache, jobs
            ),
            baseline=baseline_file,
            changed_since=changed_since,
            fail_on=fail_on,
        )
        report = api.lint(list(paths), overrides)
        _notices(report.notices)
        if show_statistics and output_format == "json":
            click.echo(json.dumps(statistics_rows(report), indent=2))
        elif show_statistics:
            click.echo(statistics(report), nl=False)
        else:
            colour = output_format == "text" and _colour()
            if output_format in CWD_RELATIVE_FORMATS:
                report = from_working_folder(report, Path.cwd())
            click.echo(FORMATS[output_format](report, colour=colour, show_fixes=show_fixes), nl=False)
            if output_format == "github":
                github.write_step_summary(report)  # appended to $GITHUB_STEP_SUMMARY when set
        if output_format != "text":
            for error in report.errors:
                click.echo(f"mlops-lint: rule {error.code} crashed on {error.location.path}: {error.error}", err=True)
        return EXIT_CLEAN if exit_zero and not report.errors else report.exit_code

    _guarded(action)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@history_options
@click.option("--diff", is_flag=True, help="Print the changes as a unified diff; write nothing.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change behaviour on purpose.")
@FAIL_ON
def fix(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: Path | None,
    no_history: bool,
    history_range: str | None,
    staged: bool,
    no_cache: bool,
    jobs: int | None,
    diff: bool,
    unsafe_fixes: bool,
    fail_on: str | None,
) -> None:
    """Apply fixes to PATHS; safe ones unless --unsafe-fixes."""

    def action() -> int:
        _missing(paths)
        overrides = replace(
            _overrides(
                select, extend_select, ignore, exclude, config_file, no_history, history_range, staged, no_cache, jobs
            ),
            fail_on=fail_on,
        )
        report = api.fix(list(paths), overrides, unsafe=unsafe_fixes, write=not diff)
        for path, reason in sorted(report.refused.items()):
            click.echo(f"mlops-lint: not fixed: {path}: {reason}", err=True)
        for path, reason in sorted(report.rolled_back.items()):
            click.echo(f"mlops-lint: some fixes rolled back: {path}: {reason}", err=True)
        summary = _fix_summary(report, unsafe_fixes, would=diff)
        if diff:
            click.echo(api.unified_diff(report), nl=False)
            click.echo(summary, err=True)  # stderr: the diff on stdout stays a patch that `git apply` takes
            return EXIT_FINDINGS if report.touched else EXIT_CLEAN
        remaining = report.remaining
        if remaining is not None:
            click.echo(FORMATS["text"](from_working_folder(remaining, Path.cwd()), colour=_colour()), nl=False)
        click.echo(summary)
        if remaining is None:
            return EXIT_CLEAN
        return remaining.exit_code

    _guarded(action)


@main.command("baseline", short_help="Acknowledge today's findings in a baseline file.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@click.option(
    "--file",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Where to write the baseline (default: the configured `baseline`, else {DEFAULT_FILE}).",
)
@click.option("--prune", is_flag=True, help="Only drop entries that no longer match; never add new findings.")
def baseline_command(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    exclude: tuple[str, ...],
    config_file: Path | None,
    baseline_file: Path | None,
    prune: bool,
) -> None:
    """Write today's findings to a baseline, so that `check --baseline` reports only new ones."""

    def action() -> int:
        _missing(paths)
        overrides = _overrides(select, extend_select, ignore, exclude, config_file)
        target = baseline_file or api.baseline_target(list(paths), overrides) or Path(DEFAULT_FILE)
        entries = api.baseline_entries(list(paths), overrides, prune=target if prune else None)
        write(target, entries)
        click.echo(f"Wrote {len(entries)} finding{'' if len(entries) == 1 else 's'} to {target}.")
        return EXIT_CLEAN

    _guarded(action)


def _register() -> None:
    from mlops_lint.cli_project import config_group, init_command, new, report_command, rules

    for command in (report_command, new, init_command, rules, config_group):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
