"""The command line: parse, call `mlops_lint.api`, pick a reporter, choose the exit code. No logic.

Exit codes: 0 no findings (at or above `fail-on`), 1 findings, 2 usage, configuration or internal error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from mlops_lint import __version__, api, scaffold
from mlops_lint.baseline import DEFAULT_FILE, BaselineError, write
from mlops_lint.catalogue import CatalogueError
from mlops_lint.config import ConfigError
from mlops_lint.diagnostics import Family
from mlops_lint.discovery import RevisionError, find_root
from mlops_lint.docs import UnknownSelectorError, explain_selector, rules_listing
from mlops_lint.fixer import FixReport
from mlops_lint.fixes import Applicability
from mlops_lint.registry import metas, registry
from mlops_lint.reporters import FORMATS, github
from mlops_lint.reporters.paths import CWD_RELATIVE_FORMATS, from_working_folder
from mlops_lint.reporters.text import statistics, statistics_rows
from mlops_lint.scorecard import run as scorecard_run
from mlops_lint.scorecard.card import ScorecardError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultGroup(click.Group):
    """`mlops-lint PATHS` means `mlops-lint check PATHS`, as `ruff PATHS` once meant `ruff check`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def selection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--select",
            multiple=True,
            help="Rules to run instead of the configured set (codes, prefixes, families, names).",
        ),
        click.option("--extend-select", multiple=True, help="Rules to run in addition."),
        click.option("--ignore", multiple=True, help="Rules to skip."),
        click.option("--exclude", multiple=True, help="Extra gitignore-style patterns to skip."),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Configuration file to use.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


FAIL_ON = click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 only for findings of this severity or graver (default: `fail-on` in the configuration, else "
    "info: any finding); the others are still printed.",
)


