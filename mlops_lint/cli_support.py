"""What every command of the command line shares: the default command, the selection and history
options, turning flags into `api.Overrides`, the fix summary, and `_guarded`, which turns
configuration, catalogue and internal errors into one line and exit code 2 (never a traceback)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from mlops_lint import api
from mlops_lint.baseline import BaselineError
from mlops_lint.catalogue import CatalogueError
from mlops_lint.config import ConfigError
from mlops_lint.discovery import RevisionError
from mlops_lint.fixer import FixReport
from mlops_lint.fixes import Applicability
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


def _missing(paths: Sequence[Path]) -> None:
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise click.UsageError(f"path does not exist: {path}")
