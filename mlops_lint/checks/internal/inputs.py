"""Codes the engine reports about its own inputs (family `internal`)."""

from __future__ import annotations

from mlops_lint.rule import EngineEvent, EngineRule


class UnparsableFile(EngineRule):
    """A Python file that cannot be read as UTF-8 text or parsed; the run goes on without it."""

    code = "MLX001"
    reports = EngineEvent.UNPARSABLE_FILE


class RuffFailed(EngineRule):
    """ruff could not be run; its findings are missing and the rest of the report stands."""

    code = "MLX002"
    reports = EngineEvent.RUFF_FAILED


RULES = [UnparsableFile, RuffFailed]
