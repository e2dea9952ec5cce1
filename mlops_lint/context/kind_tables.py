"""The evidence `kinds` reads: which library calls return a DataFrame, a tensor, an optimizer or
an estimator, which methods keep a kind, and which annotations and parameter names name one.
Data only (and `call_kind`, the lookup over it): what the index does with it is `kinds`' job.
"""

from __future__ import annotations

from enum import Enum


class Kind(str, Enum):
    DATAFRAME = "DataFrame"
    SERIES = "Series"
    NDARRAY = "ndarray"
    TENSOR = "Tensor"
    MODULE = "Module"  # torch.nn.Module
    LOSS_FUNCTION = "LossFunction"  # torch.nn.*Loss instances: calling one gives a loss tensor
    LOSS = "Loss"  # a loss tensor, still attached to its autograd graph
    OPTIMIZER = "Optimizer"
    ESTIMATOR = "Estimator"  # scikit-learn (and xgboost/lightgbm) models
    TRANSFORMER = "Transformer"  # scikit-learn preprocessing with learned state
    DATALOADER = "DataLoader"

    def __str__(self) -> str:
        return self.value


FRAME_LIKE = frozenset({Kind.DATAFRAME, Kind.SERIES})

_PANDAS_FRAME_FACTORIES = {
    "pandas.DataFrame", "pandas.read_csv", "pandas.read_table", "pandas.read_excel", "pandas.read_json",
    "pandas.read_parquet", "pandas.read_feather", "pandas.read_pickle", "pandas.read_sql", "pandas.read_sql_query",
    "pandas.read_sql_table", "pandas.read_hdf", "pandas.read_orc", "pandas.read_stata", "pandas.read_sas",
    "pandas.read_spss", "pandas.read_fwf", "pandas.read_xml", "pandas.read_html", "pandas.merge",
    "pandas.get_dummies", "pandas.pivot_table", "pandas.crosstab", "pandas.json_normalize",
}  # fmt: skip
FRAME_METHODS = {
    "dropna", "fillna", "drop", "drop_duplicates", "rename", "replace", "astype", "sort_values", "sort_index",
    "reset_index", "set_index", "merge", "join", "assign", "copy", "head", "tail", "sample", "query", "filter",
    "reindex", "ffill", "bfill", "interpolate", "clip", "abs", "round", "where", "mask", "transpose",
    "convert_dtypes", "infer_objects", "select_dtypes", "pivot", "pivot_table", "melt", "explode", "nlargest",
    "nsmallest", "rename_axis", "add_prefix", "add_suffix", "set_axis", "isna", "notna", "isnull", "notnull",
    "diff", "pct_change", "shift", "cumsum", "cumprod", "rank", "apply", "map", "applymap", "truncate",
}  # fmt: skip
_TENSOR_FACTORIES = {
    "torch.tensor", "torch.as_tensor", "torch.from_numpy", "torch.zeros", "torch.ones", "torch.empty", "torch.full",
    "torch.rand", "torch.randn", "torch.randint", "torch.randperm", "torch.arange", "torch.linspace", "torch.stack",
    "torch.cat", "torch.zeros_like", "torch.ones_like", "torch.rand_like", "torch.randn_like", "torch.Tensor",
    "torch.FloatTensor", "torch.LongTensor", "torch.matmul", "torch.softmax", "torch.sigmoid", "torch.exp",
}  # fmt: skip
TENSOR_METHODS = {
    "to", "cpu", "cuda", "float", "double", "long", "int", "half", "bool", "view", "reshape", "permute",
    "transpose", "contiguous", "detach", "clone", "squeeze", "unsqueeze", "flatten", "softmax", "sigmoid", "exp",
    "mean", "sum",
}  # fmt: skip
_NUMPY_FACTORIES = {
    "numpy.array", "numpy.asarray", "numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full", "numpy.arange",
    "numpy.linspace", "numpy.load", "numpy.loadtxt", "numpy.genfromtxt", "numpy.concatenate", "numpy.stack",
    "numpy.vstack", "numpy.hstack", "numpy.random.rand", "numpy.random.randn", "numpy.random.random",
}  # fmt: skip
_SKLEARN_TRANSFORMER_MODULES = ("sklearn.preprocessing.", "sklearn.decomposition.", "sklearn.feature_selection.",
                                "sklearn.impute.", "sklearn.feature_extraction.", "sklearn.random_projection.",
                                "sklearn.kernel_approximation.", "sklearn.manifold.",
                                "sklearn.compose.ColumnTransformer", "sklearn.pipeline.FeatureUnion",
                                "imblearn.over_sampling.", "imblearn.under_sampling.", "imblearn.combine.")  # fmt: skip
