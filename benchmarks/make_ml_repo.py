"""Generate a deterministic ML repository for the benchmark suite.

    python benchmarks/make_ml_repo.py /tmp/ml-repo                      # ~300 .py files, 30 notebooks
    python benchmarks/make_ml_repo.py /tmp/tiny --py-files 12 --notebooks 3 --experiments 3

The repository looks like a working ML project: a `src/` package of pandas, scikit-learn and
PyTorch modules, scripts and tests, notebooks (some with plots saved as PNG outputs), a DVC
pipeline (`dvc.yaml`, `dvc.lock`, `params.yaml`, `.dvc` pointers for raw data and a model),
`experiments/exp-NNN-*/experiment.yaml` and a requirements file, committed in two commits (the
first one also carries a `.env` that the second deletes). Most of it is clean; a few findings of
every family are planted on purpose (see PLANTED). Fixed seed, dates and author: the same
arguments always give the same files and the same commit ids.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

PACKAGE = "churnlab"
COLUMNS = ["tenure", "monthly_fee", "support_calls", "usage_minutes", "region_code", "contract_months", "discount"]
AREAS = ["data", "features", "models", "training", "evaluation", "utils"]
PLANTED = {
    "naming": "MLN002 Untitled.ipynb, MLN004 `import pandas as pds`, MLN005 Data-Prep.py, MLN003 model_final.pkl",
    "code-quality": "MLS001 iterrows, MLS002 == np.nan, MLS007 discarded dropna(), MLS019 torch.load",
    "reproducibility": "MLR001 estimator without random_state, MLR005 unpinned requirement, MLR006 /home path",
    "notebooks": "MLJ001 large image outputs, MLJ002 out-of-order cells, MLJ006 unpinned !pip install",
    "data": "MLD002 pointer output not git-ignored, MLD005 stage code not in deps",
    "experiments": "MLE001 folder without experiment.yaml, MLE002 invalid status",
    "git-history": "MLG001 committed .pt model, MLG004 key in the tree, MLG005 .env in history",
}

HEADER = {
    "pandas": "import pandas as pd\n",
    "numpy": "import numpy as np\n",
    "sklearn": (
        "from sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split\n"
        "from sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import StandardScaler\n"
    ),
    "torch": "import torch\nfrom torch import nn\n",
}

PANDAS_BLOCK = '''

def load_{n}(path: str) -> pd.DataFrame:
    """Read the {col} table with explicit column types."""
    return pd.read_csv(path, dtype={{"{col}": "float64", "{col2}": "float64", "customer_id": "string"}})


def clean_{n}(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop incomplete rows and derive the {col} ratio."""
    frame = frame.dropna(subset=["{col}", "{col2}"])
    frame = frame.rename(columns=str.lower)
    frame["{col}_ratio"] = frame["{col}"] / frame["{col2}"].clip(lower=1)
    return frame.loc[frame["{col}"] >= 0].reset_index(drop=True)


def summarise_{n}(frame: pd.DataFrame) -> pd.DataFrame:
    grouped = frame.groupby("region_code", as_index=False)
    return grouped.agg(mean_{col}=("{col}", "mean"), customers=("customer_id", "nunique"))
'''

NUMPY_BLOCK = '''

def standardise_{n}(values: np.ndarray) -> np.ndarray:
    """Zero mean, unit variance; constant columns stay zero."""
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    return (values - values.mean(axis=0)) / spread


def sample_{n}(values: np.ndarray, count: int, seed: int = {seed}) -> np.ndarray:
    generator = np.random.default_rng(seed)
    return values[generator.choice(len(values), size=min(count, len(values)), replace=False)]
'''

SKLEARN_BLOCK = '''

def fit_{n}(features, labels, seed: int = {seed}):
    """Fit a scaled logistic regression and return it with its held-out accuracy."""
    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=0.2, random_state=seed, stratify=labels
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(C={c}, max_iter=500, random_state=seed))
    model.fit(x_train, y_train)
    return model, model.score(x_test, y_test)
'''

TORCH_BLOCK = """

class Net{n}(nn.Module):
    def __init__(self, width: int = {width}) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear({inputs}, width), nn.ReLU(), nn.Dropout(0.1), nn.Linear(width, 2))

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.layers(inputs)


def train_epoch_{n}(model: nn.Module, loader, optimizer, loss_fn) -> float:
    model.train()
    total = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / max(len(loader), 1)


@torch.no_grad()
def evaluate_{n}(model: nn.Module, loader) -> float:
    was_training = model.training
    model.eval()
    correct = 0
    seen = 0
    for inputs, targets in loader:
        correct += (model(inputs).argmax(dim=1) == targets).sum().item()
        seen += len(targets)
    model.train(was_training)
    return correct / max(seen, 1)
"""

BLOCKS = {"pandas": PANDAS_BLOCK, "numpy": NUMPY_BLOCK, "sklearn": SKLEARN_BLOCK, "torch": TORCH_BLOCK}

LEGACY_CLEANING = '''"""Old cleaning code, kept for the quarterly report."""

