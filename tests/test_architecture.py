"""What the layout promises, checked by reading the source (issue 17): one git runner, rules that
declare what they need, and `checks/` laid out like the catalogue.

Adding a rule should touch its catalogue entry and one module of its family's package, nothing else:
the engine, the API, the CLI and the reporters read what a rule needs from its declarations (the
catalogue's `needs`, `opt-in`, `security-severity`, `formerly`; a class's `history_interest` and
`reports`), never from a list of codes.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
from pathlib import Path

from click.testing import CliRunner

from mlops_lint.catalogue import load_catalogue
from mlops_lint.checks import ALL_RULES
from mlops_lint.cli import main
from mlops_lint.registry import registry
from mlops_lint.rule import EngineEvent, EngineRule, RepoRule, Rule

PACKAGE = Path(__file__).resolve().parent.parent / "mlops_lint"
CHECKS = PACKAGE / "checks"
CODE = re.compile(r"\bML[A-Z][0-9]{3}\b")
MAX_LINES = 300


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the constant nodes that are docstrings (they explain, they do not decide)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _codes_named(path: Path, codes: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    named = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            named |= set(CODE.findall(node.value)) & codes
    return named


def test_no_module_outside_checks_names_a_rule_code() -> None:
    """Codes in strings (not comments or docstrings) outside `checks/`: each would be a hidden place
    to update when a rule is added or moved. Declare the need in the catalogue or on the class."""
    codes = {code for meta in load_catalogue().values() for code in (meta.code, *meta.formerly)}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("checks/"):
            continue
        offenders += [f"{relative}: {code}" for code in sorted(_codes_named(path, codes))]
    assert not offenders, "rule codes named outside checks/: " + ", ".join(offenders)


def test_history_declarations_agree() -> None:
    """`needs: [history]` (what people read, what starts the scan) and `history_interest` (what the
    scan collects) are two sides of one declaration."""
    for code, (meta, rule_cls) in registry().items():
        declares = issubclass(rule_cls, RepoRule) and rule_cls.history_interest(meta.default_options()) is not None
        assert declares == ("history" in meta.needs), f"{code}: needs {meta.needs} but history_interest disagrees"


def test_each_engine_event_has_one_rule() -> None:
    reporting = [cls for cls in ALL_RULES if issubclass(cls, EngineRule)]
    events = [cls.reports for cls in reporting]
    assert sorted(events) == sorted(EngineEvent), "every engine event needs exactly one rule that reports it"


def test_each_rule_lives_in_its_family_package_and_its_module_lists_it() -> None:
    for code, (meta, rule_cls) in registry().items():
        module_name = rule_cls.__module__
        family = meta.family.value.replace("-", "_")
        assert module_name.startswith(f"mlops_lint.checks.{family}."), f"{code} lives in {module_name}"
        module = importlib.import_module(module_name)
        assert rule_cls in module.RULES, f"{code}: {module_name}.RULES does not list {rule_cls.__name__}"
    for path in sorted(CHECKS.rglob("*.py")):
        if path.name == "__init__.py":
            continue
        name = path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
        module = importlib.import_module(name)
        foreign = [cls.__name__ for cls in getattr(module, "RULES", []) if cls.__module__ != name]
        assert not foreign, f"{name}.RULES lists rules of other modules: {foreign}"
        defined = {
            cls
            for _n, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, Rule) and cls.__module__ == name and "code" in vars(cls)
        }
        assert defined <= set(getattr(module, "RULES", [])), f"{name} defines rules it does not list"


def test_checks_modules_are_small() -> None:
    long = {
        path.relative_to(PACKAGE).as_posix(): n
        for path in CHECKS.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules of checks/ over {MAX_LINES} lines: {long}"


def test_rules_json_and_explain_give_the_source_module() -> None:
    """From a code to its file in one step."""
    result = CliRunner().invoke(main, ["rules", "--output-format", "json"], catch_exceptions=False)
    rows = {row["code"]: row for row in json.loads(result.output)}
    assert rows["MLN001"]["module"] == "mlops_lint.checks.naming.notebooks"
    for code, row in rows.items():
        file = PACKAGE.parent / (row["module"].replace(".", "/") + ".py")
        assert file.is_file(), f"{code}: {row['module']} is not a file"
        assert f'code = "{code}"' in file.read_text(encoding="utf-8"), f"{code} is not defined in {file}"
    explained = CliRunner().invoke(main, ["rules", "explain", "MLN001"], catch_exceptions=False).output
    assert "Source: mlops_lint.checks.naming.notebooks (mlops_lint/checks/naming/notebooks.py)" in explained


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_the_git_gateway_and_the_ruff_bridge_start_processes() -> None:
    """git runs through `git_gateway.py` alone (GitPython's `Git` object with the safety options);
    ruff's bridge runs the `ruff` binary. Any other `subprocess` import would be a second git runner."""
    pattern = re.compile(r"^\s*(import subprocess|from subprocess import)", re.MULTILINE)
    importing = {path.relative_to(PACKAGE).as_posix() for path in _modules() if pattern.search(path.read_text("utf-8"))}
    assert importing <= {"git_gateway.py", "ruff_bridge.py"}, importing


def test_gitpython_is_imported_by_the_gateway_only() -> None:
    pattern = re.compile(r"^\s*(import git\b|from git\b)", re.MULTILINE)
    importing = {path.relative_to(PACKAGE).as_posix() for path in _modules() if pattern.search(path.read_text("utf-8"))}
    assert importing == {"git_gateway.py"}, importing


_FILE_READS = {"open", "read_text", "read_bytes", "scandir", "listdir", "iterdir", "glob", "rglob", "stat"}
# the one rule module that reads a file of its own: the experiment template shipped with mlops-lint
_READS_PACKAGE_DATA = {"experiments/missing.py"}


def test_rules_read_the_repository_only_through_its_context() -> None:
    """The rule memo reuses a rule's findings while the files it read are unchanged, and learns
    which those are from RepoContext (context/reads.py): a rule that opened a file itself would
    be served stale findings after that file changed. Rules that declare `reads_outside_files`
    are never memoized, and may look at the work tree themselves."""
    defining = {inspect.getsourcefile(cls) for cls in ALL_RULES}
    memoized = {inspect.getsourcefile(cls) for cls in ALL_RULES if not cls.reads_outside_files}
    offenders = []
    for path in sorted(CHECKS.rglob("*.py")):
        where = path.relative_to(CHECKS).as_posix()
        if where in _READS_PACKAGE_DATA or (str(path) in defining and str(path) not in memoized):
            continue  # shipped data, or a module of rules that always run
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            os_walk = name == "walk" and isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os"
            if name in _FILE_READS or os_walk:
                offenders.append(f"{where}:{node.lineno}: {ast.unparse(func)}()")
    assert offenders == []
