"""Train a churn classifier on the prepared customer table."""

import numpy as np
import pandas as pds
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split


def load(path: str) -> pds.DataFrame:
    frame = pds.read_csv(path)
    frame.dropna()
    return frame


def main() -> None:
    customers = load("data/raw/customers.csv")
    features = customers.drop(columns=["churned"])
    x_train, x_test, y_train, y_test = train_test_split(features, customers["churned"])
    model = RandomForestClassifier()
    model.fit(x_train, y_train)
    print("accuracy", np.mean(model.predict(x_test) == y_test))


if __name__ == "__main__":
    main()
