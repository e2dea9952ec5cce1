"""Reproducibility: an experiment's resource budget, missing (MLR007) or exceeded (MLR008)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint.context.experiment_docs import as_number, key_location, parsed_experiments
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.yaml_doc import YamlDoc
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import Fix, TextEdit, line_starts, newline_of, yaml_lines_agree
from mlops_lint.rule import RepoRule, Rule

AMOUNT_KEYS = ("gpu_hours", "cpu_hours", "wall_clock_hours", "cost_usd", "max_runs")


def _show(value: float) -> str:
    return f"{value:g}"


def _percent(used: float, budget: float) -> str:
    return f"{used / budget * 100:.0f}%" if budget > 0 else "no budget at all"


class ResourceBudgetMissing(RepoRule):
    reads_outside_files = True
    code = "MLR007"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        for _experiment, path, doc, value in parsed_experiments(repo):
            resources = value.get("resources")
            budget = resources.get("budget") if isinstance(resources, dict) else None
            if isinstance(budget, dict) and any(key in budget for key in AMOUNT_KEYS):
                continue
            key: tuple[str, ...] = ("resources", "budget") if isinstance(budget, dict) else ("resources",)
            location = (
                key_location(path, doc, key) if "resources" in value else Location(path=path, span=Span.point(1, 1))
            )
            yield self.diagnostic(location, self._fix(repo, path, doc, value), experiment=path)

    def _fix(self, repo: RepoContext, path: str, doc: YamlDoc, value: dict[str, Any]) -> Fix | None:
        decoded = repo.file(path).decoded
        if decoded is None:
            return None
        text = decoded.text
        newline = newline_of(text)
        resources = value.get("resources")
        title = self.fix_title(experiment=path)
        if "resources" not in value:
            starts = line_starts(text)
            end = Span.point(len(starts), len(text) - starts[-1] + 1)
            prefix = "" if not text or text.endswith(("\n", "\r")) else newline
            skeleton = newline.join(("resources:", "  budget:", "    gpu_hours: TODO", ""))
            return Fix(title=title, edits=(TextEdit(path=path, span=end, content=prefix + skeleton),))
        if not isinstance(resources, dict) or not resources or "budget" in resources or not yaml_lines_agree(text):
            return None
        parent_line, _ = doc.position_of(("resources",))
        child_line, child_column = doc.position_of(("resources", next(iter(resources))))
        if child_line <= parent_line:
            return None  # a flow mapping on one line: left to the user
        indent = " " * (child_column - 1)
        block = newline.join((f"{indent}budget:", f"{indent}  gpu_hours: TODO", ""))
        return Fix(title=title, edits=(TextEdit(path=path, span=Span.point(child_line, 1), content=block),))


class ResourceBudgetExceeded(RepoRule):
    reads_outside_files = True
    code = "MLR008"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        project = {key: as_number(amount) for key, amount in repo.config.project_budget.items()}
        totals: dict[str, float] = {}
        counted = 0
        for _experiment, path, doc, value in parsed_experiments(repo):
            resources = value.get("resources")
            if not isinstance(resources, dict):
                continue
            used = resources.get("used") if isinstance(resources.get("used"), dict) else {}
            budget = resources.get("budget") if isinstance(resources.get("budget"), dict) else {}
            counted += 1
            for key in AMOUNT_KEYS:
                spent, allowed = as_number(used.get(key)), as_number(budget.get(key))
                if spent is None:
                    continue
                if allowed is not None and spent > allowed:
                    yield self.diagnostic(
                        key_location(path, doc, ("resources", "used", key)),
                        subject=f"resources.used.{key}",
                        used=_show(spent),
                        budget=_show(allowed),
                        percent=_percent(spent, allowed),
                    )
                before = totals.get(key, 0.0)
                totals[key] = before + spent
                limit = project.get(key)
                if limit is not None and before <= limit < totals[key]:
                    yield self.diagnostic(
                        key_location(path, doc, ("resources", "used", key)),
                        subject=f"the project's total {key} ({counted} experiments up to this one)",
                        used=_show(totals[key]),
                        budget=_show(limit) + " set in [tool.mlops-lint.experiments]",
                        percent=_percent(totals[key], limit),
                    )


RULES: list[type[Rule]] = [ResourceBudgetMissing, ResourceBudgetExceeded]
