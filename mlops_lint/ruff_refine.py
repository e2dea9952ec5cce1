"""ruff's findings, kept only where the repository's maintainers would want them from us.

ruff reports what pyflakes would; an ML linter repeating that is noise in these cases:
- the repository runs a Python linter itself (ruff, flake8 or pylint: a configuration or a
  pre-commit hook) on that file: its pyflakes/pycodestyle codes (`F`, `E`, `W`) are its linter's
  business, reported there already or deliberately tolerated (`defer-to-project-linter`);
- its flake8 configuration ignores the code there (`ignore`, `extend-ignore`, `per-file-ignores`,
  `exclude`), as its ruff configuration already does through ruff itself (ruff_project);
- an unused import in `__init__.py` is how a package re-exports its API (F401);
- a name IPython, Jupyter or a magic provides is not undefined (F821), and where our MLJ004
  reports a name used before the cell that defines it, F821 at the same place says it again;
- a NumPy 1/2 compatibility shim names the removed function behind `hasattr` (NPY201);
- an import made for its side effect is used by being imported (F401): scikit-learn's
  `sklearn.experimental.enable_*` switches, `import this`.

Severities follow what a maintainer does with the finding: a name that fails at run time is an
error; an unused import or variable, a placeholder-free f-string, star-import fallout and
equivalent pandas spellings are `info` (tidiness, not a defect); in notebooks, redefining a name
and shadowing an import are how cells are re-run and edited, so they are `info` there too; and
`yaml.load` with PyYAML's `FullLoader`, which "avoids arbitrary code execution" since PyYAML 5.4,
is `info` (S506 stays a warning for `Loader`/`UnsafeLoader`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache

from mlops_lint.context.ipython_names import CONFIG_NAMES, NotebookNames, is_config_file, notebook_names
from mlops_lint.context.lint_config import ProjectLinting
from mlops_lint.context.notebook import Notebook, notebook_for
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Severity
from mlops_lint.engine import ActiveRules

# imports whose whole purpose is their side effect: ruff's F401 names them as "`module.name` imported but unused"
_SIDE_EFFECT = re.compile(r"^`(?:sklearn\.experimental\.enable_\w+|this|antigravity)` imported but unused")
GENERIC = re.compile(r"^[FEW][0-9]")  # pyflakes and pycodestyle: every Python linter's ground
ERROR_CODES = ("E9", "F821", "F822", "F823", "F63", "F7")
INFO_CODES = ("F401", "F403", "F405", "F541", "F841", "F842", "PD003", "PD004", "PD101")
NOTEBOOK_INFO_CODES = ("F811", "F402")
_UNDEFINED = re.compile(r"^Undefined name `([^`]+)`")


def severity(code: str, path: str, message: str = "") -> Severity:
    if code.startswith(ERROR_CODES):
        return Severity.ERROR
    if code in INFO_CODES or (path.endswith(".ipynb") and code in NOTEBOOK_INFO_CODES):
        return Severity.INFO
    if code == "S506" and "`FullLoader`" in message:
        return Severity.INFO  # PyYAML's FullLoader "avoids arbitrary code execution" (PyYAML >= 5.4)
    return Severity.WARNING


def refine_in(repo: RepoContext, found: Iterable[Diagnostic], linting: ProjectLinting, defer: bool) -> list[Diagnostic]:
    """`refine`, reading notebooks and source lines from the run's repository context."""
    names = cache(lambda path: _notebook_names(repo, path))
    return refine(found, linting, names, defer, lambda path, line: _line(repo, path, line))


def _line(repo: RepoContext, path: str, number: int) -> str:
    text = repo.file(path).text or ""
    lines = re.split(r"\r\n|\r|\n", text)  # ruff's rows: not str.splitlines (form feeds, U+2028)
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _notebook_names(repo: RepoContext, path: str) -> NotebookNames:
    notebook = notebook_for(repo, path)
    if not isinstance(notebook, Notebook):
        return NotebookNames(opaque="unreadable")
    return notebook_names(cell.source for cell in notebook.cells if cell.cell_type == "code")


def refine(
    found: Iterable[Diagnostic],
    linting: ProjectLinting,
    notebook_names: Callable[[str], NotebookNames],
    defer: bool = True,
    source_line: Callable[[str, int], str] = lambda _path, _line: "",
) -> list[Diagnostic]:
    """The findings worth repeating (their severities were set by `severity` as they were read)."""
    kept = []
    for diagnostic in found:
        code, path = diagnostic.code, diagnostic.location.path
        if defer and GENERIC.match(code) and linting.linted_by(path) is not None:
            continue
        if linting.flake8_silences(path, code):
            continue
        if code == "F401" and (path.rsplit("/", 1)[-1] == "__init__.py" or _SIDE_EFFECT.search(diagnostic.message)):
            continue
        if code == "F821" and _provided(diagnostic, notebook_names):
            continue
        if code == "NPY201" and _shim(diagnostic, source_line):
            continue
        kept.append(diagnostic)
    return kept


def _provided(diagnostic: Diagnostic, notebook_names: Callable[[str], NotebookNames]) -> bool:
    match = _UNDEFINED.match(diagnostic.message)
    if match is None:
        return False
    name, path = match.group(1), diagnostic.location.path
    if path.endswith(".ipynb"):
        return notebook_names(path).provides(name)
    return name in CONFIG_NAMES and is_config_file(path)


def _shim(diagnostic: Diagnostic, source_line: Callable[[str, int], str]) -> bool:
    """`np.trapezoid if hasattr(np, "trapezoid") else np.trapz`: a NumPy 1/2 compatibility shim
    names the old function on purpose, behind a `hasattr` test on the same line."""
    location = diagnostic.location
    if location.cell is not None or location.span is None:
        return False
    return "hasattr(" in source_line(location.path, location.span.start_line)


def replacing(rules: ActiveRules) -> dict[str, frozenset[str]]:
    """Our active rules that replace a ruff finding at the same place (Rule.replaces_ruff)."""
    active = (*rules.path_rules, *rules.python_rules, *rules.repo_rules)
    return {settings.meta.code: cls.replaces_ruff for settings, cls in active if cls.replaces_ruff}


def drop_replaced(diagnostics: list[Diagnostic], replacing: Mapping[str, frozenset[str]]) -> list[Diagnostic]:
    """Without the ruff findings that one of our rules reports again, at the same place and with
    more to say (`replacing`: our code -> the ruff codes its findings replace)."""
    places = {
        (ruff_code, d.location.path, d.location.cell, d.location.span.start_line, d.location.span.start_col)
        for d in diagnostics
        if d.location.span is not None
        for ruff_code in replacing.get(d.code, ())
    }
    if not places:
        return diagnostics
    return [
        d
        for d in diagnostics
        if d.location.span is None
        or (d.code, d.location.path, d.location.cell, d.location.span.start_line, d.location.span.start_col)
        not in places
    ]
