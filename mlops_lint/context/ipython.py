"""IPython syntax in notebook cells, masked so that `ast` and libcst parse the cell as Python.

A masked line keeps its indentation and becomes `pass` (so a magic inside an `if` block still
parses); `x = !ls` keeps `x = ` and becomes `x = ...`; continuation lines of a masked command
(after a trailing backslash) and the whole body of a non-Python cell magic (`%%bash`,
`%%writefile`, ...) become empty lines. The number of lines never changes and unmasked lines are
untouched, so every position in the masked source is a position in the cell.

Only lines at the start of a statement are considered: a `%` that continues an expression inside
brackets, or a `!` inside a triple-quoted string, is Python and stays.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
SHELL_CELL_MAGICS = frozenset({"bash", "sh", "system"})

AUTOMAGICS = frozenset(
    [
        "pip",
        "conda",
        "mamba",
        "micromamba",
        "cd",
        "pwd",
        "env",
        "load_ext",
        "reload_ext",
        "matplotlib",
        "autoreload",
        "aimport",
        "run",
        "time",
        "timeit",
        "prun",
        "store",
        "who",
        "whos",
        "reset",
        "config",
        "history",
        "pylab",
        "pinfo",
        "pinfo2",
        "psource",
        "bookmark",
        "sx",
        "system",
        "xmode",
        "load",
        "save",
        "alias",
        "cat",
        "cp",
        "ls",
        "ll",
        "mkdir",
        "mv",
        "rm",
        "rmdir",
    ]
)
_AUTOMAGIC = re.compile(r"([A-Za-z_]\w*)[ \t]+[\w./~'\"$-]")
_PIECES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_CELL_MAGIC = re.compile(r"%%([\w.-]+)[ \t]*(.*)")
_HELP = re.compile(r"^\s*(?:\?\??\s*\S.*|%{0,2}[A-Za-z_*][\w*]*(?:\.[A-Za-z_*][\w*]*|\[-?\d+\])*\?\??)\s*$")
_ASSIGN = re.compile(r"^(\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*)(?=[!%])")
_TOKEN = re.compile(r'"""|\'\'\'|"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|#|[(\[{]|[)\]}]')
_CLOSE = {'"""': re.compile(r'(?:\\.|[^\\])*?"""', re.DOTALL), "'''": re.compile(r"(?:\\.|[^\\])*?'''", re.DOTALL)}


@dataclass(frozen=True, slots=True)
class Escape:
    """One IPython command of a cell: `!cmd`, `%magic args`, or a line of a shell cell magic."""

    line: int  # 1-based line of the cell where it starts
    column: int  # 1-based column of the `!` or `%` (of the command, for a shell cell line)
    end_line: int
    end_column: int
    kind: str  # "shell" or "magic"
    text: str  # the command without its `!`/`%`, continuation lines joined


@dataclass
class _State:
    triple: str | None = None
    depth: int = 0
    continued: bool = False

    def at_statement_start(self) -> bool:
        return self.triple is None and self.depth == 0 and not self.continued

    def advance(self, line: str) -> None:
        i, n = 0, len(line)
        comment = False
        while i < n:
            if self.triple is not None:
                close = _CLOSE[self.triple].match(line, i)
                if close is None:
                    return
                self.triple, i = None, close.end()
                continue
            token = _TOKEN.search(line, i)
            if token is None:
                break
            text = token.group()
            if text == "#":
                comment = True
                break
            if text in _CLOSE:
                self.triple = text
            elif text in "([{":
                self.depth += 1
            elif text in ")]}":
                self.depth = max(0, self.depth - 1)
            i = token.end()
        self.continued = self.triple is None and not comment and line.rstrip().endswith("\\")


def _is_automagic(stripped: str) -> bool:
    """`pip install x`, `cd data`, `ls ../input`: a magic or alias called without `%` (IPython's
    automagic), recognised only when the line is not valid Python on its own."""
    name = _AUTOMAGIC.match(stripped)
    if name is None or name.group(1) not in AUTOMAGICS:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(stripped.removesuffix("\\"), "<cell>", "exec", dont_inherit=True)
    except SyntaxError:
        return True
    except (ValueError, MemoryError, RecursionError):
        return False
    return False


def _split(piece: str) -> tuple[str, str]:
    body = piece.rstrip("\r\n")
    return body, piece[len(body) :]


