"""Every Python rule on notebook cells: positions through magics, fixes written back into the JSON
byte-for-byte, suppression comments in cells, a broken cell that does not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_lint import api
from tests.helpers import compact, git_init, make_notebook

MAGICS = [
    {"cell_type": "markdown", "source": "# Churn analysis\n"},
    "%matplotlib inline\n!pip install pandas==2.2.2\nimport pandas as pd\nimport numpy as np\n",
    "%%time\ndf = pd.read_csv('data.csv', dtype=str)\ndf[df.age == np.nan]\n",
    "%%bash\nls data/\n",
    "x = df.values\n!echo done\ny = df.values  # noqa: MLS009\n",
]


def _lint(root: Path, *codes: str) -> list[str]:
    report = api.lint([root], api.Overrides(select=codes, history="none"))
    return [compact(d) for d in report.diagnostics]


def test_findings_before_and_after_magics_have_cell_positions(tmp_path: Path) -> None:
    git_init(tmp_path)
    (tmp_path / "churn.ipynb").write_text(make_notebook(MAGICS), encoding="utf-8")
    assert _lint(tmp_path, "MLS002", "MLS009", "MLX001") == [
        "churn.ipynb:cell 3:3:4: MLS002 Comparison '== np.nan' is always False; use pd.isna() to test for missing "
        "values",
        "churn.ipynb:cell 5:1:5: MLS009 Use .to_numpy() instead of .values on a DataFrame",
    ]


def test_a_fix_changes_only_the_edited_cell_source(tmp_path: Path) -> None:
    git_init(tmp_path)
    original = make_notebook(MAGICS)
    (tmp_path / "churn.ipynb").write_text(original, encoding="utf-8")
    api.fix([tmp_path], api.Overrides(select=("MLS009",), history="none"))
    fixed = (tmp_path / "churn.ipynb").read_text(encoding="utf-8")
    assert fixed == original.replace('"x = df.values\\n"', '"x = df.to_numpy()\\n"')
    assert json.loads(fixed)["cells"][4]["source"][0] == "x = df.to_numpy()\n"
    again = api.fix([tmp_path], api.Overrides(select=("MLS009",), history="none"))
    assert again.touched == []


def test_a_cell_that_does_not_parse_is_reported_and_the_rest_is_checked(tmp_path: Path) -> None:
    git_init(tmp_path)
    cells = [
        "import pandas as pd\ndf = pd.read_csv('d.csv', dtype=str)\n",
        "def broken(:\n    pass\n",
        "v = df.values\n",
    ]
    (tmp_path / "nb.ipynb").write_text(make_notebook(cells), encoding="utf-8")
    assert _lint(tmp_path, "MLS009", "MLX001") == [
        "nb.ipynb:cell 2:1:12: MLX001 File cannot be parsed: SyntaxError: invalid syntax",
        "nb.ipynb:cell 3:1:5: MLS009 Use .to_numpy() instead of .values on a DataFrame",
    ]


def test_the_last_expression_of_a_cell_is_displayed_not_discarded(tmp_path: Path) -> None:
    git_init(tmp_path)
    cells = [
        "import pandas as pd\ndf = pd.read_csv('d.csv', dtype=str)\ndf.dropna()\n",
        "df.dropna()\nn = len(df)\n",
        "df.head(); df.dropna()\n",
    ]
    (tmp_path / "nb.ipynb").write_text(make_notebook(cells), encoding="utf-8")
    assert [line.split(" Result")[0] for line in _lint(tmp_path, "MLS007")] == ["nb.ipynb:cell 2:1:1: MLS007"]


def test_ignore_file_in_any_cell_silences_the_notebook(tmp_path: Path) -> None:
    git_init(tmp_path)
    cells = ["# mlops-lint: ignore-file[MLS009]\nimport pandas as pd\n", "df = pd.DataFrame()\nv = df.values\n"]
    (tmp_path / "nb.ipynb").write_text(make_notebook(cells), encoding="utf-8")
    assert _lint(tmp_path, "MLS009") == []


def test_ruffs_findings_in_notebooks_carry_the_cell(tmp_path: Path) -> None:
    git_init(tmp_path)
    cells = [{"cell_type": "markdown", "source": "# t\n"}, "import os\nx = undefined_a\n"]
    (tmp_path / "nb.ipynb").write_text(make_notebook(cells), encoding="utf-8")
    report = api.lint([tmp_path], api.Overrides(select=("ruff",), history="none"))
    assert [compact(d) for d in report.diagnostics] == [
        "nb.ipynb:cell 2:1:8: F401 `os` imported but unused",
        "nb.ipynb:cell 2:2:5: F821 Undefined name `undefined_a`",
    ]
    assert all(d.fix is None for d in report.diagnostics)  # ruff's cell-relative edits are not applied