import numpy as np
import pandas as pds


def legacy_clean(frame: pds.DataFrame) -> pds.DataFrame:
    frame.dropna()
    missing = frame[frame["tenure"] == np.nan]
    for _index, row in frame.iterrows():
        print(row["tenure"], len(missing))
    return frame
'''

TRAIN_BASELINE = '''"""Train the random forest baseline (planted findings for the benchmark)."""

import torch
from sklearn.ensemble import RandomForestClassifier

DATA = "/home/alice/projects/churn/data/train.csv"


def main() -> None:
    warm_start = torch.load("models/checkpoint.pt")
    model = RandomForestClassifier(n_estimators=200, max_depth=8)
    print(DATA, model, warm_start)


if __name__ == "__main__":
    main()
'''

TRAIN_ENTRY = f'''"""Entry point of the `train` stage: python src/{PACKAGE}/train.py."""

import random

import numpy as np
import torch
import yaml

SEED = 20


def main() -> None:
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    with open("params.yaml", encoding="utf-8") as handle:
        params = yaml.safe_load(handle)["train"]
    print("training with", params)


if __name__ == "__main__":
    main()
'''

# made-up keys, planted on purpose (MLG005 in history, MLG004 in the tree)
DOTENV = "WANDB_API_KEY=9a1b2c3d4e5f60718293a4b5c6d7e8f901234567\nDATA_DIR=data/\n"  # mlops-lint: ignore[MLG004]
TRACKING_SH = (
    "#!/bin/sh\nexport WANDB_API_KEY=0f1e2d3c4b5a69788796a5b4c3d2e1f012345678\n"  # mlops-lint: ignore[MLG004]
    "wandb login\n"
)


def _python_files(rng: random.Random, count: int) -> dict[str, str]:
    files: dict[str, str] = {
        f"src/{PACKAGE}/__init__.py": '"""Churn prediction lab."""\n',
        f"src/{PACKAGE}/train.py": TRAIN_ENTRY,
        f"src/{PACKAGE}/legacy_cleaning.py": LEGACY_CLEANING,
        f"src/{PACKAGE}/train_baseline.py": TRAIN_BASELINE,
        f"src/{PACKAGE}/Data-Prep.py": '"""Ad-hoc data preparation."""\n\nCOLUMNS = ["tenure", "monthly_fee"]\n',
    }
    for area in AREAS:
        files[f"src/{PACKAGE}/{area}/__init__.py"] = ""
    index = 0
    while len(files) < count:
        area = AREAS[index % len(AREAS)]
        kinds = rng.sample(sorted(BLOCKS), rng.randint(1, 3))
        folder = f"src/{PACKAGE}/{area}" if index % 5 else ("scripts" if index % 2 else "tests")
        stem = f"{area}_{rng.choice(COLUMNS)}_{index}"
        path = f"{folder}/{'test_' if folder == 'tests' else ''}{stem}.py"
        body = [f'"""{area.capitalize()} helpers, part {index}."""\n\n']
        body += [HEADER[kind] for kind in sorted(kinds)]
        for repeat in range(rng.randint(1, 4)):
            for kind in kinds:
                col, col2 = rng.sample(COLUMNS, 2)
                body.append(
                    BLOCKS[kind].format(
                        n=f"{index}_{repeat}",
                        col=col,
                        col2=col2,
                        seed=rng.randint(1, 9999),
                        c=rng.choice(["0.1", "1.0", "10.0"]),
                        width=rng.choice([32, 64, 128]),
                        inputs=len(COLUMNS),
                    )
                )
        files[path] = "".join(body)
        index += 1
    return files


def _png(rng: random.Random, size: int) -> str:
    """A PNG-looking payload of `size` bytes (signature + pseudo-random body), base64 as notebooks store it."""
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + rng.randbytes(size - 8)).decode()


def _notebook(rng: random.Random, number: int, *, image: int, install: bool, shuffled: bool) -> str:
    col = rng.choice(COLUMNS)
    sources = [
        "import pandas as pd\nimport matplotlib.pyplot as plt",
        f'frame = pd.read_csv("data/raw/customers.csv", dtype={{"{col}": "float64"}})\nframe.describe()',
        f'frame["{col}"].hist(bins=30)\nplt.title("{col}")',
        f'frame.groupby("region_code")["{col}"].mean()',
    ]
    if install:
        sources.insert(0, "!pip install transformers torch")
    counts = list(range(1, len(sources) + 1))
    if shuffled:
        counts[1], counts[2] = counts[2], counts[1]
    cells = []
    for source, count in zip(sources, counts, strict=True):
        outputs: list[dict] = []
        if "hist" in source and image:
            outputs.append(
                {
                    "output_type": "display_data",
                    "data": {"image/png": _png(rng, image), "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                    "metadata": {},
                }
            )
        elif "mean()" in source or "describe" in source:
            rows = [f"{r}    {rng.random() * 100:.3f}\n" for r in range(rng.randint(3, 12))]
            outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": count,
                    "data": {"text/plain": rows},
                    "metadata": {},
                }
            )
        lines = source.splitlines(keepends=True)
        cells.append(
            {
                "cell_type": "code",
                "execution_count": count,
                "id": f"code-{count}",
                "metadata": {},
                "outputs": outputs,
                "source": lines,
            }
        )
    title = {"cell_type": "markdown", "id": "title", "metadata": {}, "source": [f"# Exploration {number}: {col}"]}
    cells.insert(0, title)
    document = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


def _notebooks(rng: random.Random, count: int) -> dict[str, str]:
    files = {}
    for number in range(count):
        big = number % 10 == 3  # a few plots saved at full resolution
        image = 600_000 if big else (rng.randint(15_000, 40_000) if number % 3 == 0 else 0)
        name = (
            "Untitled.ipynb" if number == count - 1 else f"{number // 10}.{number % 10}-jqp-{COLUMNS[number % 7]}.ipynb"
        )
        files[f"notebooks/{name}"] = _notebook(rng, number, image=image, install=number == 1, shuffled=number % 10 == 5)
    return files


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _pipeline(train_code: str, code_paths: list[str], files: dict[str, str]) -> dict[str, str]:
    """dvc.yaml, dvc.lock, params.yaml and .dvc pointers; `train` runs code it does not list in deps."""
    params = "prepare:\n  test_size: 0.2\n  seed: 20\ntrain:\n  n_estimators: 200\n  max_depth: 8\n  seed: 20\n"
    prepare_code = code_paths[0]
    dvc_yaml = (
        "stages:\n"
        "  prepare:\n"
        f"    cmd: python {prepare_code}\n"
        "    deps:\n"
        f"    - {prepare_code}\n"
        "    - data/raw/customers.csv\n"
        "    params:\n"
        "    - prepare.test_size\n"
        "    - prepare.seed\n"
        "    outs:\n"
        "    - data/prepared\n"
        "  train:\n"
        f"    cmd: python {train_code}\n"
        "    deps:\n"
        "    - data/prepared\n"
        "    params:\n"
        "    - train.n_estimators\n"
        "    - train.max_depth\n"
        "    outs:\n"
        "    - models/model_final.pkl\n"
    )
    lock = (
        "schema: '2.0'\n"
        "stages:\n"
        "  prepare:\n"
        f"    cmd: python {prepare_code}\n"
        "    deps:\n"
        f"    - path: {prepare_code}\n"
        f"      hash: md5\n      md5: {_md5(files[prepare_code])}\n      size: {len(files[prepare_code].encode())}\n"
        "    - path: data/raw/customers.csv\n"
        "      hash: md5\n      md5: 473f828a2c2531782e07be0bfb1e2ca0\n      size: 3862\n"
        "    params:\n      params.yaml:\n        prepare.seed: 20\n        prepare.test_size: 0.2\n"
        "    outs:\n"
        "    - path: data/prepared\n"
        "      hash: md5\n      md5: 5c1f8d0b6a7e4f3b2a1908d7c6b5a4f3.dir\n      size: 120844\n      nfiles: 2\n"
        "  train:\n"
        f"    cmd: python {train_code}\n"
        "    deps:\n"
        "    - path: data/prepared\n"
        "      hash: md5\n      md5: 5c1f8d0b6a7e4f3b2a1908d7c6b5a4f3.dir\n      size: 120844\n      nfiles: 2\n"
        "    params:\n      params.yaml:\n        train.max_depth: 8\n        train.n_estimators: 200\n"
        "    outs:\n"
        "    - path: models/model_final.pkl\n"
        "      hash: md5\n      md5: 0d4c8e1f2a3b4c5d6e7f8091a2b3c4d5\n      size: 2048311\n"
    )
    out = {"params.yaml": params, "dvc.yaml": dvc_yaml, "dvc.lock": lock}
    out["data/.gitignore"] = "/prepared\n"
    out["models/.gitignore"] = "/model_final.pkl\n"
    raw = ["customers.csv", "transactions.csv", "support_tickets.csv", "regions.csv"]
    for index, name in enumerate(raw):
        out[f"data/raw/{name}.dvc"] = (
            f"outs:\n- md5: {_md5(name)}\n  size: {3862 + index * 1000}\n  hash: md5\n  path: {name}\n"
        )
    out["data/raw/.gitignore"] = "".join(f"/{name}\n" for name in raw[:-1])  # regions.csv is not ignored
    return out


def experiments(rng: random.Random, count: int, commit: str, dataset: str, md5: str) -> dict[str, str]:
    """experiment.yaml files that point at `commit`; the last one has an invalid status, one folder has none."""
    files = {}
    for number in range(1, count + 1):
        folder = f"exp-{number:03d}-{rng.choice(COLUMNS).replace('_', '-')}"
        status = "finished" if number == count else rng.choice(["planned", "running", "completed", "abandoned"])
        day = f"2024-{1 + number % 12:02d}-{1 + number % 28:02d}"
        dates = {"running": f"started: {day}\n", "abandoned": f"finished: {day}\n"}.get(status, "")
        if status == "completed":
            dates = (
                f"started: {day}\nfinished: {day}\n"
                "metrics:\n  primary: {name: roc_auc, goal: maximize}\n"
                f"  values: {{roc_auc: {0.7 + rng.random() / 10:.4f}}}\n"
            )
        files[f"experiments/{folder}/experiment.yaml"] = (
            "schema_version: 1\n"
            f"id: {folder}\n"
            f"name: Churn experiment {number}\n"
            "owner: jqp\n"
            f"hypothesis: Feature set {number} raises ROC AUC by at least 0.01.\n"
            f"status: {status}\n"
            f"created: {day}\n"
            f"{dates}"
            f'code:\n  commit: "{commit}"\n'
            "dataset:\n"
            "  - name: customers\n"
            f"    pointer: {dataset}\n"
            f"    md5: {md5}\n"
            "params:\n  file: params.yaml\n"
            f"seed: {rng.randint(1, 99)}\n"
            f"resources:\n  budget:\n    gpu_hours: {rng.randint(1, 24)}\n"
        )
    files["experiments/Bigger Vocab/notes.md"] = "Tried a bigger vocabulary; no metadata recorded.\n"
    return files


def build(rng: random.Random, py_files: int, notebooks: int) -> dict[str, str | bytes]:
    """Every file of the first commit (the experiments come in the second, which names the first)."""
    files: dict[str, str | bytes] = {}
    python = _python_files(rng, py_files)
    files.update(python)
    files.update(_notebooks(rng, notebooks))
    code_paths = sorted(path for path in python if path.startswith(f"src/{PACKAGE}/data/") and "__init__" not in path)
    files.update(_pipeline(f"src/{PACKAGE}/train.py", code_paths or [f"src/{PACKAGE}/train.py"], python))
    files["requirements.txt"] = "pandas==2.2.3\nscikit-learn==1.5.2\ntorch\nmatplotlib==3.9.2\npyyaml==6.0.2\n"
    files["README.md"] = "# churnlab\n\nA generated ML repository for mlops-lint's benchmarks.\n"
    files["scripts/tracking.sh"] = TRACKING_SH
    files["models/classifier-v3.pt"] = b"PK\x03\x04" + rng.randbytes(300 * 1024)
    return files


def _write(root: Path, files: dict[str, str | bytes] | dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _git(root: Path, *args: str, when: int) -> None:
    stamp = f"{when} +0000"
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench Author",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench Author",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--py-files", type=int, default=300)
    parser.add_argument("--notebooks", type=int, default=30)
    parser.add_argument("--experiments", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args(argv)
    if args.target.exists():
        print(f"{args.target} exists; remove it first", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    files = build(rng, args.py_files, args.notebooks)
    subprocess.run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(args.target)], check=True)
    _write(args.target, {**files, ".env": DOTENV})
    _git(args.target, "add", "-A", when=1_700_000_000)
    _git(args.target, "commit", "-q", "-m", "Initial import of the churn lab", when=1_700_000_000)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=args.target, capture_output=True, text=True, check=True)
    dataset = "data/raw/customers.csv.dvc"
    md5 = _md5("customers.csv")  # the md5 recorded in that pointer
    _write(args.target, experiments(rng, args.experiments, head.stdout.strip(), dataset, md5))
    _git(args.target, "rm", "-q", ".env", when=1_700_086_400)
    _git(args.target, "add", "-A", when=1_700_086_400)
    _git(args.target, "commit", "-q", "-m", "Record experiments; remove .env", when=1_700_086_400)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
