"""Start-up stays light: libcst and jsonschema are imported only when a run needs them."""

from __future__ import annotations

import subprocess
import sys

from mlops_lint.lazy import LazyModule


def _loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_the_command_line_imports_neither_libcst_nor_jsonschema() -> None:
    loaded = _loaded_after("import mlops_lint.cli, mlops_lint.api, mlops_lint.registry\nmlops_lint.registry.registry()")
    assert "libcst" not in loaded
    assert "jsonschema" not in loaded


def test_entry_points_are_read_only_when_a_plugin_is_installed() -> None:
    """Start-up never imports `importlib.metadata`; loading the rules does only when some installed
    distribution declares a `mlops_lint.plugins` entry point (tests/test_plugins.py installs one)."""
    assert "importlib.metadata" not in _loaded_after("import mlops_lint.cli, mlops_lint.api, mlops_lint.registry")
    assert "importlib.metadata" not in _loaded_after("import mlops_lint.registry\nmlops_lint.registry.registry()")


def test_a_warm_run_on_a_repository_without_python_parses_never_imports_libcst(tmp_path) -> None:
    (tmp_path / "README.md").write_text("# x\n", encoding="utf-8")
    (tmp_path / "train.py").write_text("print('hi')\n", encoding="utf-8")  # no rule can fire: not parsed
    code = f"from pathlib import Path\nfrom mlops_lint.api import lint\nlint([Path({str(tmp_path)!r})])"
    assert "libcst" not in _loaded_after(code)


def test_the_stand_in_imports_on_first_use_and_then_is_the_module() -> None:
    lazy = LazyModule("json")
    assert lazy.dumps([1]) == "[1]"
    assert lazy.loads is __import__("json").loads  # copied onto the stand-in
    try:
        lazy.no_such_name  # noqa: B018
    except AttributeError as exc:
        assert "json" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
