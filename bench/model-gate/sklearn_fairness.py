"""The model gate's metrics in Python, computed the way a scikit-learn + Fairlearn user gets them:
pd.read_csv, the overall metrics with scikit-learn, and for each sensitive attribute (and, with
--intersections, each pair and the triple) a Fairlearn MetricFrame with its difference() and
ratio() aggregates.

    /usr/bin/python3 bench/model-gate/sklearn_fairness.py FILE.csv [--intersections] > OUT.json

Run it with Debian's interpreter (python3-sklearn 1.2.1, python3-pandas 1.5.3). Fairlearn is not
packaged for Debian, so MetricFrame is restated here with what its constructor runs (Fairlearn
0.13-0.15, fairlearn/metrics: _metric_frame.py, _disaggregated_result.py, _base_metrics.py,
_fairness_metrics.py): y_true, y_pred and each feature copied into a DataFrame through Python
lists, np.unique over each feature, the metrics applied to the whole frame for `overall`, then
`data.groupby(features).apply(...)` calling every metric function on every group's slice (the base
rates each build a scikit-learn confusion matrix, as Fairlearn's do), the product of observed
values reindexed in for intersections; difference = max - min and ratio = min / max over the
groups, equalized odds = Python max/min over the TPR and FPR disparities.

Per grouping that is two MetricFrames: one holding all the label metrics and one for ROC AUC on the
scores (a MetricFrame passes y_pred to every metric, so a score metric needs its own frame). That is
the cheapest way to get these numbers with Fairlearn: calling demographic_parity_difference,
equalized_odds_ratio, ... one by one builds a MetricFrame for each of them.

Prints one JSON document to stdout: the overall metrics, and per grouping the aggregates and the
groups' values. Undefined values are null. Timings go to stderr as a line starting "python:".
"""

import json
import math
import sys
import time
from itertools import combinations

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

ATTRIBUTES = ["sex", "age", "region"]
AGE_EDGES = [-np.inf, 18, 25, 40, 65, np.inf]
POSITIVE = "bad"
THRESHOLD = 0.5
CALIBRATION_BINS = 10


# ---------------------------------------------------------------- Fairlearn base metrics

def labels_for_confusion_matrix(y_true, y_pred):
    """Fairlearn's _get_labels_for_confusion_matrix with pos_label=None on 0/1 labels."""
    labels = list(np.unique(np.vstack((y_true, y_pred))))
    if len(labels) == 1:
        return [np.iinfo(np.int64).min, 1] if labels[0] == 1 else [labels[0], 1]
    return labels


def confusion_rate(position):
    """A Fairlearn base rate: confusion_matrix(normalize="true"), one entry of tn, fp, fn, tp."""

    def metric(y_true, y_pred):
        labels = labels_for_confusion_matrix(y_true, y_pred)
        return skm.confusion_matrix(y_true, y_pred, labels=labels, normalize="true").ravel()[position]

    return metric


true_negative_rate = confusion_rate(0)
false_positive_rate = confusion_rate(1)
false_negative_rate = confusion_rate(2)
true_positive_rate = confusion_rate(3)


def selection_rate(y_true, y_pred):
    selected = np.squeeze(np.asarray(y_pred)) == 1
    if len(selected) == 0:
        raise ValueError("Empty y_pred passed to selection_rate function.")
    weights = np.ones(len(selected))
    return np.dot(selected, weights) / weights.sum()


def count(y_true, y_pred):
    return len(y_true)


def roc_auc(y_true, y_score):
    """roc_auc_score; NaN for a single-class group (scikit-learn >= 1.6 and Warden; 1.2.1 raises)."""
    try:
        return skm.roc_auc_score(y_true, y_score)
    except ValueError:  # "Only one class present in y_true"
        return math.nan


LABEL_METRICS = {
    "count": count,
    "selectionRate": selection_rate,
    "truePositiveRate": true_positive_rate,
    "falsePositiveRate": false_positive_rate,
    "falseNegativeRate": false_negative_rate,
    "trueNegativeRate": true_negative_rate,
    "accuracy": skm.accuracy_score,
}
SCORE_METRICS = {"rocAuc": roc_auc}


# ---------------------------------------------------------------- Fairlearn MetricFrame

class MetricFrame:
    """MetricFrame(metrics=..., y_true=..., y_pred=..., sensitive_features=DataFrame), as built by
    Fairlearn's constructor: the inputs copied into a DataFrame through Python lists, np.unique per
    feature (GroupFeature), `overall` from the whole frame, `by_group` from groupby(...).apply, the
    product of observed values reindexed in for intersections. Fairlearn also caches group_min,
    group_max and the to_overall variants at construction; on a frame of a few groups that is
    negligible and is left out."""

    copy_seconds = 0.0  # time spent copying the inputs into `data`, summed over all frames

    def __init__(self, metrics, y_true, y_pred, sensitive_features):
        started = time.perf_counter()
        data = pd.DataFrame.from_dict({"y_true": list(np.asarray(y_true)), "y_pred": list(np.asarray(y_pred))})
        names = list(sensitive_features.columns)
        for name in names:
            data[name] = list(sensitive_features[name])
        MetricFrame.copy_seconds += time.perf_counter() - started
        for name in names:
            np.unique(sensitive_features[name])

        def apply_to_dataframe(df):
            return pd.Series({key: fn(df["y_true"], df["y_pred"]) for key, fn in metrics.items()})

        self.overall = apply_to_dataframe(data)
        by_group = data.groupby(names).apply(apply_to_dataframe)
        if len(names) > 1:
            everything = pd.MultiIndex.from_product([np.unique(data[c]) for c in names], names=names)
            by_group = by_group.reindex(index=everything)
        self.by_group = by_group

    def difference(self):
        """difference(method="between_groups", errors="coerce")."""
        values = self.by_group.apply(lambda x: x.apply(lambda y: y if np.isscalar(y) else np.nan))
        return (values - self.by_group.min()).abs().max()

    def ratio(self):
        """ratio(method="between_groups")."""
        return self.by_group.min() / self.by_group.max()


