"""The commands around the lint itself: `report`, `new experiment`, `init`, `rules` (and `rules
explain`) and `config show`. `cli.py` registers them on the `mlops-lint` group."""

from __future__ import annotations

import json
from pathlib import Path

import click

from mlops_lint import scaffold
from mlops_lint.cli_support import EXIT_CLEAN, _guarded, _missing, _overrides, history_options, selection_options
from mlops_lint.diagnostics import Family
from mlops_lint.discovery import find_root
from mlops_lint.docs import UnknownSelectorError, explain_selector, rules_listing
from mlops_lint.registry import metas, registry
from mlops_lint.scorecard import run as scorecard_run


@click.command("report", short_help="Score each MLOps practice 0-10: HTML, JSON, badge, fleet.")
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


@click.group()
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


@click.command("init", short_help="Write the config, pre-commit hooks, CI workflow and templates.")
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


@click.group(invoke_without_command=True, short_help="List the rules; `rules explain CODE` documents one.")
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


@click.group("config", short_help="Show the effective configuration (`config show`).")
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