_SKLEARN_TRANSFORMER_FACTORIES = {"sklearn.compose.make_column_transformer", "sklearn.pipeline.make_union"}
_SKLEARN_ESTIMATOR_MODULES = ("sklearn.linear_model.", "sklearn.ensemble.", "sklearn.svm.", "sklearn.tree.",
                              "sklearn.neighbors.", "sklearn.naive_bayes.", "sklearn.neural_network.",
                              "sklearn.cluster.", "sklearn.discriminant_analysis.", "sklearn.gaussian_process.",
                              "sklearn.kernel_ridge.", "sklearn.mixture.", "sklearn.pipeline.Pipeline",
                              "sklearn.pipeline.make_pipeline", "xgboost.", "lightgbm.", "catboost.")  # fmt: skip
ANNOTATIONS = {
    "pandas.DataFrame": Kind.DATAFRAME,
    "pandas.core.frame.DataFrame": Kind.DATAFRAME,
    "pandas.Series": Kind.SERIES,
    "numpy.ndarray": Kind.NDARRAY,
    "torch.Tensor": Kind.TENSOR,
    "torch.nn.Module": Kind.MODULE,
    "torch.optim.Optimizer": Kind.OPTIMIZER,
    "torch.optim.optimizer.Optimizer": Kind.OPTIMIZER,
    "torch.utils.data.DataLoader": Kind.DATALOADER,
}
# Parameters without annotations named like this are what the name says, in every code base we read.
PARAMETER_NAMES = {"optimizer": Kind.OPTIMIZER, "optim": Kind.OPTIMIZER}


def call_kind(qualified: str) -> Kind | None:
    """The kind returned by calling the function or class with this qualified name."""
    if qualified in _PANDAS_FRAME_FACTORIES:
        return Kind.DATAFRAME
    if qualified == "pandas.Series":
        return Kind.SERIES
    if qualified in _TENSOR_FACTORIES:
        return Kind.TENSOR
    if qualified in _NUMPY_FACTORIES:
        return Kind.NDARRAY
    if qualified.startswith("torch.optim.") and qualified.count(".") == 2 and qualified[12:13].isupper():
        return Kind.OPTIMIZER
    if qualified in ("torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"):
        return Kind.DATALOADER
    if qualified.startswith("torch.nn.") and qualified.rsplit(".", 1)[-1][:1].isupper():
        return Kind.LOSS_FUNCTION if qualified.endswith("Loss") else Kind.MODULE
    if (qualified.startswith("torch.nn.functional.") and qualified.endswith("_loss")) or qualified in (
        "torch.nn.functional.cross_entropy",
        "torch.nn.functional.nll_loss",
        "torch.nn.functional.binary_cross_entropy",
        "torch.nn.functional.binary_cross_entropy_with_logits",
    ):
        return Kind.LOSS
    last = qualified.rsplit(".", 1)[-1]
    if (qualified.startswith(_SKLEARN_TRANSFORMER_MODULES) and last[:1].isupper()) or (
        qualified in _SKLEARN_TRANSFORMER_FACTORIES
    ):
        return Kind.TRANSFORMER
    if (qualified.startswith(_SKLEARN_ESTIMATOR_MODULES) and last[:1].isupper()) or qualified.endswith("make_pipeline"):
        return Kind.ESTIMATOR
    return None
