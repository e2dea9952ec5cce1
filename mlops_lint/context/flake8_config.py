"""flake8's ignore options, read the way flake8 reads them, so that ruff's findings honour them.

flake8 codes and ruff's pyflakes/pycodestyle codes are the same (`F401`, `E902`), and flake8
matches a code by plain prefix (`F4` ignores `F401`), so its options apply to ruff's findings
as they stand. `ignore` and `extend-ignore` hold for every file; `per-file-ignores` pairs
filename patterns with codes; `exclude`/`extend-exclude` are files flake8 never lints. Patterns
follow flake8: one without a slash matches a file or folder name at any depth, one with a slash
matches the path from the folder of the configuration (`*` crosses slashes, as in fnmatch).
Nothing is executed: values are read as text (configparser without interpolation, or TOML).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

_CODE = re.compile(r"[A-Z]+[0-9]*")
_PAIR_TOKEN = re.compile(r"[^\s:,]+|:")
OPTION_NAMES = ("ignore", "extend-ignore", "per-file-ignores", "exclude", "extend-exclude")
EVERY_FILE = (".py", ".pyi", ".ipynb")


@dataclass(frozen=True, slots=True)
class Flake8Ignores:
    """One flake8 configuration (a config file section or a hook's arguments) and where it holds."""

    source: str  # where it was read, for documentation and tests
    folder: str = ""  # repo-relative folder of the configuration ("" is the root)
    suffixes: tuple[str, ...] = EVERY_FILE
    ignore: tuple[str, ...] = ()
    per_file: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()

    def silences(self, path: str, code: str) -> bool:
        """Whether this configuration keeps flake8 from reporting `code` on `path`."""
        inside = _inside(path, self.folder)
        if inside is None or not path.endswith(self.suffixes):
            return False
        if any(_matches(inside, pattern, parents=True) for pattern in self.exclude):
            return True
        if code.startswith(self.ignore):
            return True
        return any(code.startswith(codes) for pattern, codes in self.per_file if _matches(inside, pattern))


def from_options(
    options: Mapping[str, str | Sequence[str]], source: str, folder: str = "", suffixes: tuple[str, ...] | None = None
) -> Flake8Ignores:
    """From option values as flake8 takes them: comma/space separated text, or TOML lists
    (Flake8-pyproject's `[tool.flake8]`). Option names may use `_` for `-`, as flake8 allows."""
    values = {key.replace("_", "-").lower(): value for key, value in options.items()}
    ignore = [*_codes(values.get("ignore")), *_codes(values.get("extend-ignore"))]
    exclude = [*_words(values.get("exclude")), *_words(values.get("extend-exclude"))]
    return Flake8Ignores(
        source=source,
        folder=folder,
        suffixes=suffixes or EVERY_FILE,
        ignore=tuple(ignore),
        per_file=tuple(_pairs(values.get("per-file-ignores"))),
        exclude=tuple(exclude),
    )


def from_arguments(args: Sequence[str], source: str, suffixes: tuple[str, ...]) -> Flake8Ignores:
    """From a hook's command line: `--extend-ignore=E203,F401` or `--extend-ignore E203,F401`."""
    options: dict[str, str] = {}
    items = [str(arg) for arg in args]
    for i, arg in enumerate(items):
        name, sep, value = arg.partition("=")
        key = name.removeprefix("--")
        if not name.startswith("--") or key not in OPTION_NAMES:
            continue
        if not sep:
            value = items[i + 1] if i + 1 < len(items) else ""
        options[key] = f"{options[key]},{value}" if key in options else value
    return from_options(options, source, "", suffixes)


def _words(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    text = value if isinstance(value, str) else ",".join(str(v) for v in value)
    return [word for word in re.split(r"[\s,]+", text) if word]


def _codes(value: str | Sequence[str] | None) -> list[str]:
    return [word for word in _words(value) if _CODE.fullmatch(word)]


def _pairs(value: str | Sequence[str] | Mapping[str, object] | None) -> Iterable[tuple[str, tuple[str, ...]]]:
    """flake8's `filename: codes` pairs; filenames gather until a colon, codes until the next filename."""
    if value is None:
        return []
    if isinstance(value, Mapping):  # a TOML table, as some pyproject plugins allow
        return [(str(k), tuple(_codes(v if isinstance(v, (str, list)) else None))) for k, v in value.items()]
    text = value if isinstance(value, str) else "\n".join(str(v) for v in value)
    found: list[tuple[str, tuple[str, ...]]] = []
    files: list[str] = []
    codes: list[str] = []
    after_colon = False
    for token in _PAIR_TOKEN.findall(text):
        if token == ":":
            after_colon = True
        elif after_colon and _CODE.fullmatch(token):
            codes.append(token)
        elif after_colon:
            found += [(name, tuple(codes)) for name in files]
            files, codes, after_colon = [token], [], False
        else:
            files.append(token)
    found += [(name, tuple(codes)) for name in files if after_colon]
    return found


def _inside(path: str, folder: str) -> str | None:
    if not folder:
        return path
    return path[len(folder) + 1 :] if path.startswith(folder + "/") else None


def _matches(path: str, pattern: str, parents: bool = False) -> bool:
    """flake8's filename match. With `parents`, a pattern naming a folder covers what it holds
    (flake8 prunes excluded folders while it walks the tree)."""
    pattern = pattern.rstrip("/")
    if "/" in pattern:
        pattern = posixpath.normpath(pattern).removeprefix("./")
    parts = path.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))] if parents else [path]
    for candidate in candidates:
        name = candidate.rsplit("/", 1)[-1]
        if fnmatchcase(candidate, pattern) or ("/" not in pattern and fnmatchcase(name, pattern)):
            return True
    return False
