"""The drift benchmark's peer: per-column drift between a reference and a current CSV computed with
SciPy and NumPy, the way Evidently's data-drift preset does with its defaults for a reference of more
than 1000 rows (evidently legacy `_get_default_stattest`, `get_one_column_drift`):

- numeric column with more than 5 distinct values (over both samples): normed Wasserstein,
  scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001), drifted when >= 0.1;
- any other column (categorical, or numeric with at most 5 distinct values): Jensen-Shannon,
  scipy.spatial.distance.jensenshannon on the shares of the union of the values (np.unique counts
  aligned on the union, divided by each sample's size; no zero fill), drifted when >= 0.1;
- and, as a second timing, scipy.stats.ks_2samp (method 'auto', two-sided) for every numeric column,
  drifted when p <= 0.05, with the categorical columns' Jensen-Shannon as above.

Missing values (NaN, +-inf) are dropped first, as Evidently does.

    python3 bench/drift/scipy_drift.py REFERENCE.csv CURRENT.csv [--no-ks] > OUT.json

Run it with the pyenv `python3` (SciPy 1.17, NumPy 2.4), not /usr/bin/python3. pandas and pyarrow
are not installed, so the CSV is read with NumPy's C reader (np.loadtxt, one structured dtype:
float64 for the numeric columns, 16-character text for the rest, read again wider if a label fills
that); a column is numeric when its first data row's field parses as a number. Loading is timed
apart from the tests.

Prints one JSON document to stdout: per column the method, the score (`statistic`: the distance, or
the p-value for ks, as Warden's evidence has it), the KS statistic D (`testStatistic`), whether it
drifted, and the timings. A one-line summary starting "python:" goes to stderr.
"""

import json
import sys
import time

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

WASSERSTEIN_THRESHOLD = 0.1
JENSEN_SHANNON_THRESHOLD = 0.1
KS_THRESHOLD = 0.05


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def load(path, width=16):
    """The file's columns: name -> float64 array (numeric) or fixed-width str array (categorical)."""
    with open(path, encoding="utf-8") as f:
        names = f.readline().rstrip("\r\n").split(",")
        first = f.readline().rstrip("\r\n").split(",")
    numeric = [is_number(value) for value in first]
    # A fixed-width text dtype (4 bytes a character): as narrow as the labels allow, for speed.
    dtype = [(name, "f8" if num else f"U{width}") for name, num in zip(names, numeric)]
    table = np.loadtxt(path, delimiter=",", skiprows=1, dtype=dtype, encoding="utf-8", ndmin=1)
    columns = {}
    for name, num in zip(names, numeric):
        values = np.ascontiguousarray(table[name])
        if not num and np.char.str_len(values).max() >= width:
            # A label may have been cut at the width: read again, wider.
            return load(path, width * 4)
        columns[name] = values[np.isfinite(values)] if num else values
    return columns, {name: num for name, num in zip(names, numeric)}


def more_than_five_distinct(reference, current):
    """Evidently's `pd.concat([ref, cur]).nunique() > 5`, without sorting both when a prefix settles it."""
    if np.unique(reference[:10_000]).size > 5:
        return True
    return np.unique(np.concatenate((reference, current))).size > 5


def jensen_shannon(reference, current):
    """Evidently's get_binned_data for a column of few values (feel_zeroes=False), then jensenshannon."""
    reference_values, reference_counts = np.unique(reference, return_counts=True)
    current_values, current_counts = np.unique(current, return_counts=True)
    keys = np.union1d(reference_values, current_values)
    reference_shares = np.zeros(keys.size)
    current_shares = np.zeros(keys.size)
    reference_shares[np.searchsorted(keys, reference_values)] = reference_counts
    current_shares[np.searchsorted(keys, current_values)] = current_counts
    reference_shares /= reference.size
    current_shares /= current.size
    return float(distance.jensenshannon(reference_shares, current_shares)), int(keys.size)


def default_test(reference, current, numeric):
    if numeric and more_than_five_distinct(reference, current):
        norm = max(float(np.std(reference)), 0.001)
        value = float(stats.wasserstein_distance(reference, current)) / norm
        return {"method": "wasserstein", "statistic": value, "drifted": value >= WASSERSTEIN_THRESHOLD}
    value, distinct = jensen_shannon(reference, current)
    return {
        "method": "jensenshannon",
        "statistic": value,
        "drifted": value >= JENSEN_SHANNON_THRESHOLD,
        "uniqueValues": distinct,
    }


def ks_test(reference, current):
    result = stats.ks_2samp(reference, current)
    p = float(result.pvalue)
    return {
        "method": "ks",
        "statistic": p,
        "pValue": p,
        "testStatistic": float(result.statistic),
        "drifted": p <= KS_THRESHOLD,
    }


def dataset(columns):
    drifted = sum(1 for column in columns.values() if column["drifted"])
    share = drifted / len(columns)
    return {
        "columnCount": len(columns),
        "driftedColumns": drifted,
        "driftedShare": share,
        "datasetDrift": share >= 0.5,
    }


def main():
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    with_ks = "--no-ks" not in sys.argv[1:]
    if len(args) != 2:
        sys.exit("usage: scipy_drift.py REFERENCE.csv CURRENT.csv [--no-ks]")
    started = time.perf_counter()
    reference, numeric = load(args[0])
    current, current_numeric = load(args[1])
    if numeric != current_numeric:
        sys.exit("the two files' columns differ")
    load_seconds = time.perf_counter() - started

    default, default_seconds = {}, {}
    for name, num in numeric.items():
        t = time.perf_counter()
        default[name] = default_test(reference[name], current[name], num)
        default_seconds[name] = time.perf_counter() - t

    ks, ks_seconds = {}, {}
    if with_ks:
        for name, num in numeric.items():
            if not num:
                # The categorical columns keep their default test; its time counts again below.
                ks[name] = default[name]
                ks_seconds[name] = default_seconds[name]
                continue
            t = time.perf_counter()
            ks[name] = ks_test(reference[name], current[name])
            ks_seconds[name] = time.perf_counter() - t

    timings = {
        "load": load_seconds,
        "defaultTests": sum(default_seconds.values()),
        "defaultTotal": load_seconds + sum(default_seconds.values()),
        "perColumn": default_seconds,
    }
    if with_ks:
        timings["ksTests"] = sum(ks_seconds.values())
        timings["ksTotal"] = load_seconds + sum(ks_seconds.values())
        timings["perColumnKs"] = ks_seconds
    out = {
        "peer": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__},
        "rows": {
            "reference": int(len(next(iter(reference.values())))),
            "current": int(len(next(iter(current.values())))),
        },
        "timings": timings,
        "default": {"columns": default, "dataset": dataset(default)},
    }
    if with_ks:
        out["ks"] = {"columns": ks, "dataset": dataset(ks)}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    summary = f"python: load {load_seconds:.2f} s, default tests {timings['defaultTests']:.2f} s"
    if with_ks:
        summary += f", ks tests {timings['ksTests']:.2f} s"
    print(summary, file=sys.stderr)


if __name__ == "__main__":
    main()
