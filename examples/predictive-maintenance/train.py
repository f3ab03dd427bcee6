"""Trains the predictive-maintenance model on the AI4I 2020 data set (ai4i2020.csv).

A scikit-learn pipeline: the numeric process readings standardised, the product Type one-hot
encoded, and a random forest predicting "Machine failure". The failure-mode columns (TWF, HDF, PWF,
OSF, RNF) are left out on purpose: they say *why* a machine failed, so they are only known after the
failure and would leak the label. UDI and Product ID are row identifiers, not features.

Deterministic by construction: a seeded stratified holdout split, a seeded forest on one core, and
outputs written in row order, so the same data, code and library versions give the same predictions
file, byte for byte.

    python3 train.py --data ai4i2020.csv --model model.pkl --predictions predictions.csv --seed 42

The seed may also come from the environment (SEED=42), which is how `warden capture --seed SEED=42`
hands it over. Runs with Debian's python3-sklearn.
"""

import argparse
import csv
import os
import pickle
import sys

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import recall_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

NUMERIC = [
    "Air temperature [K]",
    "Process temperature [K]",
    "Rotational speed [rpm]",
    "Torque [Nm]",
    "Tool wear [min]",
]
CATEGORICAL = ["Type"]
TARGET = "Machine failure"
HOLDOUT_FRACTION = 0.25
# Failures are rare (3.4 %): a machine flagged a little too early costs an inspection, a missed
# failure costs a breakdown, so the model flags a failure from this probability on.
DECISION_THRESHOLD = 0.3


def read_rows(path):
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        sys.exit(f"train.py: cannot read the data {path}: {error.strerror}")
    missing = [c for c in ["UDI", TARGET, *NUMERIC, *CATEGORICAL] if rows and c not in rows[0]]
    if not rows or missing:
        sys.exit(f"train.py: {path} lacks the columns {', '.join(missing) or 'and rows'}")
    return rows


def features(rows):
    return [[float(row[c]) for c in NUMERIC] + [row[c] for c in CATEGORICAL] for row in rows]


def build_pipeline(seed):
    columns = list(range(len(NUMERIC)))
    categorical = list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))
    return Pipeline(
        [
            (
                "prepare",
                ColumnTransformer(
                    [
                        ("numeric", StandardScaler(), columns),
                        ("type", OneHotEncoder(categories=[["L", "M", "H"]]), categorical),
                    ]
                ),
            ),
            (
                "forest",
                RandomForestClassifier(
                    n_estimators=100,
                    min_samples_leaf=2,
                    class_weight="balanced_subsample",
                    random_state=seed,
                    n_jobs=1,
                ),
            ),
        ]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="ai4i2020.csv")
    parser.add_argument("--model", default="model.pkl")
    parser.add_argument("--predictions", default="predictions.csv")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SEED", "42")))
    args = parser.parse_args()

    rows = read_rows(args.data)
    labels = [int(row[TARGET]) for row in rows]
    train_rows, holdout_rows, train_labels, holdout_labels = train_test_split(
        rows, labels, test_size=HOLDOUT_FRACTION, stratify=labels, random_state=args.seed
    )
    model = build_pipeline(args.seed).fit(features(train_rows), train_labels)
    scores = model.predict_proba(features(holdout_rows))[:, 1]
    predicted = [int(score >= DECISION_THRESHOLD) for score in scores]

    # pickle at a fixed protocol: the same fitted model gives the same bytes.
    with open(args.model, "wb") as handle:
        pickle.dump(model, handle, protocol=4)
    order = sorted(range(len(holdout_rows)), key=lambda i: int(holdout_rows[i]["UDI"]))
    with open(args.predictions, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", "actual", "score", "prediction", "Type"])
        for i in order:
            row = holdout_rows[i]
            writer.writerow([row["UDI"], holdout_labels[i], repr(float(scores[i])), predicted[i], row["Type"]])

    print(
        f"trained a random forest on {len(train_rows)} rows (seed {args.seed}); holdout of {len(holdout_rows)}: "
        f"ROC AUC {roc_auc_score(holdout_labels, scores):.4f}, "
        f"failure recall {recall_score(holdout_labels, predicted):.4f} at threshold {DECISION_THRESHOLD}"
    )


if __name__ == "__main__":
    main()
