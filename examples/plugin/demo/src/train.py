"""Train the churn model."""

from sklearn.linear_model import LogisticRegression


def main(features, labels):
    model = LogisticRegression(C=0.5)
    model.fit(features, labels)
    return model
