"""Reproducibility rules beyond the catalogue examples: the random_state fix on awkward layouts,
the seed constant's visibility, nested ensembles, and path literals in f-strings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mlops_lint import api
from tests.helpers import compact, git_init, write_files


def lint(root: Path, code: str, source: str) -> list[str]:
    git_init(root)
    write_files(root, {"example.py": textwrap.dedent(source).lstrip("\n")})
    report = api.lint([root], api.Overrides(only=(code,)))
    assert not report.errors, report.errors
    return sorted(" ".join(compact(d).split(" ", 2)[:2]) for d in report.diagnostics)


def fixed(root: Path, source: str) -> str:
    lint(root, "MLR001", source)
    api.fix([root], api.Overrides(only=("MLR001",)), unsafe=True)
    return (root / "example.py").read_text(encoding="utf-8")


FIXES = {
    "multi-line-without-trailing-comma": (
        """
        from sklearn.ensemble import RandomForestClassifier

        def build():
            return RandomForestClassifier(n_estimators=10,
                                          max_depth=(3))
        """,
        """
        from sklearn.ensemble import RandomForestClassifier

        def build():
            return RandomForestClassifier(n_estimators=10,
                                          max_depth=(3), random_state=42)
        """,
    ),
    "nested-block-one-argument-a-line": (
        """
        from sklearn.model_selection import train_test_split

        SEED = 0

        if __name__ == "__main__":
            for frac in (0.1, 0.2):
                parts = train_test_split(
                    X,
                    y,
                    test_size=frac,
                )
        """,
        """
        from sklearn.model_selection import train_test_split

        SEED = 0

        if __name__ == "__main__":
            for frac in (0.1, 0.2):
                parts = train_test_split(
                    X,
                    y,
                    test_size=frac,
                    random_state=SEED,
                )
        """,
    ),
    "hanging-arguments-with-a-comment": (
        """
        from sklearn.ensemble import AdaBoostClassifier

        grid = search(AdaBoostClassifier(n_estimators=50,  # many weak learners
                                         learning_rate=0.5,
                                         ), grid)
        """,
        """
        from sklearn.ensemble import AdaBoostClassifier

        grid = search(AdaBoostClassifier(n_estimators=50,  # many weak learners
                                         learning_rate=0.5,
                                         random_state=42,
                                         ), grid)
        """,
    ),
    "trailing-comment-on-the-last-keyword": (
        """
        from sklearn.ensemble import AdaBoostClassifier

        model = AdaBoostClassifier(estimator=None,  # a decision stump
        )
        """,
        """
        from sklearn.ensemble import AdaBoostClassifier

        model = AdaBoostClassifier(random_state=42, estimator=None,  # a decision stump
        )
        """,
    ),
    "one-argument-a-line-without-trailing-comma": (
        """
        from sklearn.tree import DecisionTreeClassifier

        tree = DecisionTreeClassifier(
            max_depth=3,
            min_samples_leaf=5
        )
        """,
        """
        from sklearn.tree import DecisionTreeClassifier

        tree = DecisionTreeClassifier(
            max_depth=3,
            min_samples_leaf=5,
            random_state=42
        )
        """,
    ),
    "empty-call-and-annotated-constant": (
        """
        from sklearn.cluster import KMeans

        RANDOM_STATE: int = 3
        km = KMeans()
        """,
        """
        from sklearn.cluster import KMeans

        RANDOM_STATE: int = 3
        km = KMeans(random_state=RANDOM_STATE)
        """,
    ),
}


@pytest.mark.parametrize("case", sorted(FIXES))
def test_random_state_fix_keeps_layout(case: str, tmp_path: Path) -> None:
    before, after = FIXES[case]
    assert fixed(tmp_path, before) == textwrap.dedent(after).lstrip("\n")


def test_ensembles_seed_their_sub_estimators(tmp_path: Path) -> None:
    source = """
        from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier, VotingClassifier
        from sklearn.tree import DecisionTreeClassifier

        bag = BaggingClassifier(DecisionTreeClassifier(), n_estimators=50, random_state=0)
        ada = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1))
        vote = VotingClassifier([("tree", DecisionTreeClassifier())])
    """
    assert lint(tmp_path, "MLR001", source) == ["example.py:5:7: MLR001", "example.py:6:35: MLR001"]


@pytest.mark.parametrize(
    ("literal", "reported"),
    [
        ('f"C:\\\\Users\\\\{user}\\\\data"', True),
        ('rf"C:\\Users\\{user}"', True),
        ('f"{root}/home/alice/"', False),
        ('"/home/alice"', False),
        ('"~/"', False),
        ('"~/Library/Caches"', False),
        ('"/root/.cache/torch"', True),
        ('b"/home/alice/x"', False),
        ('"/mnt/c/Users/bob/data"', True),
    ],
)
def test_path_literals(literal: str, reported: bool, tmp_path: Path) -> None:
    found = lint(tmp_path, "MLR006", f"path = {literal}\n")
    assert found == (["example.py:1:8: MLR006"] if reported else [])
