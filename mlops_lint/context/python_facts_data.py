"""Module facts (`python_facts`) as plain rows for the result cache, and back.

Cross-file rules read facts, so a warm run parses nothing. JSON keeps the order of the mappings,
and with it the source order the facts rely on (the first draw, the first call site).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from mlops_lint.context.python_facts import ModuleFacts, ScopeFacts, Where

FACTS_FORMAT = 3  # the layout of `facts_to_data`; rows of another layout are computed again


def _where_row(where: Where) -> list[int]:
    return [where.line, where.col, where.end_line, where.end_col]


def _scope_data(scope: ScopeFacts) -> list[Any]:
    rows = [{name: _where_row(w) for name, w in table.items()} for table in (scope.uses, scope.calls, scope.call_names)]
    return [sorted(scope.seeds), *rows, sorted(scope.trains)]


def _scope_from(row: list[Any]) -> ScopeFacts:
    seeds, uses, calls, call_names, trains = row
    tables = [{name: Where(*w) for name, w in table.items()} for table in (uses, calls, call_names)]
    return ScopeFacts(set(seeds), *tables, set(trains))


def facts_to_data(facts: ModuleFacts) -> list[Any]:
    """Plain data for the result cache, led by the layout's number."""
    guard = facts.main_guard
    return [
        FACTS_FORMAT,
        _scope_data(facts.top_level),
        {name: [_scope_data(s) for s in scopes] for name, scopes in facts.functions.items()},
        None if guard is None else _where_row(guard),
        None if facts.main_block is None else _scope_data(facts.main_block),
        {name: _where_row(w) for name, w in facts.imports.items()},
    ]


def facts_data_current(data: Any) -> bool:
    """Were these cached rows written in today's layout (else the facts are computed again)?"""
    return data is None or (isinstance(data, list) and bool(data) and data[0] == FACTS_FORMAT)


class _FunctionRows(Mapping[str, list[ScopeFacts]]):
    """`ModuleFacts.functions` read back from the cache, each name decoded when first looked up:
    a run reads the functions of the few modules an entry point reaches, not of all of them."""

    def __init__(self, rows: dict[str, list[Any]]) -> None:
        self._rows = rows
        self._decoded: dict[str, list[ScopeFacts]] = {}

    def __getitem__(self, name: str) -> list[ScopeFacts]:
        found = self._decoded.get(name)
        if found is None:
            found = self._decoded[name] = [_scope_from(s) for s in self._rows[name]]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, name: object) -> bool:
        return name in self._rows

    def get(self, name: str, default: Any = None) -> Any:
        # not Mapping's: that one raises and catches a KeyError per miss, and MLR002's reach looks
        # up millions of names that most modules do not define
        return self[name] if name in self._rows else default


def facts_from_data(row: list[Any]) -> ModuleFacts:
    _format, top, functions, guard, main_block, imports = row
    return ModuleFacts(
        _scope_from(top),
        _FunctionRows(functions),  # type: ignore[arg-type]
        None if guard is None else Where(*guard),
        None if main_block is None else _scope_from(main_block),
        {name: Where(*w) for name, w in imports.items()},
    )
