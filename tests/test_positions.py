"""`positions.node_ranges` gives exactly libcst's PositionProvider ranges, for any node asked."""

from __future__ import annotations

import random
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mlops_lint.context import positions
from mlops_lint.context.positions import node_ranges

ROOT = Path(__file__).resolve().parent.parent

TRICKY = '''\
@decorator
# a comment between
@other(1,
       2)
def f(a, b=(1,
            2)):  # trailing
    """Doc."""
    if a:
        return [x for x in b
                if x]
    elif b: pass
    else:
        try:
            y = a ; z = b
        except (ValueError,
                TypeError) as e:
            raise
        finally:
            pass
    return f"{a!r:>{b}}"\r
class C(Base, metaclass=M):
    x: int = 1
    def g(self): return self.x
'''


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    module.visit(Collect())
    return found


def _check(source: str, sample: int | None = None) -> None:
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = _all_nodes(module)
    if sample is not None:
        nodes = random.Random(0).sample(nodes, min(sample, len(nodes)))
    assert node_ranges(module, nodes) == {node: expected[node] for node in nodes}
    for node in nodes[:50]:  # one at a time: each stops early, after its node
        assert node_ranges(module, [node]) == {node: expected[node]}


def test_every_node_of_tricky_code() -> None:
    _check(TRICKY)


def test_crlf_and_no_final_newline() -> None:
    _check("x = 1\r\nif x:\r\n    y = (1,\r\n         2)\r\nz = 3")


def test_sampled_nodes_of_this_projects_sources() -> None:
    for path in sorted((ROOT / "mlops_lint" / "context").glob("*.py"))[:6]:
        _check(path.read_text(encoding="utf-8"), sample=300)


def test_generation_stops_after_the_last_wanted_node(monkeypatch) -> None:
    module = cst.parse_module("a = 1\n" + "b = 2\n" * 2000)
    first = module.body[0]
    advanced = 0
    state_class = positions._state_class()
    original = state_class._advance

    def counting(self: object, value: str) -> None:
        nonlocal advanced
        advanced += 1
        original(self, value)

    monkeypatch.setattr(state_class, "_advance", counting)
    node_ranges(module, [first])
    assert 0 < advanced < 20


def test_a_node_not_in_the_module_is_left_out() -> None:
    module = cst.parse_module("x = 1\n")
    assert node_ranges(module, [cst.Name("elsewhere")]) == {}
