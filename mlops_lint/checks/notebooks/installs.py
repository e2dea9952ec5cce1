"""MLJ006: packages a notebook installs without a version, from its shell escapes and magics.

Only names that a package index resolves are asked for a pin: requirements and constraints files,
editable installs, local paths, URLs and direct references decide their own versions. A range
written unquoted in a shell command (`!pip install torch>=2.0`) is not a range at all: the shell
takes `>` as a redirection, installs any torch and writes a file named `=2.0`; that is reported
with a message that says so (see `context/shell_words.py`). Installs that only run under a
condition (inside `if "google.colab" in sys.modules:`, `if logger == "Comet":`, `except
ImportError:`), and notebooks among a library's examples, are reported as `info`: they top up a
hosted runtime or an optional integration, or illustrate one example, while the environment the
repository is run in is declared elsewhere.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from typing import NamedTuple

from mlops_lint.checks.notebooks.validity import NOTEBOOK, code_cells, loaded_notebook
from mlops_lint.context.files import FileContext
from mlops_lint.context.ipython import ipython_escapes
from mlops_lint.context.python_project import in_library_examples
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.shell_words import SEPARATORS, Word, shell_words
from mlops_lint.diagnostics import Diagnostic, Location, Severity, Span
from mlops_lint.rule import PathRule

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


def _segments(command: str) -> list[list[Word]]:
    segments: list[list[Word]] = [[]]
    for word in shell_words(command):
        if word in SEPARATORS:
            segments.append([])
        else:
            segments[-1].append(word)
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
        or "/" in token
        or "\\" in token
        or token.startswith((".", "~", "git+", "$", "{"))
        or "{" in token
        or token.endswith((".whl", ".tar.gz", ".zip", ".tgz", ".tar.bz2"))
    )


_SHORT_VALUE_OPTIONS = {"pip": "rceiftC", "conda": "cnp"}  # short options whose value follows


def _option(token: str, tool: str) -> tuple[str, bool]:
    """(the option that takes a value, whether the value is the next word) of an option word:
    `-r` and `--requirement` take the next word, `-qr` too (short flags combine, the last takes
    the value), `-rreqs.txt` and `--requirement=reqs.txt` carry it; ("", False) for a flag."""
    if token.startswith("--"):
        name, equals, _value = token.partition("=")
        return name, not equals and name in (_PIP_VALUE_OPTIONS if tool == "pip" else _CONDA_VALUE_OPTIONS)
    for k, letter in enumerate(token[1:], start=1):
        if letter in _SHORT_VALUE_OPTIONS[tool]:
            return "-" + letter, k == len(token) - 1
    return "", False


class Installs(NamedTuple):
    """What one shell command installs without a pin: the tool (`pip` or `conda`), the package
    words, and the packages whose range the shell took as an output redirection (name, range)."""

    tool: str
    packages: list[str]
    redirected: list[tuple[str, str]]


def unpinned_packages(command: str) -> Installs:
    """The tool and the packages a shell command installs without a version pin."""
    found: list[str] = []
    redirected: list[tuple[str, str]] = []
    tool_used = "pip"
    for tokens in _segments(command):
        install = _install_args(tokens)
        if install is None:
            continue
        tool, args = install
        packages: list[str] = []
        wrong: list[tuple[str, str]] = []
        skip = False
        for k, token in enumerate(args):
            if skip:
                skip = False
                continue
            if token.startswith("-"):
                option, takes_next = _option(token, tool)
                if option in _FILE_OPTIONS[tool]:
                    packages, wrong = [], []
                    break  # a requirements or constraints file decides the versions
                skip = takes_next or (option in ("-e", "--editable") and token in ("-e", "--editable"))
                continue
            if token in (">", ">>", "2>", "&>", "<") or _REDIRECT.match(token):
                skip = token in (">", ">>", "2>", "&>", "<")
                continue
            if token == "@":
                if packages:
                    packages.pop()
                skip = True
                continue
            if (k + 1 < len(args) and args[k + 1] == "@") or _is_reference(token):
                continue
            if isinstance(token, Word) and token.redirects:
                name = token[: token.redirect_at]
                if token.redirects.startswith(">") and "<" not in token.redirects and name.lower() not in _TOOLING:
                    wrong.append((name, token[token.redirect_at :]))
                continue  # an unquoted `<` reads a file named after the range: the command fails
            pins = _PIP_PINS if tool == "pip" else ("=", "<", ">")
            name = re.split(r"[\[<>=!~;]", token, maxsplit=1)[0]
            if any(pin in token for pin in pins) or name.lower() in _TOOLING or not name:
                continue
            packages.append(token)
        if packages or wrong:
            tool_used = tool
            found += packages
            redirected += wrong
    return Installs(tool_used, found, redirected)


def conditional(source: str, line: int) -> bool:
    """Whether line `line` of a cell runs only under a condition: inside an `if`/`elif`/`else` or
    `try`/`except` block (`if "google.colab" in sys.modules:`, `if logger == "Comet":`,
    `except ImportError:`). Such an install tops up an environment (a hosted runtime, an optional
    integration the reader picks, a package that is missing) rather than defining it."""
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return False
    indent = len(lines[line - 1]) - len(lines[line - 1].lstrip())
    for text in reversed(lines[: line - 1]):
        stripped = text.lstrip()
        level = len(text) - len(stripped)
        if not stripped or stripped.startswith("#") or level >= indent:
            continue
        if re.match(r"(?:if|elif|else|try|except)\b", stripped):
            return True
        indent = level
    return False


class NotebookUnpinnedInstall(PathRule):
    code = "MLJ006"
    kinds = NOTEBOOK

    def check(self, file: FileContext, repo: RepoContext) -> Iterator[Diagnostic]:
        notebook = loaded_notebook(file, repo)
        if notebook is None:
            return
        example = None
        for cell in code_cells(notebook):
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
                tool, packages, redirected = unpinned_packages(command)
                if not packages and not redirected:
                    continue
                span = Span(
                    start_line=escape.line, start_col=escape.column, end_line=escape.end_line, end_col=escape.end_column
                )
                pin = "==" if tool == "pip" else "="
                named = [f"'{package}'" for package in packages]
                named += [
                    f"'{name}' (the unquoted '{rest}' is a shell redirection: it writes a file named "
                    f"'{rest.lstrip('>')}' and installs any version; quote the requirement)"
                    for name, rest in redirected
                ]
                if example is None:
                    example = in_library_examples(repo, file.path)
                quiet = example or conditional(cell.source, escape.line)
                yield self.diagnostic(
                    Location(path=file.path, span=span, cell=cell.index),
                    # only the redirect is a bug worth a warning; an unpinned install in a cell is advice
                    severity=None if redirected and not quiet else Severity.INFO,
                    packages=", ".join(named),
                    example=f"{(packages or [redirected[0][0]])[0]}{pin}<version>",
                )


RULES = [NotebookUnpinnedInstall]
