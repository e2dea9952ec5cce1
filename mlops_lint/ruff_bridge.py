"""ruff as the general code-quality engine: one `ruff check` per run, merged into our report.

The `ruff` binary comes from the ruff wheel (a declared dependency). It runs once over all Python
targets with JSON output; in `fix` rounds, files that exist only in memory are sent through stdin
one by one (only files an earlier round changed). ruff keeps its own codes (F401, NPY002...).
`[tool.mlops-lint.ruff]` chooses which ruff rules appear here, narrowed by the project's own ruff
settings, never widening them (ruff_project: how the selection is passed, and a project that
requires another ruff version); ruff_refine then leaves out what the repository's own linters
already say or what is not a defect. ruff's fixes become ordinary fixes, so `mlops-lint fix`
applies its safe ones. If ruff is missing or fails, one internal finding (MLX002) says so and the
rest of the report stands.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from mlops_lint.config import RuffSettings
from mlops_lint.context.files import read_inside
from mlops_lint.context.lint_config import ProjectLinting
from mlops_lint.diagnostics import Diagnostic
from mlops_lint.ruff_output import restore_names, to_diagnostics
from mlops_lint.ruff_project import needs_override, override_file_text, selection_arguments


@dataclass(frozen=True, slots=True)
class RuffResult:
    diagnostics: tuple[Diagnostic, ...]
    failure: str | None = None
    crashed: tuple[tuple[str, str], ...] = ()  # (path, why): files ruff dies on, found by bisection


# ruff killed by a signal (a stack overflow aborts) or panicking (Rust exits 101) is ruff's bug on
# some input, not a configuration error: the batch is split until the files it dies on are alone
_PANIC = 101
MAX_ISOLATION_RUNS = 64
# ruff lints thousands of files in seconds; a run this long is blocked (on a FIFO it opened, say)
RUFF_TIMEOUT = 600
# ruff reads these from the root on its own; one that is not a regular file (a FIFO) would block it
RUFF_CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml")


def ruff_version() -> str:
    """The version of the ruff wheel whose binary runs (only asked when a project requires one)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ruff")
    except PackageNotFoundError:
        return "0"


