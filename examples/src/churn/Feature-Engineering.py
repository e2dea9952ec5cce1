"""Feature engineering helpers (the file name cannot be imported)."""

import pandas as pd


def tenure_years(frame: pd.DataFrame) -> pd.Series:
    return frame["tenure_months"] / 12
