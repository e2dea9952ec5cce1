"""Which repository files a shell command runs: `python src/train.py`, `python -m pkg.train`, `bash x.sh`.

Used to find pipeline entry points (dvc.yaml stages, MLproject entry points) without running
anything. Commands that cannot be resolved (`make report`) yield nothing.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterable, Iterator

_PYTHON = re.compile(r"^(python[0-9.]*|py)$")
_SHELLS = {"bash", "sh", "zsh", "Rscript", "Rscript.exe"}
_SEPARATORS = {"&&", "||", ";", "|"}
_PYTHON_FLAGS_WITH_VALUE = {"-W", "-X", "-c"}


def _words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=False, posix=True)
    except ValueError:
        return command.split()


def _segments(words: list[str]) -> Iterator[list[str]]:
    current: list[str] = []
    for word in words:
        if word in _SEPARATORS:
            if current:
                yield current
            current = []
        else:
            current.append(word)
    if current:
        yield current


def scripts_in_command(command: str, module_paths: Iterable[str] = ()) -> list[tuple[str, str]]:
    """[(kind, target)] for each program the command runs: ('file', 'src/train.py') or
    ('module', 'pkg.train'). Paths are as written (relative to the command's working directory)."""
    found: list[tuple[str, str]] = []
    for segment in _segments(_words(command)):
        while segment and "=" in segment[0] and not segment[0].startswith(("-", "/", ".")):
            segment = segment[1:]  # VAR=value prefixes
        if not segment:
            continue
        program = posixpath.basename(segment[0])
        rest = segment[1:]
        if _PYTHON.match(program):
            index = 0
            while index < len(rest) and rest[index].startswith("-"):
                flag = rest[index]
                if flag == "-m" and index + 1 < len(rest):
                    found.append(("module", rest[index + 1]))
                    break
                if flag == "-c":
                    break
                index += 2 if flag in _PYTHON_FLAGS_WITH_VALUE else 1
            else:
                if index < len(rest):
                    found.append(("file", rest[index]))
        elif program in _SHELLS and rest and not rest[0].startswith("-"):
            found.append(("file", rest[0]))
        elif segment[0].startswith("./") or segment[0].endswith((".py", ".sh")):
            found.append(("file", segment[0]))
    return found


def module_to_paths(module: str, roots: Iterable[str] = ("", "src/")) -> list[str]:
    """Candidate files for a dotted module name: `pkg/mod.py`, `pkg/mod/__init__.py`, `pkg/mod/__main__.py`."""
    rel = module.replace(".", "/")
    candidates = []
    for root in roots:
        candidates += [f"{root}{rel}.py", f"{root}{rel}/__main__.py", f"{root}{rel}/__init__.py"]
    return candidates