def ruff_binary() -> str | None:
    try:
        from ruff.__main__ import find_ruff_bin

        return os.fsdecode(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        return None


def _command(
    binary: str,
    settings: RuffSettings,
    cache_dir: Path | None = None,
    linting: ProjectLinting | None = None,
    config_file: Path | None = None,
) -> list[str]:
    """ruff's own cache goes inside ours (`.mlops_lint_cache/ruff`), so a warm run is fast and
    nothing new appears in the repository; without ours, ruff runs without one too. The rule
    selection narrows the project's own ruff settings instead of replacing them (ruff_project)."""
    caching = ["--cache-dir", str(cache_dir)] if cache_dir is not None else ["--no-cache"]
    command = [binary, "check", "--output-format", "json", *caching, "--exit-zero", "--no-fix", "--force-exclude"]
    if config_file is not None:
        command += ["--config", str(config_file)]
    return command + selection_arguments(settings, linting or ProjectLinting())


class RuffRun:
    """A ruff run started now and collected later: `check` starts it before its own file work, so
    the ruff process runs alongside instead of adding its time at the end."""

    def __init__(
        self,
        root: Path,
        paths: Sequence[str],
        settings: RuffSettings,
        overlays: Mapping[str, str] | None = None,
        cache_dir: Path | None = None,
        read: Mapping[str, bytes] | None = None,
        linting: ProjectLinting | None = None,
    ) -> None:
        self.root = root
        self.overlays = overlays or {}
        self.read = read or {}
        self.paths = list(paths)
        self.linting = linting or ProjectLinting()
        self.failure: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.scratch: tempfile.TemporaryDirectory[str] | None = None
        binary = ruff_binary()
        if binary is None:
            self.failure = "the ruff binary was not found (is the `ruff` package installed?)"
            return
        blocked = [name for name in RUFF_CONFIG_FILES if _exists_but_not_regular(root / name)]
        if blocked:
            self.failure = f"{blocked[0]} is not a regular file, so ruff cannot read its settings"
            return
        on_disk = [p for p in self.paths if p not in self.overlays]
        try:
            self.command = _command(binary, settings, cache_dir, self.linting, self._config_copy())
            if not on_disk:
                return
            self.process = subprocess.Popen(
                [*self.command, "--", *on_disk], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except OSError as exc:
            self.failure = str(exc)

    def _config_copy(self) -> Path | None:
        """A copy of the project's ruff settings without `required-version`, when that setting
        would make the bundled ruff refuse to run (see ruff_project)."""
        config = self.linting.ruff
        if config is None or not config.required_version or not needs_override(config, ruff_version()):
            return None
        self.scratch = tempfile.TemporaryDirectory(prefix="mlops-lint-ruff-")
        copy = Path(self.scratch.name) / "ruff.toml"
        copy.write_text(override_file_text(self.root, config), encoding="utf-8")
        return copy

    def _clean_up(self) -> str | None:
        """Remove the settings copy, if any; returns the path it had."""
        if self.scratch is None:
            return None
        copy = str(Path(self.scratch.name) / "ruff.toml")
        self.scratch.cleanup()
        self.scratch = None
        return copy

    def cancel(self) -> None:
        """Stop the process and reap it (the run it belonged to failed)."""
        if self.process is not None:
            with self.process:
                self.process.kill()
                self.process.communicate()
        self._clean_up()

    def result(self) -> RuffResult:
        try:
            outcome = self._collect()
        finally:
            copy = self._clean_up()
        if copy is not None and outcome.failure is not None and self.linting.ruff is not None:
            # name the project's file, not the temporary copy that is gone
            named = f"{self.linting.ruff.path} (read without its `required-version`)"
            outcome = replace(outcome, failure=outcome.failure.replace(copy, named))
        return outcome

    def _collect(self) -> RuffResult:
        if self.failure is not None:
            return RuffResult((), self.failure)
        found: list[Diagnostic] = []
        crashed: list[tuple[str, str]] = []
        try:
            replaced: list[str] = []
            if self.process is not None:
                with self.process:
                    try:
                        stdout, stderr = self.process.communicate(timeout=RUFF_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        self.process.kill()
                        self.process.communicate()
                        raise _RuffError(f"ruff did not finish within {RUFF_TIMEOUT} s and was stopped") from None
                completed = subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)
                replaced = self._replaced_since_read()
                if _crashed(completed):
                    batch = [str(arg) for arg in completed.args[len(self.command) + 1 :]]
                    more, crashed = self._isolate(batch, completed)
                else:
                    more = _parse(completed, self.root, None)
                found += [d for d in more if d.location.path not in replaced]
            from_memory = [(p, self.overlays[p].encode("utf-8")) for p in sorted(self.paths) if p in self.overlays]
            for path, content in [*from_memory, *((p, self.read[p]) for p in replaced)]:
                result = subprocess.run(
                    [*self.command, "--stdin-filename", path, "-"],
                    cwd=self.root,
                    input=content,
                    capture_output=True,
                    check=False,
                )
                if _crashed(result):
                    crashed.append((path, _why(result)))
                else:
                    found += _parse(result, self.root, path)
        except (OSError, _RuffError) as exc:
            return RuffResult((), str(exc))
        return RuffResult(tuple(restore_names(found, self.paths)), crashed=tuple(crashed))

    def _isolate(
        self, batch: list[str], first: subprocess.CompletedProcess[bytes]
    ) -> tuple[list[Diagnostic], list[tuple[str, str]]]:
        """ruff died on `batch`: halve it until each crashing file is alone, so one file that
        overflows ruff's stack costs its own findings, not the whole run's. ruff caches by file,
        so the reruns are cheap; past MAX_ISOLATION_RUNS the whole batch is given up as before."""
        found: list[Diagnostic] = []
        crashed: list[tuple[str, str]] = []
        # without ruff's cache: ruff's own cache, written by runs around a crash, can be left in a
        # state its next run refuses ("failed without error information", exit 2)
        uncached = _uncached(self.command)
        pending = [(batch, first)]
        runs = 0
        while pending:
            paths, result = pending.pop()
            if not _crashed(result):
                found += _parse(result, self.root, None)
            elif len(paths) == 1:
                crashed.append((paths[0], _why(result)))
            else:
                runs += 2
                if runs > MAX_ISOLATION_RUNS:
                    raise _RuffError(f"ruff failed {_why(first)}")
                middle = len(paths) // 2
                for half in (paths[:middle], paths[middle:]):
                    run = subprocess.run([*uncached, "--", *half], cwd=self.root, capture_output=True, check=False)
                    pending.append((half, run))
        return found, sorted(crashed)

    def _replaced_since_read(self) -> list[str]:
        """The files whose content on disk is no longer what the rest of the run read (`read`).

        ruff reads the files itself, a moment after mlops-lint did; a `fix` running at the same
        time (pre-commit starts hooks in parallel) can replace a file in between. Its ruff findings
        would then describe another text than the run's own findings and noqa comments, so such
        files are linted again from the bytes the run read, through stdin."""
        replaced = []
        for path, content in self.read.items():
            _problem, now = read_inside(self.root, path, len(content) + 1)
            if now != content:
                replaced.append(path)
        return sorted(replaced)


class _RuffError(Exception):
    pass


def _exists_but_not_regular(path: Path) -> bool:
    return (path.exists() or path.is_symlink()) and not path.is_file()


def _uncached(command: Sequence[str]) -> list[str]:
    if "--cache-dir" not in command:
        return list(command)
    at = command.index("--cache-dir")
    return [*command[:at], "--no-cache", *command[at + 2 :]]


def _crashed(result: subprocess.CompletedProcess[bytes]) -> bool:
    return result.returncode < 0 or result.returncode == _PANIC


def _why(result: subprocess.CompletedProcess[bytes]) -> str:
    message = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return f"(exit {result.returncode}): {message[-1] if message else 'no message'}"


def _parse(result: subprocess.CompletedProcess[bytes], root: Path, stdin_path: str | None) -> list[Diagnostic]:
    if result.returncode not in (0, 1):
        raise _RuffError(f"ruff failed {_why(result)}")
    try:
        items = json.loads(result.stdout or b"[]")
    except json.JSONDecodeError as exc:
        raise _RuffError(f"ruff printed output that is not JSON ({exc})") from exc
    return to_diagnostics(items, root, stdin_path)


_UNDEFINED_TIMEOUT = 60


def undefined_names(path: str, text: str) -> Counter[str] | None:
    """How often each name is undefined (ruff's F821) in `text`, linted as `path` from stdin.

    The fix loop's safety net: a round whose fixes leave more undefined names than the round began
    with is rolled back. `--isolated` ignores the project's configuration, so that a repository
    that silences F821 is still protected. None when ruff is missing or fails: the net then rests
    on the parse check alone.
    """
    binary = ruff_binary()
    if binary is None:
        return None
    command = [binary, "check", "--isolated", "--no-cache", "--exit-zero", "--output-format", "json"]
    command += ["--select", "F821", "--stdin-filename", path, "-"]
    try:
        completed = subprocess.run(
            command,
            input=text.encode("utf-8", "surrogatepass"),
            capture_output=True,
            check=False,
            timeout=_UNDEFINED_TIMEOUT,
        )
        items = json.loads(completed.stdout or b"[]") if completed.returncode == 0 else None
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError, UnicodeEncodeError):
        return None
    if not isinstance(items, list):
        return None
    return Counter(str(item.get("message", "")) for item in items if isinstance(item, dict))


def ruff_rule_doc(code: str) -> str | None:
    """ruff's own documentation of one of its codes (`ruff rule F401`), for `rules explain F401`."""
    binary = ruff_binary()
    if binary is None or not re.fullmatch(r"[A-Z]+[0-9]+", code):
        return None
    try:
        completed = subprocess.run([binary, "rule", code], capture_output=True, check=False, timeout=_UNDEFINED_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return completed.stdout.decode("utf-8", "replace") if completed.returncode == 0 else None


@cache
def ruff_rule_codes() -> frozenset[str]:
    """Every code the bundled ruff knows (`ruff rule --all`), so `--select F401` can be checked
    against ruff's own list: a typo is an error, as for our codes. Empty when ruff is missing."""
    binary = ruff_binary()
    if binary is None:
        return frozenset()
    try:
        completed = subprocess.run(
            [binary, "rule", "--all", "--output-format", "json"],
            capture_output=True,
            check=False,
            timeout=_UNDEFINED_TIMEOUT,
        )
        rules = json.loads(completed.stdout or b"[]") if completed.returncode == 0 else []
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return frozenset()
    return frozenset(str(rule["code"]) for rule in rules if isinstance(rule, dict) and "code" in rule)
