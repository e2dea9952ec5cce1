"""What a module's `ast` tree mentions, gathered in one walk: the cheap test that decides which
Python rules are worth a libcst parse of the file (`PythonRule.candidate`).

libcst costs about ten times `ast.parse`, and `ast` runs on every file anyway (the syntax check,
the cross-file facts). Most files of an ML repository have no finding of any Python rule, yet
nearly all mention `torch` or `numpy` somewhere, so a text test parses them all. This index
answers sharper questions from the tree the run already has: is a function called that resolves
to `torch.load`, is there a method call `.iterrows()`, a keyword `inplace=`, a chained subscript
assignment, a string that looks like a home folder?

Every answer errs on the side of "yes": a rule's candidate check must be a superset of its
findings (tests/test_candidates.py forces every rule to run and checks that). So qualified names
are resolved the way `context.names.ImportTable` does, and more loosely: a dotted name counts as
each of its import targets, as itself, and as a builtin. Names of every kind (variables,
attributes, parameters, keywords, definitions, import names) land in one `identifiers` set.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from mlops_lint.context.declared_requirements import DeclaredRequirements

from mlops_lint.context.names import resolve_dotted

_T = TypeVar("_T")
_BUILTINS = frozenset(dir(builtins))
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# fields that hold no node worth entering: names, contexts, operators (read where they stand)
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "id", "attr", "name", "asname", "arg", "module", "level", "kind",
                           "type_comment", "conversion", "is_async", "names", "kwd_attrs"})  # fmt: skip
_children: dict[type, tuple[str, ...]] = {type(None): ()}  # `{**a}` has a None key


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None (as `names.dotted_name`)."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


class AstIndex:
    """One module's mentions (see the module docstring). Built by one `ast.walk`; the resolved
    views (`called`, `call_tails`, `import_roots`) are computed on first use.

    The calls are kept by function (`calls_to`) and by method name (`method_calls`), and the tree
    itself (`tree`): a rule whose findings depend on a call's arguments can tell from them, at no
    parse, that none of its calls can be a finding. `declared` is the run's reader of the project's
    requirements (None outside a run: a rule that needs it must then say yes)."""

    def __init__(
        self,
        tree: ast.Module,
        path: str = "",
        notebook: bool = False,
        declared: Callable[[], DeclaredRequirements] | None = None,
    ) -> None:
        self.path = path
        self.notebook = notebook  # the code cells of a notebook (some rules only judge those)
        self.tree = tree
        self._declared = declared
        self._derived: dict[str, Any] = {}
        self.identifiers: set[str] = set()  # every name, attribute, parameter, keyword, def and import name
        self.method_calls: dict[str, list[ast.Call]] = {}  # `x.dropna(...)` -> "dropna" (any receiver)
        self.keywords: set[str] = set()  # `f(inplace=True)` -> "inplace"
        self.strings: list[str] = []  # str constants (f-string pieces included), bytes decoded
        self.statement_call_attrs: set[str] = set()  # method names of calls standing as statements
        self.statement_calls: set[str] = set()  # dotted functions of calls standing as statements
        self.bindings: dict[str, set[str]] = {}  # import bindings: local name -> qualified targets
        self.import_aliases: list[tuple[str, str | None]] = []  # `import m as a` -> (m, a)
        self.chained_subscript_store = False  # `df["a"][0] = v`
        self.equality_comparison = False  # `==` or `!=` somewhere
        self.add_assign_name = False  # `total += loss`
        self._calls: dict[str, list[ast.Call]] = {}  # dotted function -> its calls
        self._walk(tree)

    def _walk(self, tree: ast.Module) -> None:
        """One pass over the tree, by hand: `ast.walk` also visits every `Load()`/`Store()` and
        operator node and goes through two generators per node, which cost twice the work."""
        identifiers, strings, children = self.identifiers, self.strings, _children
        stack: list[ast.AST] = [tree]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            kind = type(node)
            if kind is ast.Name:
                identifiers.add(node.id)  # type: ignore[attr-defined]
                continue
            if kind is ast.Constant:
                value = node.value  # type: ignore[attr-defined]
                if isinstance(value, str):
                    strings.append(value)
                    if not value.isprintable():  # libcst reads f-string text unescaped: `f"\raw"`
                        strings.append(value.encode("unicode_escape").decode("ascii"))
                elif isinstance(value, bytes):
                    strings.append(value.decode("latin-1"))
                continue
            if kind is ast.Attribute:
                identifiers.add(node.attr)  # type: ignore[attr-defined]
            elif kind is ast.Call:
                self._call(node)  # type: ignore[arg-type]
            elif kind is ast.keyword:
                if node.arg is not None:  # type: ignore[attr-defined]
                    identifiers.add(node.arg)  # type: ignore[attr-defined]
                    self.keywords.add(node.arg)  # type: ignore[attr-defined]
            elif kind is ast.arg:
                identifiers.add(node.arg)  # type: ignore[attr-defined]
            elif kind in _DEFINITIONS:
                identifiers.add(node.name)  # type: ignore[attr-defined]
            elif kind is ast.Expr:
                self._statement(node.value)  # type: ignore[attr-defined]
            elif kind is ast.Subscript:
                if isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Subscript):  # type: ignore[attr-defined]
                    self.chained_subscript_store = True
            elif kind is ast.Compare:
                self.equality_comparison |= any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops)  # type: ignore[attr-defined]
            elif kind is ast.AugAssign:
                self.add_assign_name |= isinstance(node.op, ast.Add) and isinstance(node.value, ast.Name)  # type: ignore[attr-defined]
            elif kind is ast.Import:
                self._import(node)  # type: ignore[arg-type]
                continue
            elif kind is ast.ImportFrom:
                self._import_from(node)  # type: ignore[arg-type]
                continue
            fields = children.get(kind)
            if fields is None:
                fields = children[kind] = tuple(f for f in kind._fields if f not in _NOT_CHILDREN)
            for field in fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    extend(value)
                elif value is not None and not isinstance(value, (str, int)):
                    push(value)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            self.method_calls.setdefault(func.attr, []).append(node)
        dotted = _dotted(func)
        if dotted is not None:
            self._calls.setdefault(dotted, []).append(node)

    def _statement(self, value: ast.expr) -> None:
        if isinstance(value, ast.Call):
            if isinstance(value.func, ast.Attribute):
                self.statement_call_attrs.add(value.func.attr)
            dotted = _dotted(value.func)
            if dotted is not None:
                self.statement_calls.add(dotted)

    def _bind(self, local: str, target: str) -> None:
        self.bindings.setdefault(local, set()).add(target)
        self.identifiers.add(local)
        self.identifiers.update(target.lstrip(".").split("."))

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.import_aliases.append((alias.name, alias.asname))
            if alias.asname is not None:
                self._bind(alias.asname, alias.name)
            else:
                root = alias.name.split(".", 1)[0]
                self._bind(root, root)
                self.identifiers.update(alias.name.split("."))

    def _import_from(self, node: ast.ImportFrom) -> None:
        prefix = "." * node.level + (node.module or "")
        for alias in node.names:
            if alias.name == "*":
                continue
            qualified = f"{prefix}.{alias.name}" if prefix and not prefix.endswith(".") else prefix + alias.name
            self._bind(alias.asname or alias.name, qualified)

    # -- resolved views ----------------------------------------------------------------------------

    def qualified(self, dotted: str) -> set[str]:
        """Every name `dotted` may resolve to: through each import of its first name, as itself,
        and as a builtin (a superset of what `ImportTable.qualified` answers)."""
        root, _, rest = dotted.partition(".")
        found = {dotted, f"builtins.{dotted}"} if root in _BUILTINS else {dotted}
        for target in self.bindings.get(root, ()):
            found.add(f"{target}.{rest}" if rest else target)
        return found

    @cached_property
    def called(self) -> frozenset[str]:
        """The qualified names of every called function (`pd.read_csv(...)` -> `pandas.read_csv`)."""
        return frozenset(name for dotted in self._calls for name in self.qualified(dotted))

    @cached_property
    def called_attrs(self) -> frozenset[str]:
        """The method names of every call on any receiver (`x.dropna(...)` -> "dropna")."""
        return frozenset(self.method_calls)

    def calls_to(self, qualified: Iterable[str]) -> Iterator[tuple[ast.Call, frozenset[str]]]:
        """Each call that may resolve to one of `qualified`, with the ones it may resolve to."""
        wanted = frozenset(qualified)
        for dotted, calls in self._calls.items():
            names = wanted.intersection(self.qualified(dotted))
            if names:
                frozen = frozenset(names)
                for call in calls:
                    yield call, frozen

    def derived(self, key: str, compute: Callable[[], _T]) -> _T:
        """A view of the tree that several rules' checks share (the loops, say), computed once."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]  # type: ignore[no-any-return]

    def calls_resolving_to(self, qualified: Iterable[str]) -> Iterator[ast.Call]:
        """Each call whose function resolves to one of `qualified` exactly as libcst rules resolve
        it (`names.ImportTable`: through its imports, else as a builtin or itself), in no order."""
        wanted = frozenset(qualified)
        for dotted, calls in self._calls.items():
            if wanted.intersection(resolve_dotted(dotted, self.bindings.get(dotted.partition(".")[0]), builtin=True)):
                yield from calls

    @property
    def declared_requirements(self) -> DeclaredRequirements | None:
        """The project's declared requirements in a run, None when the index was built without them."""
        return self._declared() if self._declared is not None else None

    @cached_property
    def call_tails(self) -> frozenset[str]:
        """The last part of each called function's qualified names (`s(...)` after
        `from numpy import save as s` gives both `s` and `save`)."""
        return frozenset(name.rsplit(".", 1)[-1] for name in self.called) | self.called_attrs

    @cached_property
    def import_roots(self) -> frozenset[str]:
        return frozenset(t.split(".", 1)[0] for targets in self.bindings.values() for t in targets)

    @cached_property
    def import_tails(self) -> frozenset[str]:
        return frozenset(t.rsplit(".", 1)[-1] for targets in self.bindings.values() for t in targets)

    # -- questions rules ask -------------------------------------------------------------------------

    def uses(self, *libraries: str) -> bool:
        """A name of one of the libraries may appear: imported, or spelled out unimported."""
        return any(library in self.import_roots or library in self.identifiers for library in libraries)

    def mentions(self, names: Iterable[str]) -> bool:
        """Some name, attribute or import ends with one of `names` (`np.nan`, `from math import nan as N`)."""
        return any(name in self.identifiers or name in self.import_tails for name in names)

    def calls(self, qualified: Iterable[str]) -> bool:
        """A call whose function may resolve to one of the qualified names."""
        called = self.called
        return any(name in called for name in qualified)

    def calls_from(self, roots: Iterable[str], tails: Iterable[str] | None = None) -> bool:
        """A call of a function of one of the libraries `roots` (`sklearn.svm.SVC`), optionally
        only one whose last name is in `tails`."""
        roots, wanted = tuple(roots), None if tails is None else frozenset(tails)
        for name in self.called:
            root, _, rest = name.partition(".")
            if root in roots and rest and (wanted is None or name.rsplit(".", 1)[-1] in wanted):
                return True
        return False

    def strings_containing(self, pieces: Iterable[str]) -> bool:
        pieces = tuple(pieces)
        return any(piece in value for value in self.strings for piece in pieces)

    def strings_in_use(self) -> Iterator[str]:
        """The str constants (f-string pieces included) outside strings that stand alone as a
        statement (docstrings, string comments), with what such a string holds; walks the tree."""
        stack: list[ast.AST] = [self.tree]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Expr) and _is_string(node.value):
                continue
            if isinstance(node, ast.Constant):
                if isinstance(node.value, str):
                    yield node.value
                continue
            stack.extend(ast.iter_child_nodes(node))


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))