def history_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """How much git history the history rules read, and whether the cache is used."""
    options = [
        click.option(
            "--no-history", is_flag=True, help="Do not read git history (the rules that need it stay silent)."
        ),
        click.option(
            "--history-range",
            metavar="A..B",
            help="Read only the history B adds to A (a pull request). Under pre-commit's pre-push stage the pushed "
            "range is used automatically.",
        ),
        click.option("--staged", is_flag=True, help="History rules read only the blobs staged for commit."),
        click.option("--no-cache", is_flag=True, help="Neither read nor write .mlops_lint_cache/."),
        click.option(
            "-j", "--jobs", type=click.IntRange(min=1), help="Processes for the Python rules (default: all cores)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _history(no_history: bool, history_range: str | None, staged: bool) -> str | None:
    chosen = [name for name, on in (("--no-history", no_history), ("--history-range", history_range),
                                    ("--staged", staged)) if on]  # fmt: skip
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined")
    if no_history:
        return "none"
    if staged:
        return "staged"
    return history_range


def _overrides(
    select: Sequence[str],
    extend_select: Sequence[str],
    ignore: Sequence[str],
    exclude: Sequence[str],
    config_file: Path | None,
    no_history: bool = False,
    history_range: str | None = None,
    staged: bool = False,
    no_cache: bool = False,
    jobs: int | None = None,
) -> api.Overrides:
    return api.Overrides(
        select=_split(select) or None,
        extend_select=_split(extend_select),
        ignore=_split(ignore),
        exclude=_split(exclude),
        config_file=config_file,
        history=_history(no_history, history_range, staged),
        cache=not no_cache,
        progress=sys.stderr.isatty(),
        jobs=jobs,
    )


def _notices(notices: Sequence[str]) -> None:
    for notice in notices:
        click.echo(f"mlops-lint: notice: {notice}", err=True)


def _fail(message: str) -> None:
    click.echo(f"mlops-lint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _colour() -> bool:
    """Colour on a terminal, unless NO_COLOR is set (https://no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _fix_summary(report: FixReport, unsafe: bool, would: bool) -> str:
    """'Fixed 3 findings in 2 files.' (or 'Would fix ...' for --diff), counted in findings like `check`,
    with how many more `--unsafe-fixes` would fix."""
    files = len(report.touched)
    head = f"{'Would fix' if would else 'Fixed'} {_plural(report.applied, 'finding')} in {_plural(files, 'file')}"
    remaining = report.remaining.diagnostics if report.remaining is not None else ()
    more = (
        0 if unsafe else sum(1 for d in remaining if d.fix is not None and d.fix.applicability is Applicability.UNSAFE)
    )
    return head + (f" ({more} more with --unsafe-fixes)." if more else ".")


def _guarded(action: Callable[[], int]) -> None:
    """Run a command; configuration and catalogue problems exit 2 with one line, never a traceback."""
    try:
        code = action()
    except ConfigError as exc:
        _fail(f"invalid configuration: {exc}")
    except CatalogueError as exc:
        _fail(f"broken rule catalogue: {exc}")
    except (BaselineError, RevisionError, ScorecardError) as exc:
        _fail(str(exc))
    except click.ClickException:
        raise
    except BrokenPipeError:  # `mlops-lint rules | head`: the reader left; nothing more to say, as in ruff
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_CLEAN)
    except Exception as exc:  # an engine bug: say so briefly; the traceback only on request
        if os.environ.get("MLOPS_LINT_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set MLOPS_LINT_DEBUG=1 for the traceback)")
    else:
        sys.exit(code)


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


def _missing(paths: Sequence[Path]) -> None:
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise click.UsageError(f"path does not exist: {path}")


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


@main.command("report", short_help="Score each MLOps practice 0-10: HTML, JSON, badge, fleet.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@selection_options
@history_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here (default stdout).")
@click.option(
    "--output-format",
    type=click.Choice(scorecard_run.FORMATS),
    help="html (one self-contained page), json (the data), markdown or text. Default: html with -o, else text.",
)
@click.option("--badge", type=click.Path(dir_okay=False, path_type=Path), help="Also write an SVG badge of the score.")
@click.option("--since", metavar="REF", help="Show the change since REF: a stored JSON scorecard or a git revision.")
@click.option("--merge", is_flag=True, help="PATHS are JSON scorecards of many repositories: write one fleet page.")
def report_command(
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
    output: Path | None,
    output_format: str | None,
    badge: Path | None,
    since: str | None,
    merge: bool,
) -> None:
    """Score PATHS per MLOps practice (0-10): a scorecard as HTML, JSON, Markdown or text, and a badge."""

    def action() -> int:
        if not merge:
            _missing(paths)
        overrides = _overrides(
            select, extend_select, ignore, exclude, config_file, no_history, history_range, staged, no_cache, jobs
        )
        request = scorecard_run.Request(list(paths), overrides, output, output_format, badge, merge, since)
        outcome = scorecard_run.run(request)
        click.echo(outcome.stdout, nl=False)
        for message in outcome.messages:
            click.echo(f"mlops-lint: {message}", err=True)
        return outcome.exit_code

    _guarded(action)


@main.group()
def new() -> None:
    """Scaffold project conventions."""


@new.command("experiment")
@click.argument("experiment_id", metavar="NAME")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
def new_experiment_command(experiment_id: str, root: Path) -> None:
    """Create experiments/NAME/experiment.yaml from the template, derivable fields filled."""

    def action() -> int:
        try:
            target = scaffold.new_experiment(find_root(root), experiment_id)
        except scaffold.ScaffoldError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"created {target}: fill the TODO fields (name, hypothesis, seed, budget)")
        return EXIT_CLEAN

    _guarded(action)


@main.command("init", short_help="Write the config, pre-commit hooks, CI workflow and templates.")
@click.argument("path", type=click.Path(file_okay=False, exists=True, path_type=Path), default=Path("."))
@click.option("--dry-run", is_flag=True, help="Print what would be written, as a diff; write nothing.")
def init_command(path: Path, dry_run: bool) -> None:
    """Write [tool.mlops-lint], the pre-commit hooks, a GitHub workflow and the experiment template.

    Existing files and tables are never overwritten: each is reported and skipped."""
    from mlops_lint import init

    def action() -> int:
        steps = init.plan(path)
        if not dry_run:
            init.apply(steps)
        click.echo(init.describe(steps, dry_run), nl=False)
        return EXIT_CLEAN

    _guarded(action)


@main.group(invoke_without_command=True, short_help="List the rules; `rules explain CODE` documents one.")
@click.option("--family", type=click.Choice([f.value for f in Family]), help="Only this family.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def rules(ctx: click.Context, family: str | None, output_format: str) -> None:
    """List the rules of the catalogue; `rules explain CODE` shows one rule's documentation."""
    if ctx.invoked_subcommand is not None:
        return

    def action() -> int:
        chosen = [m for m in metas().values() if family is None or m.family.value == family]
        if output_format == "json":
            classes = {code: rule_cls for code, (_meta, rule_cls) in registry().items()}
            rows = [
                {
                    "code": m.code,
                    "name": m.name,
                    "family": str(m.family),
                    "severity": str(m.severity),
                    "fixable": m.fixable,
                    "fix": str(m.fix_applicability) if m.fix_applicability else None,
                    "default": m.default,
                    "summary": m.summary,
                    "module": classes[m.code].__module__,  # where the rule's logic lives
                }
                for m in chosen
            ]
            click.echo(json.dumps(rows, indent=2))
        else:
            click.echo(rules_listing(chosen, metas().values()), nl=False)
        return EXIT_CLEAN

    _guarded(action)


@rules.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Show the documentation of a rule: a code, a name, a family, a prefix, `ruff` or a ruff code."""

    def action() -> int:
        try:
            modules = {code: rule_cls.__module__ for code, (_meta, rule_cls) in registry().items()}
            click.echo(explain_selector(code, metas(), modules), nl=False)
        except UnknownSelectorError as exc:
            raise click.UsageError(str(exc)) from None
        return EXIT_CLEAN

    _guarded(action)


@main.group("config", short_help="Show the effective configuration (`config show`).")
def config_group() -> None:
    """The configuration: `config show` prints what a run uses, `extend` chain merged."""


@config_group.command("show")
@click.argument("path", type=click.Path(exists=True, path_type=Path), default=Path("."))
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file.")
@click.option("--output-format", type=click.Choice(["toml", "json"]), default="toml", show_default=True)
def config_show_command(path: Path, config_file: Path | None, output_format: str) -> None:
    """Print the effective configuration of the project at PATH, each value with the file it came from."""
    from mlops_lint import config_show

    def action() -> int:
        root = find_root(path)
        merged, files = config_show.effective(root, metas(), config_file)
        render = config_show.render_json if output_format == "json" else config_show.render_toml
        click.echo(render(root, merged, files), nl=False)
        return EXIT_CLEAN

    _guarded(action)


if __name__ == "__main__":
    main()
