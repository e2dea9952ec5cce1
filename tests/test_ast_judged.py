"""Rules decided on the `ast` alone (`PythonRule.judged_on_ast`) find what their libcst visitor finds.

The engine never parses a file with libcst for such a rule; its libcst visitor is kept as the
reference. Here both run over the corpus of tests/test_candidates.py (the catalogue's examples,
the bundled examples/ project, the hostile corpus, generated programs) and must report the same
spans, in the coordinates the engine reports (`ast_positions.AstPositions` against `PythonContext.span`).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.ast_positions import AstPositions
from mlops_lint.context.cst_walk import visit_batched
from mlops_lint.context.python import deep_recursion
from mlops_lint.diagnostics import Span
from tests.test_candidates import (
    CATALOGUE,
    GENERATED,
    ROOT,
    RULES,
    _program,
    _settings,
    _tree_files,
    generated_program,
    hostile_files,
)

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

JUDGED = [(meta, cls) for meta, cls in RULES if cls.judged_on_ast]


def differences(path: str, text: str, options: dict[str, dict] | None = None) -> list[str]:
    """Each judged rule whose `ast` findings differ from its libcst findings on the file."""
    code, tree, context = _program(path, text)
    if tree is None or context is None:
        return []
    index = AstIndex(tree, path, path.endswith(".ipynb"))
    positions = AstPositions(code)
    wrong = []
    for meta, cls in JUDGED:
        rule_settings = _settings(meta, (options or {}).get(meta.code, {}))
        by_ast = sorted(positions.span(node) for node, _args in cls.ast_findings(index, rule_settings.options))
        visitor = cls(rule_settings, context)
        with deep_recursion():
            visit_batched(context.module, [visitor])
        by_cst: list[Span] = sorted(context.span(node) for node, _fix, _args in visitor.reports)
        if by_ast != by_cst:
            wrong.append(f"{meta.code} on {path}: ast {by_ast} != libcst {by_cst}")
    return wrong


def test_some_rule_is_judged_on_ast() -> None:
    assert JUDGED


@pytest.mark.parametrize(("path", "text", "options"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_catalogue_examples(path: str, text: str, options: dict) -> None:
    assert differences(path, text, options) == []


def test_bundled_examples() -> None:
    assert [w for path, text in _tree_files(ROOT / "examples") for w in differences(path, text)] == []


def test_hostile_corpus(tmp_path: Path) -> None:
    assert [w for path, text in hostile_files(tmp_path) for w in differences(path, text)] == []


def test_positions_beyond_ascii() -> None:
    """Columns in characters, not UTF-8 bytes, on lines with other text before the call."""
    text = (
        "from torch.utils.data import DataLoader\n"
        "é = 'ü'; loader = DataLoader(ds, shuffle=True)  # ü\n"
        "x = ('€', DataLoader(\n    ds, shuffle=True))\r\ny = DataLoader(ds, shuffle=True)\r"
    )
    assert differences("example.py", text) == []


@GENERATED
@given(data=st.data())
def test_generated_programs(data: st.DataObject) -> None:
    assert differences("generated.py", generated_program(data)) == []