# ---------------------------------------------------------------- the benchmark

def number(value):
    value = float(value)
    return None if math.isnan(value) else value


def performance(y, score, predicted):
    prob_true, prob_pred = calibration_curve(y, score, n_bins=CALIBRATION_BINS, strategy="uniform")
    edges = np.linspace(0.0, 1.0, CALIBRATION_BINS + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], score), minlength=CALIBRATION_BINS)
    counts = counts[counts > 0]
    ece = np.sum(counts / counts.sum() * np.abs(prob_true - prob_pred))
    return {
        "count": len(y),
        "rocAuc": number(skm.roc_auc_score(y, score)),
        "averagePrecision": number(skm.average_precision_score(y, score)),
        "logLoss": number(skm.log_loss(y, score, labels=[0, 1])),
        "brierScore": number(skm.brier_score_loss(y, score)),
        "accuracy": number(skm.accuracy_score(y, predicted)),
        "balancedAccuracy": number(skm.balanced_accuracy_score(y, predicted)),
        "precision": number(skm.precision_score(y, predicted, zero_division=0)),
        "recall": number(skm.recall_score(y, predicted, zero_division=0)),
        "f1": number(skm.f1_score(y, predicted, zero_division=0)),
        "selectionRate": number(selection_rate(y, predicted)),
        "calibration": {
            "bins": len(counts),
            "meanPredicted": [float(v) for v in prob_pred],
            "fractionPositive": [float(v) for v in prob_true],
            "expectedCalibrationError": number(ece),
        },
    }


def fairness(attributes, y, score, predicted, features):
    sensitive = features[list(attributes)]
    labels = MetricFrame(LABEL_METRICS, y, predicted, sensitive)
    auc = MetricFrame(SCORE_METRICS, y, score, sensitive)
    difference = labels.difference()
    ratio = labels.ratio()
    by_group = pd.concat([labels.by_group, auc.by_group], axis=1)
    groups = []
    for key, row in by_group.iterrows():
        if math.isnan(row["count"]):  # an empty intersection (NaN row after the reindex)
            continue
        key = key if isinstance(key, tuple) else (key,)
        entry = {"group": dict(zip(attributes, [str(k) for k in key])), "count": int(row["count"])}
        entry.update({name: number(row[name]) for name in by_group.columns if name != "count"})
        groups.append(entry)
    return {
        "attributes": list(attributes),
        "demographicParityDifference": number(difference["selectionRate"]),
        "demographicParityRatio": number(ratio["selectionRate"]),
        "equalizedOddsDifference": number(max([difference["truePositiveRate"], difference["falsePositiveRate"]])),
        "equalizedOddsRatio": number(min([ratio["truePositiveRate"], ratio["falsePositiveRate"]])),
        "equalOpportunityDifference": number(difference["truePositiveRate"]),
        "equalOpportunityRatio": number(ratio["truePositiveRate"]),
        "rocAucDifference": number(auc.difference()["rocAuc"]),
        "emptyGroups": int(by_group["count"].isna().sum()),
        "byGroup": groups,
    }


def main():
    args = sys.argv[1:]
    intersections = "--intersections" in args
    files = [a for a in args if not a.startswith("--")]
    if len(files) != 1:
        sys.exit("usage: sklearn_fairness.py FILE.csv [--intersections]")
    started = time.perf_counter()
    df = pd.read_csv(files[0])
    read = time.perf_counter()

    y = (df["label"] == POSITIVE).to_numpy().astype(int)
    score = df["score"].to_numpy()
    predicted = (score >= THRESHOLD).astype(int)
    features = pd.DataFrame(
        {
            "sex": df["sex"],
            "age": pd.cut(df["age"], AGE_EDGES, right=False).astype(str),
            "region": df["region"],
        }
    )
    del df
    overall = performance(y, score, predicted)
    scored = time.perf_counter()

    groupings = [[a] for a in ATTRIBUTES]
    if intersections:
        groupings += [list(c) for k in range(2, len(ATTRIBUTES) + 1) for c in combinations(ATTRIBUTES, k)]
    reports = [fairness(g, y, score, predicted, features) for g in groupings]
    done = time.perf_counter()

    json.dump({"performance": overall, "fairness": reports}, sys.stdout, indent=1, allow_nan=False)
    sys.stdout.write("\n")
    print(
        f"python: pandas {pd.__version__}, scikit-learn {sklearn.__version__}; read_csv {read - started:.1f} s,"
        f" overall metrics {scored - read:.1f} s, {2 * len(groupings)} MetricFrames {done - scored:.1f} s"
        f" (of which copying their inputs {MetricFrame.copy_seconds:.1f} s)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
