"""The safety net of ast-first detection: a rule's candidate check is a superset of its findings.

The engine parses a file with libcst only for the rules whose `candidate(AstIndex)` accepts the
file's `ast` (`context/ast_index.py`). A candidate check that wrongly says no loses findings
silently, so here every Python rule is forced to run (its text test and candidate check both
ignored) over a corpus: the catalogue's examples (Python files and notebooks, bad and good),
the bundled examples/ project, the hostile corpus, and generated programs (hypothesmith, with a
catalogue example pasted in). Wherever the forced rule reports something, its candidate check must
have said yes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_lint.context.ast_index import AstIndex
from mlops_lint.context.cst_walk import visit_batched
from mlops_lint.context.notebook import Notebook, load_notebook
from mlops_lint.context.notebook_program import build_program
from mlops_lint.context.python import PythonContext, deep_recursion, parse_cst
from mlops_lint.registry import registry
from mlops_lint.rule import PythonRule, RuleSettings
from tests.helpers import make_notebook

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

ROOT = Path(__file__).resolve().parent.parent
RULES = [
    (meta, cls) for _code, (meta, cls) in sorted(registry().items()) if issubclass(cls, PythonRule)
]  # fmt: skip


def _settings(meta, options: dict) -> RuleSettings:  # type: ignore[no-untyped-def]
    return RuleSettings(meta, {**meta.default_options(), **options})


def _program(path: str, text: str) -> tuple[str, ast.Module | None, PythonContext | None]:
    """(code text, its ast, its libcst context) of a Python file or a notebook's program."""
    if path.endswith(".ipynb"):
        loaded = load_notebook(text)
        if not isinstance(loaded, Notebook):
            return text, None, None
        program = build_program(path, loaded)
        tree, code = program.tree, program.text
    else:
        program = None
        try:
            tree, code = ast.parse(text), text
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return text, None, None
    if not isinstance(tree, ast.Module):
        return code, None, None
    module = parse_cst(code, tree)
    if not hasattr(module, "body"):
        return code, tree, None
    return code, tree, PythonContext(path, module, program=program)  # type: ignore[arg-type]


def _forced(cls: type[PythonRule], settings: RuleSettings, context: PythonContext) -> int:
    """How many findings the rule reports when it is made to run on the file."""
    visitor = cls(settings, context)
    with deep_recursion():
        visit_batched(context.module, [visitor])
    return len(visitor.reports)


def check_file(path: str, text: str, options: dict[str, dict] | None = None) -> list[str]:
    """The rules that report on the file although their candidate check says no."""
    _code, tree, context = _program(path, text)
    if tree is None or context is None:
        return []
    index = AstIndex(tree, path, path.endswith(".ipynb"))
    wrong = []
    for meta, cls in RULES:
        settings = _settings(meta, (options or {}).get(meta.code, {}))
        if cls.candidate(index, settings.options):
            continue
        if _forced(cls, settings, context):  # one context for all rules, as in the engine
            wrong.append(f"{meta.code} on {path}")
    return wrong


# -- the corpus --------------------------------------------------------------------------------------


def _catalogue_files() -> Iterator[tuple[str, str, str, dict]]:
    """(id, path, text, options) of every Python file and notebook in the catalogue's examples."""
    for _code, (meta, _cls) in sorted(registry().items()):
        for example in meta.examples:
            options = {meta.code: example.get("options", {})}
            name = f"{meta.code}::{example['name']}"
            if "source" in example:
                yield name, example.get("path", "example.py"), example["source"], options
            if "cells" in example:
                yield name, example.get("path", "example.ipynb"), make_notebook(example["cells"]), options
            for path, content in (example.get("files") or {}).items():
                if isinstance(content, str) and path.endswith((".py", ".ipynb")):
                    yield f"{name}::{path}", path, content, options
            for commit in example.get("commits") or []:
                for path, content in (commit.get("files") or {}).items():
                    if isinstance(content, str) and path.endswith((".py", ".ipynb")):
                        yield f"{name}::{path}", path, content, options


CATALOGUE = list(_catalogue_files())


@pytest.mark.parametrize(("path", "text", "options"), [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_catalogue_examples(path: str, text: str, options: dict) -> None:
    assert check_file(path, text, options) == []


def test_catalogue_bad_examples_are_candidates() -> None:
    """Not vacuous: every rule's candidate check accepts the rule's own bad examples."""
    for _code, (meta, cls) in sorted(registry().items()):
        if not issubclass(cls, PythonRule):
            continue
        for example in meta.examples:
            if example.get("valid") or not ("source" in example or "cells" in example):
                continue
            notebook = "cells" in example
            path = example.get("path", "example.ipynb" if notebook else "example.py")
            text = make_notebook(example["cells"]) if notebook else example["source"]
            _text, tree, _context = _program(path, text)
            assert tree is not None
            settings = _settings(meta, example.get("options", {}))
            assert cls.candidate(AstIndex(tree, path, notebook), settings.options), f"{meta.code}::{example['name']}"


def _tree_files(root: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".ipynb") and path.is_file() and ".git" not in path.parts:
            try:
                yield str(path.relative_to(root)), path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue


def test_bundled_examples() -> None:
    wrong = [w for path, text in _tree_files(ROOT / "examples") for w in check_file(path, text)]
    assert wrong == []


def hostile_files(folder: Path) -> list[tuple[str, str]]:
    """The hostile files, but the two huge ones (a 180 KB function, a 3 MB notebook: 25 s of forced
    runs, and the same few statements repeated)."""
    from tests.hostile_corpus import build_shared

    build_shared(folder)
    return [(path, text) for path, text in _tree_files(folder) if len(text) < 100_000]


def test_hostile_corpus(tmp_path: Path) -> None:
    assert [w for path, text in hostile_files(tmp_path) for w in check_file(path, text)] == []


_SOURCES = [c[2] for c in CATALOGUE if c[1].endswith(".py")]
GENERATED = settings(max_examples=10, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck))  # fmt: skip


def generated_program(data: st.DataObject) -> str:
    """A generated module with a catalogue example pasted before or after it."""
    import hypothesmith

    generated = data.draw(hypothesmith.from_grammar())
    example = data.draw(st.sampled_from(_SOURCES))
    return example + "\n" + generated if data.draw(st.booleans()) else generated + "\n" + example


@GENERATED
@given(data=st.data())
def test_generated_programs(data: st.DataObject) -> None:
    assert check_file("generated.py", generated_program(data)) == []
