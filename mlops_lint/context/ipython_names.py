"""Names that IPython, Jupyter and their configuration files provide without a Python binding.

A notebook runs in IPython's namespace: `_`, `In`, `Out`, `get_ipython` and `display` exist
there, and magics bind names of their own (`%time X = f()`, `%%capture out`, `%store -r X`).
Some magics bring in names no reader can list (`%run script.py`, a bare `%store -r`,
`%pylab`, `%load`): the notebook is then opaque and no name in it can be called undefined.
Jupyter and IPython configuration files (`jupyter_notebook_config.py`, `ipython_config.py`)
are executed with `c` (and `get_config`, `load_subconfig`) provided by the loader.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

from mlops_lint.context.ipython import ipython_escapes

# IPython's user namespace (IPython.core.interactiveshell.init_user_ns and the display hook)
INJECTED = frozenset(
    {"In", "Out", "_", "__", "___", "_i", "_ii", "_iii", "_ih", "_oh", "_dh", "get_ipython", "display", "exit", "quit"}
)
INJECTED_NUMBERED = re.compile(r"^_i?[0-9]+$")  # `_5` (output 5), `_i5` (input 5)
CONFIG_NAMES = frozenset({"c", "get_config", "load_subconfig"})
_CONFIG_FILE = re.compile(r"^(?:jupyter(?:hub)?(?:_[a-z_]+)?_config|ipython(?:_[a-z_]+)?_config)\.py$")
OPAQUE_MAGICS = frozenset({"run", "load", "pylab"})
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass(frozen=True, slots=True)
class NotebookNames:
    """What the IPython commands of one notebook bind."""

    bound: frozenset[str] = frozenset()
    opaque: str | None = None  # the magic that injects unknown names, if any

    def provides(self, name: str) -> bool:
        return self.opaque is not None or name in self.bound or name in INJECTED or bool(INJECTED_NUMBERED.match(name))


def is_config_file(path: str) -> bool:
    """A Jupyter/IPython configuration file, which its loader runs with `c` defined."""
    return bool(_CONFIG_FILE.match(path.rsplit("/", 1)[-1]))


def notebook_names(code_cells: Iterable[str]) -> NotebookNames:
    bound: set[str] = set()
    opaque = None
    for source in code_cells:
        for escape in ipython_escapes(source):
            if escape.kind != "magic":
                continue
            name, _, rest = escape.text.lstrip("%").partition(" ")
            rest = rest.strip()
            if name in OPAQUE_MAGICS or (name == "store" and rest.split() == ["-r"]):
                opaque = opaque or f"%{name}"
            elif name == "store" and rest.startswith("-r"):
                bound.update(_WORD.findall(rest[2:]))
            elif name == "capture":
                words = [word for word in rest.split() if not word.startswith("-")]
                bound.update(words[:1])
            elif name == "time":
                bound.update(_assigned(rest))
    return NotebookNames(frozenset(bound), opaque)


def _assigned(statement: str) -> set[str]:
    """The names a `%time` statement binds (`%time X = f()` assigns X in the notebook)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(statement)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
