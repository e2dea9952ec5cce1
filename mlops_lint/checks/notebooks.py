"""Notebook hygiene read from the .ipynb JSON: output size, clean execution, validity, and
unpinned installs in shell escapes. Python rules run on the cells through the engine; the rules
here only read `context.notebook`."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator
from dataclasses import replace

from mlops_lint.context.files import FileContext, FileKind
from mlops_lint.context.ipython import ipython_escapes
from mlops_lint.context.notebook import Cell, Notebook, NotebookProblem, notebook_for
from mlops_lint.context.notebook_schema import notebook_schema_problem
from mlops_lint.context.repo import RepoContext
from mlops_lint.diagnostics import Diagnostic, Location, Severity, Span
from mlops_lint.fixes import Fix, TextEdit
from mlops_lint.rule import PathRule

NOTEBOOK = frozenset({FileKind.NOTEBOOK})


def _size(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _checkpoint(file: FileContext) -> bool:
    return ".ipynb_checkpoints" in file.parts[:-1]  # Jupyter's autosave copies: MLN002 reports them


def _loaded(file: FileContext, repo: RepoContext) -> Notebook | None:
    if _checkpoint(file):
        return None
    notebook = notebook_for(repo, file.path)
    return notebook if isinstance(notebook, Notebook) else None


def _code_cells(notebook: Notebook) -> Iterator[Cell]:
    return (cell for cell in notebook.cells if cell.cell_type == "code")


def _content_length(value: object) -> int:
    if isinstance(value, list):
        return sum(len(part) for part in value if isinstance(part, str))
    return len(value) if isinstance(value, str) else 0


def output_kind(output: dict) -> str:
    """What an output mostly is: its largest mime type, `stream (stdout)`, or `error`."""
    kind = output.get("output_type")
    if kind == "stream":
        return f"stream ({output.get('name', 'stdout')})"
    data = output.get("data")
    if isinstance(data, dict) and data:
        return max(data, key=lambda mime: _content_length(data[mime]))
    return str(kind or "output")


class NotebookLargeOutputs(PathRule):
    code = "MLJ001"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = _loaded(file, repo)
        if notebook is None:
            return
        sized = [
            (size, cell, output)
            for cell in _code_cells(notebook)
            for size, output in zip(cell.output_sizes, cell.outputs, strict=True)
        ]
        if not sized:
            return
        total = sum(size for size, _cell, _output in sized)
        biggest, cell, output = max(sized, key=lambda entry: entry[0])
        if total <= self.options["max-total-bytes"] and biggest <= self.options["max-output-bytes"]:
            return
        edits = []
        for code_cell in _code_cells(notebook):
            if code_cell.outputs and code_cell.output_span is not None:
                edits.append(TextEdit(path=file.path, span=notebook.span(*code_cell.output_span), content="[]"))
            if code_cell.execution_count is not None and code_cell.count_span is not None:
                edits.append(TextEdit(path=file.path, span=notebook.span(*code_cell.count_span), content="null"))
        fix = Fix(title=self.fix_title(), edits=tuple(edits))
        yield self.diagnostic(
            Location(path=file.path, cell=cell.index),
            fix,
            total=_size(total),
            cell=cell.index,
            kind=output_kind(output),
            size=_size(biggest),
        )


COUNTS_AROUND = 3  # counts shown on each side of the first one out of order


def _raises_on_purpose(notebook: Notebook, cell: Cell) -> bool:
    """Cells tagged `raises-exception` (nbval, nbconvert --allow-errors) show an error on purpose."""
    raw = notebook.value["cells"][cell.index - 1]
    tags = raw.get("metadata", {}).get("tags")
    return isinstance(tags, list) and "raises-exception" in tags


class NotebookNotCleanlyExecuted(PathRule):
    code = "MLJ002"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = _loaded(file, repo)
        if notebook is None:
            return
        counts = [
            (cell.index, cell.execution_count) for cell in _code_cells(notebook) if cell.execution_count is not None
        ]
        first = next((k for k in range(1, len(counts)) if counts[k][1] <= counts[k - 1][1]), None)
        if first is not None:
            low, high = max(0, first - COUNTS_AROUND), min(len(counts), first + COUNTS_AROUND)
            shown = ", ".join(str(count) for _index, count in counts[low:high])
            shown = ("…, " if low else "") + shown + (", …" if high < len(counts) else "")
            yield self.diagnostic(
                Location(path=file.path, cell=counts[first][0]),
                problem=f"cells ran out of order (execution counts in cell order: {shown})",
            )
        for cell in _code_cells(notebook):
            error = next((o for o in cell.outputs if isinstance(o, dict) and o.get("output_type") == "error"), None)
            if error is not None and not _raises_on_purpose(notebook, cell):
                yield self.diagnostic(
                    Location(path=file.path, cell=cell.index),
                    problem=f"the cell has an error output ({error.get('ename') or 'error'})",
                )


class NotebookInvalid(PathRule):
    code = "MLJ003"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        if _checkpoint(file):
            return
        notebook = notebook_for(repo, file.path)
        if isinstance(notebook, NotebookProblem):  # nbformat cannot read it, or we cannot read its cells
            span = Span.point(notebook.line, notebook.column)
            found = self.diagnostic(Location(path=file.path, span=span), problem=notebook.message)
            yield replace(found, severity=Severity.INFO) if notebook.old_format else found
        elif notebook is None and file.text_problem is not None:  # too large, binary, a symlink out...
            yield self.diagnostic(Location(path=file.path), problem=f"cannot be read: {file.text_problem}")
        elif notebook is not None:
            # readable, and its other checks run; nbformat's validator refuses it and Jupyter opens
            # it with a "Notebook validation failed" warning: a warning, not an error
            refused = notebook_schema_problem(notebook)
            if refused is not None:
                span = Span.point(refused.line, refused.column)
                found = self.diagnostic(Location(path=file.path, span=span), problem=refused.message)
                yield replace(found, severity=Severity.WARNING)


# --- unpinned installs -------------------------------------------------------------------------

_SEPARATORS = frozenset({"&&", "||", ";", "|", "&"})
_PIP = re.compile(r"^pip[0-9.]*$")
_CONDA = frozenset({"conda", "mamba", "micromamba"})
_PIP_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "-t",
        "--target",
        "--prefix",
        "--root",
        "--platform",
        "--python-version",
        "--implementation",
        "--abi",
        "--src",
        "--upgrade-strategy",
        "--progress-bar",
        "--trusted-host",
        "--cache-dir",
        "--log",
        "--proxy",
        "--timeout",
        "--retries",
        "--exists-action",
        "--no-binary",
        "--only-binary",
        "-C",
        "--config-settings",
        "--global-option",
        "--install-option",
        "--report",
        "--root-user-action",
        "--python",
        "--keyring-provider",
        "--use-feature",
        "--use-deprecated",
    }
)
_CONDA_VALUE_OPTIONS = frozenset(["-c", "--channel", "-n", "--name", "-p", "--prefix", "--solver", "--repodata-fn"])
_FILE_OPTIONS = {"pip": frozenset({"-r", "--requirement", "-c", "--constraint"}), "conda": frozenset({"--file"})}
_TOOLING = frozenset({"pip", "setuptools", "wheel"})
_PIP_PINS = ("==", ">=", "~=", "===")
_REDIRECT = re.compile(r"^(?:\d*>>?|&>|\d*<)")


def _segments(command: str) -> list[list[str]]:
    try:
        tokens = shlex.split(command, comments=True)
    except ValueError:
        tokens = command.split()
    segments: list[list[str]] = [[]]
    for token in tokens:
        if token in _SEPARATORS:
            segments.append([])
        else:
            segments[-1].append(token.rstrip(";"))
    return segments


_WRAPPERS = frozenset({"sudo", "uv", "time", "nohup"})


def _install_args(tokens: list[str]) -> tuple[str, list[str]] | None:
    """('pip' | 'conda', the arguments after `install`) when the command runs an install: pip or
    conda as the program (possibly after sudo/uv/time), or `<python> -m pip`."""
    k = 0
    while k < len(tokens) - 1 and (tokens[k] in _WRAPPERS or tokens[k].startswith("-") or "=" in tokens[k]):
        k += 1  # `sudo -H pip`, `uv pip`, `PIP_NO_CACHE_DIR=1 pip`
    if k + 2 < len(tokens) and tokens[k + 1] == "-m" and "python" in posixpath.basename(tokens[k]).lower():
        k += 2
    elif k + 2 < len(tokens) and tokens[k + 1] == "-m" and tokens[k].startswith("{") and tokens[k].endswith("}"):
        k += 2  # `!{sys.executable} -m pip`
    if k >= len(tokens):
        return None
    name = posixpath.basename(tokens[k])
    tool = "pip" if _PIP.match(name) else "conda" if name in _CONDA else None
    if tool is None:
        return None
    rest = tokens[k + 1 :]
    words = [word for word in rest if not word.startswith("-")]
    if words[:1] != ["install"]:
        return None
    return tool, rest[rest.index("install") + 1 :]


def _is_reference(token: str) -> bool:
    """A path, URL, VCS reference, archive or shell/Python variable: not a name to pin."""
    return (
        "://" in token
        or "@" in token
        or token.startswith((".", "/", "~", "git+", "$", "{"))
        or "{" in token
        or token.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"))
    )


def unpinned_packages(command: str) -> tuple[str, list[str]]:
    """The tool and the packages a shell command installs without a version pin."""
    found: list[str] = []
    tool_used = "pip"
    for tokens in _segments(command):
        install = _install_args(tokens)
        if install is None:
            continue
        tool, args = install
        value_options = _PIP_VALUE_OPTIONS if tool == "pip" else _CONDA_VALUE_OPTIONS
        packages: list[str] = []
        skip = False
        for k, token in enumerate(args):
            if skip:
                skip = False
                continue
            if token in _FILE_OPTIONS[tool]:
                packages = []
                break  # a requirements or constraints file decides the versions
            if token in value_options or token in ("-e", "--editable") or token in (">", ">>", "2>", "&>", "<"):
                skip = True
                continue
            if token.startswith("-") or _REDIRECT.match(token):
                continue
            if token == "@":
                if packages:
                    packages.pop()
                skip = True
                continue
            if (k + 1 < len(args) and args[k + 1] == "@") or _is_reference(token):
                continue
            pins = _PIP_PINS if tool == "pip" else ("=", "<", ">")
            name = re.split(r"[\[<>=!~;]", token, maxsplit=1)[0]
            if any(pin in token for pin in pins) or name.lower() in _TOOLING or not name:
                continue
            packages.append(token)
        if packages:
            tool_used = tool
            found += packages
    return tool_used, found


class NotebookUnpinnedInstall(PathRule):
    code = "MLJ006"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = _loaded(file, repo)
        if notebook is None:
            return
        for cell in _code_cells(notebook):
            if "install" not in cell.source:
                continue
            for escape in ipython_escapes(cell.source):
                command = escape.text
                if escape.kind == "magic":
                    name, _, rest = command.partition(" ")
                    if name in ("sx", "system"):
                        command = rest
                    elif name not in ("pip", "conda", "mamba"):
                        continue
                tool, packages = unpinned_packages(command)
                if not packages:
                    continue
                span = Span(
                    start_line=escape.line, start_col=escape.column, end_line=escape.end_line, end_col=escape.end_column
                )
                pin = "==" if tool == "pip" else "="
                yield self.diagnostic(
                    Location(path=file.path, span=span, cell=cell.index),
                    packages=", ".join(f"'{package}'" for package in packages),
                    example=f"{packages[0]}{pin}<version>",
                )


RULES = [NotebookLargeOutputs, NotebookNotCleanlyExecuted, NotebookInvalid, NotebookUnpinnedInstall]
