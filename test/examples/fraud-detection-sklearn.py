"""Fits the fraud-detection example's two model versions with scikit-learn on the same split and
features as examples/fraud-detection/model.ts, from the README's description, and prints the holdout
ROC AUC and the weights of each as JSON. Usage: python3 fraud-detection-sklearn.py transactions.csv"""
import csv
import json
import math
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

CATEGORIES = ["grocery", "restaurant", "fuel", "online_retail", "electronics", "travel", "entertainment"]
TRAINING_ROWS = 15000
BASE = [
    ("amount", math.log1p),
    ("hour", float),
    ("distance_km", math.log1p),
    ("card_present", float),
    ("velocity_1h", float),
    ("account_age_days", math.log1p),
]
VERSIONS = {
    "1": {"ridge": 1.0, "terms": BASE},
    "2": {"ridge": 10.0, "terms": BASE + [("hour", lambda hour: 1.0 if hour < 6 else 0.0)]},
}

with open(sys.argv[1], newline="") as file:
    rows = list(csv.DictReader(file))
labels = np.array([int(row["fraud"]) for row in rows])
one_hot = np.array([[1.0 if row["merchant_category"] == c else 0.0 for c in CATEGORIES] for row in rows])

result = {}
for version, spec in VERSIONS.items():
    numeric = np.array([[f(float(row[name])) for name, f in spec["terms"]] for row in rows])
    train = numeric[:TRAINING_ROWS]
    mean, scale = train.mean(axis=0), train.std(axis=0)
    x = np.hstack([(numeric - mean) / scale, one_hot])
    model = LogisticRegression(C=1 / spec["ridge"], solver="lbfgs", tol=1e-10, max_iter=10000)
    model.fit(x[:TRAINING_ROWS], labels[:TRAINING_ROWS])
    scores = model.predict_proba(x[TRAINING_ROWS:])[:, 1]
    result[version] = {
        "holdoutRocAuc": roc_auc_score(labels[TRAINING_ROWS:], scores),
        "intercept": float(model.intercept_[0]),
        "weights": [float(w) for w in model.coef_[0]],
    }
print(json.dumps(result))
