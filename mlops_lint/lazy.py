"""libcst, imported on first use rather than at start-up.

Importing libcst builds some 270 node dataclasses: about 0.25 s, half of the start-up of a run.
A run whose Python files all come from the result cache, or whose files cannot trigger any
Python rule, never needs it, so the modules that use libcst bind `cst` to a stand-in that
imports the real module the first time one of its names is read:

    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        import libcst as cst
    else:
        from mlops_lint.lazy import libcst as cst

Type checkers see the real module; at run time the first `cst.Name` imports libcst and copies its
names onto the stand-in, so later lookups are plain attribute reads, as fast as on the module.
Only names read inside functions may go through the stand-in; a module-level `cst.X` would import
libcst at start-up again (a test holds the start-up free of libcst). The process pool imports it
once in the parent before forking (`preload`), so the workers do not each pay for it.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A stand-in for a module, imported on the first attribute read."""

    def __init__(self, name: str) -> None:
        self._lazy_name = name

    def __getattr__(self, attribute: str) -> Any:  # only called for names not copied yet
        module = self._load()
        try:
            return getattr(module, attribute)
        except AttributeError:
            raise AttributeError(f"module {self._lazy_name!r} has no attribute {attribute!r}") from None

    def _load(self) -> ModuleType:
        module = importlib.import_module(self._lazy_name)
        self.__dict__.update(vars(module))
        self.__dict__["_lazy_module"] = module
        return module

    @property
    def loaded(self) -> bool:
        return "_lazy_module" in self.__dict__

    def __repr__(self) -> str:
        return f"<lazy module {self._lazy_name!r}>"


libcst = LazyModule("libcst")


def preload() -> None:
    """Import libcst now: before forking workers that will all need it, and before a file's time
    limit starts (importing libcst is not the file's fault)."""
    if not libcst.loaded:
        libcst._load()  # libcst imports its `metadata` package too: modules read `cst.metadata.X`
