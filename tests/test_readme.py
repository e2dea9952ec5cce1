"""The README tells the truth: its first commands, its sample output, and CI's test command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner

from mlops_lint.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_screen_commands() -> list[str]:
    first_block = re.search(r"```bash\n(.*?)```", README, re.DOTALL)
    assert first_block and README.index("```bash") < 1500, "the two commands must be on the first screen"
    return [line for line in first_block.group(1).splitlines() if line and not line.startswith("#")]


def test_first_screen_has_exactly_two_commands() -> None:
    install_and_check, install_and_test = first_screen_commands()
    assert install_and_check.endswith("mlops-lint check examples/")
    assert '".[test]"' in install_and_test and "pytest" in install_and_test


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, test_command = first_screen_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in script.splitlines()


def test_sample_output_matches_the_real_output() -> None:
    sample = re.search(r"Output of `mlops-lint check examples/` \(excerpt\):\n\n```text\n(.*?)```", README, re.DOTALL)
    assert sample
    real = CliRunner().invoke(main, ["check", str(ROOT / "examples")]).stdout.splitlines()
    for line in sample.group(1).splitlines():
        assert line in real, line


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}".strip()
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


def test_the_command_block_lists_every_command_and_every_option() -> None:
    """The 'Using it' block names every command, and every option of every command appears in the
    README: a new flag cannot ship undocumented (init and --show-fixes once did)."""
    from mlops_lint.cli import main

    block = README.split("## Using it", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    for path, command in _commands(main):
        assert f"mlops-lint {path}" in block, f"`mlops-lint {path}` is missing from the command block"
        for option in command.params:
            if isinstance(option, click.Option) and not option.hidden:
                longest = max(option.opts, key=len)
                if longest not in ("--help",):
                    assert longest in README, f"`mlops-lint {path} {longest}` is not documented in the README"
