"""The one walk over a module that feeds `KindIndex`: what each assignment target receives, what
`self.x` is set to per class, each node's parent and each name's scope. It writes the index's
own tables (it is the index's builder, kept apart only for size).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlops_lint.context.cst_walk import children

if TYPE_CHECKING:
    import libcst as cst

    from mlops_lint.context.kinds import KindIndex
else:
    from mlops_lint.lazy import libcst as cst  # imported on first use: see mlops_lint.lazy


class BindingCollector:
    """Record what value each assignment target receives, what `self.x` is set to per class, each
    node's parent and each name's scope, in one walk over the module (`collect`)."""

    def __init__(self, index: KindIndex) -> None:
        self.index = index
        self.classes: list[cst.ClassDef] = []

    def collect(self, module: cst.Module) -> None:
        """Depth first, in source order, with a leave event after each node's children. A plain
        walk over the nodes' fields (`cst_walk.children`): several times cheaper than a libcst visit,
        and parents come for free (libcst's ParentNodeProvider would walk the tree once more)."""
        parents = self.index.parents
        stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self.leave(node)
                continue
            self.enter(node)
            stack.append((node, True))
            for child in reversed(children(node)):
                parents[child] = node
                stack.append((child, False))

    def enter(self, node: cst.CSTNode) -> None:
        self.index._builder.enter(node)
        if isinstance(node, cst.ClassDef):
            self.visit_class(node)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind(target.target, node.value)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self._bind(node.target, node.value)

    def leave(self, node: cst.CSTNode) -> None:
        self.index._builder.leave(node)
        if isinstance(node, cst.ClassDef):
            self.classes.pop()

    def visit_class(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        bases = []
        for arg in node.bases:
            names = self.index.qualified_names(arg.value)
            bases.extend(names or ({arg.value.value} if isinstance(arg.value, cst.Name) else set()))
        self.index._module_classes[node.name.value] = bases

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.index._values[target] = (value, None)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for position, element in enumerate(target.elements):
                if isinstance(element.value, cst.Name):
                    self.index._values[element.value] = (value, position)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and target.value.value == "self"
            and self.classes
        ):
            self.index._attributes.setdefault((self.classes[-1], target.attr.value), []).append(value)