def analyse(source: str) -> tuple[str, frozenset[int], tuple[Escape, ...]]:
    """The masked source, the masked line numbers, and the IPython commands found."""
    pieces = _PIECES.findall(source)
    out: list[str] = []
    masked: set[int] = set()
    escapes: list[Escape] = []
    first = next((k for k, piece in enumerate(pieces) if piece.strip()), None)
    start = 0
    if first is not None and pieces[first].startswith("%%"):
        magic = _CELL_MAGIC.match(_split(pieces[first])[0])
        name = magic.group(1) if magic else ""
        out += pieces[:first]
        body, eol = _split(pieces[first])
        masked.add(first + 1)
        escapes.append(Escape(first + 1, 1, first + 1, len(body) + 1, "magic", body[1:]))
        if name in PYTHON_BODY_CELL_MAGICS:
            out.append("pass" + eol)
            start = first + 1
        else:
            shell = name in SHELL_CELL_MAGICS or (
                name == "script" and magic and magic.group(2).strip() in ("bash", "sh")
            )
            out.append(eol)
            for k in range(first + 1, len(pieces)):
                body, eol = _split(pieces[k])
                out.append(eol)
                masked.add(k + 1)
            if shell:
                escapes += _shell_lines(pieces, first + 1)
            return "".join(out), frozenset(masked), tuple(escapes)
    state = _State()
    open_escape: list | None = None  # [line, column, kind, text parts] of a command continued with `\`
    for k in range(start, len(pieces)):
        number = k + 1
        body, eol = _split(pieces[k])
        if open_escape is not None:
            out.append(eol)
            masked.add(number)
            open_escape[3].append(body.strip().removesuffix("\\"))
            if not body.rstrip().endswith("\\"):
                escapes.append(_escape(open_escape, number, len(body) + 1))
                open_escape = None
            continue
        if state.at_statement_start():
            stripped = body.lstrip()
            indent = body[: len(body) - len(stripped)]
            assign = _ASSIGN.match(body)
            automagic = _is_automagic(stripped)
            if stripped.startswith(("%", "!", "?")) or _HELP.match(body) or assign or automagic:
                masked.add(number)
                out.append((assign.group(1) + "..." if assign else indent + "pass") + eol)
                command = body[assign.end() :] if assign else "%" + stripped if automagic else stripped
                if command.startswith(("%", "!")):
                    kind = "shell" if command.startswith("!") else "magic"
                    column = len(body) - len(command) + 1 + automagic
                    entry = [number, column, kind, [command.lstrip("%!").removesuffix("\\")]]
                    if body.rstrip().endswith("\\"):
                        open_escape = entry
                    else:
                        escapes.append(_escape(entry, number, len(body) + 1))
                continue
        out.append(pieces[k])
        state.advance(body)
    if open_escape is not None:
        escapes.append(_escape(open_escape, len(pieces), len(_split(pieces[-1])[0]) + 1))
    return "".join(out), frozenset(masked), tuple(escapes)


def _escape(entry: list, end_line: int, end_column: int) -> Escape:
    line, column, kind, parts = entry
    return Escape(line, column, end_line, end_column, kind, " ".join(p.strip() for p in parts if p.strip()))


def _shell_lines(pieces: list[str], start: int) -> list[Escape]:
    """Each command of a shell cell magic's body (continuation lines joined; comments skipped)."""
    found: list[Escape] = []
    entry: list | None = None
    for k in range(start, len(pieces)):
        body = _split(pieces[k])[0]
        if entry is None:
            stripped = body.lstrip()
            if not stripped or stripped.startswith("#"):
                continue
            entry = [k + 1, len(body) - len(stripped) + 1, "shell", []]
        entry[3].append(body.strip().removesuffix("\\"))
        if not body.rstrip().endswith("\\"):
            found.append(_escape(entry, k + 1, len(body) + 1))
            entry = None
    if entry is not None:
        found.append(_escape(entry, len(pieces), len(_split(pieces[-1])[0]) + 1))
    return found


def mask_ipython(source: str) -> tuple[str, frozenset[int]]:
    """The cell with IPython syntax masked (same lines, unmasked columns kept) and the masked line numbers."""
    masked, lines, _escapes = analyse(source)
    return masked, lines


def ipython_escapes(source: str) -> tuple[Escape, ...]:
    """The shell commands and magics of a cell, in order."""
    return analyse(source)[2]
