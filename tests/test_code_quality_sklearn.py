"""scikit-learn rules beyond the catalogue examples: data-flow corners of MLS017, MLS010's
provenance, and the kinds this family added (ColumnTransformer, FeatureUnion, samplers)."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from mlops_lint import api
from mlops_lint.context.kinds import Kind
from mlops_lint.context.python import PythonContext
from tests.helpers import compact, git_init, write_files


def findings(root: Path, code: str, source: str) -> list[str]:
    git_init(root)
    write_files(root, {"example.py": source})
    report = api.lint([root], api.Overrides(only=(code,)))
    assert not report.errors, report.errors
    return sorted(compact(d).split(" ", 2)[0] + " " + compact(d).split(" ", 2)[1] for d in report.diagnostics)


@pytest.mark.parametrize(
    ("call", "kind"),
    [
        ("ColumnTransformer([])", Kind.TRANSFORMER),
        ("make_column_transformer((StandardScaler(), ['a']))", Kind.TRANSFORMER),
        ("FeatureUnion([])", Kind.TRANSFORMER),
        ("make_union(PCA())", Kind.TRANSFORMER),
        ("SMOTE()", Kind.TRANSFORMER),
        ("make_pipeline(PCA())", Kind.ESTIMATOR),
    ],
)
def test_sklearn_composites_and_samplers_have_kinds(call: str, kind: Kind) -> None:
    source = (
        "from sklearn.compose import ColumnTransformer, make_column_transformer\n"
        "from sklearn.pipeline import FeatureUnion, make_pipeline, make_union\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.decomposition import PCA\n"
        "from imblearn.over_sampling import SMOTE\n"
        f"value = {call}\n"
    )
    context = PythonContext("a.py", cst.parse_module(source))
    statement = context.module.body[-1]
    assert isinstance(statement, cst.SimpleStatementLine)
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign)
    assert context.kinds.of(assign.value) is kind


LEAKS = {
    "rebinding-clears-the-taint": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X = StandardScaler().fit_transform(X)
        X = load_other()
        parts = train_test_split(X, random_state=0)
        """,
        [],
    ),
    "fit-transform-chain": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        X = StandardScaler().fit(X).transform(X)
        a, b = train_test_split(X, random_state=0)
        """,
        ["example.py:3:5: MLS017"],
    ),
    "fit-on-everything-after-the-split": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import RobustScaler
        X_tr, X_te = train_test_split(X, random_state=0)
        scaler = RobustScaler()
        scaler.fit(X)
        X_te = scaler.transform(X_te)
        """,
        ["example.py:5:1: MLS017"],
    ),
    "attribute-on-self": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        class Prep:
            def __init__(self):
                self.scaler = StandardScaler()

            def split(self, X, y):
                X = self.scaler.fit_transform(X)
                return train_test_split(X, y, random_state=0)
        """,
        ["example.py:9:13: MLS017"],
    ),
    "each-function-is-its-own-flow": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler

        def prepare(X):
            return StandardScaler().fit_transform(X)

        def split(X):
            return train_test_split(X, random_state=0)
        """,
        [],
    ),
    "row-subset-is-not-the-whole": (
        """
        from sklearn.model_selection import train_test_split
        from sklearn.preprocessing import StandardScaler
        scaler = StandardScaler().fit(X[:1000])
        X_tr, X_te = train_test_split(X, random_state=0)
        X_te = scaler.transform(X_te)
        """,
        [],
    ),
    "test-output-by-position": (
        """
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        a, b, c, d = train_test_split(X, y, random_state=0)
        LogisticRegression().fit(b, d)
        """,
        ["example.py:4:1: MLS017"],
    ),
    "embedding-of-validation-data-for-a-plot": (
        """
        from sklearn.manifold import TSNE
        from sklearn.preprocessing import LabelEncoder
        points = TSNE(init="pca").fit_transform(X_valid)
        codes = LabelEncoder().fit_transform(y_valid)
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(LEAKS))
def test_leakage_flow(case: str, tmp_path: Path) -> None:
    import textwrap

    source, expected = LEAKS[case]
    assert findings(tmp_path, "MLS017", textwrap.dedent(source).lstrip("\n")) == expected


def test_scaling_pipeline_given_by_keyword(tmp_path: Path) -> None:
    source = (
        "from sklearn.pipeline import Pipeline\n"
        "from sklearn.svm import LinearSVC\n"
        "from sklearn.feature_selection import VarianceThreshold\n"
        "model = Pipeline(steps=[('var', VarianceThreshold()), ('svm', LinearSVC())])\n"
    )
    assert findings(tmp_path, "MLS010", source) == ["example.py:4:63: MLS010"]


def test_scaling_ignores_image_loaders_and_unknown_arrays(tmp_path: Path) -> None:
    source = (
        "import numpy as np\n"
        "from sklearn.datasets import load_digits\n"
        "from sklearn.decomposition import PCA\n"
        "digits = load_digits()\n"
        "PCA(n_components=2).fit(digits.data)\n"
        "PCA(n_components=2).fit(np.load('features.npy'))\n"
    )
    assert findings(tmp_path, "MLS010", source) == []
