"""The drift accumulator benchmark's peer: the same bucket counting as Warden's DriftAccumulator, in
NumPy, on the same rows (the pool accumulator.mjs writes), fed the same way: `rows` rows in batches
taken round-robin from the pool, each batch stamped `batchSeconds` after the one before, counted into
a ring of `windowSlices` time slices (a slice entering the window is zeroed first).

Per feature per batch:
- numeric: np.searchsorted(edges, values, side="right") gives the layout [below, inner bins...,
  above] directly, except that the last inner bin is closed (a value equal to the last edge goes in
  it) and non-finite values go to the missing bucket; then np.bincount(minlength=buckets);
- categorical: np.searchsorted on the sorted baseline categories, an equality test for a hit (else
  "other"), the sorted position mapped to the bucket, then np.bincount.

    python3 bench/drift/numpy_counts.py DIR > OUT.json

DIR holds pool.json, pool-numeric.f64 and pool-categorical.u8. Prints JSON: the seconds spent
counting (wall time for all features, numeric, categorical; and the process's CPU time for all), and the counts of one pass over the pool per
feature, which accumulator.mjs compares with Warden's bucket for bucket.
"""

import json
import os
import sys
import time

import numpy as np


def numeric_buckets(values, edges, last, inner):
    index = np.searchsorted(edges, values, side="right")
    index[values == last] = inner
    index[~np.isfinite(values)] = inner + 2
    return np.bincount(index, minlength=inner + 3)


def categorical_buckets(values, sorted_categories, bucket_of_sorted, other):
    if sorted_categories.size == 0:
        return np.bincount(np.full(values.size, other), minlength=other + 2)
    position = np.minimum(np.searchsorted(sorted_categories, values), sorted_categories.size - 1)
    hit = sorted_categories[position] == values
    return np.bincount(np.where(hit, bucket_of_sorted[position], other), minlength=other + 2)


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "pool.json"), encoding="utf-8") as f:
        spec = json.load(f)
    batch, pool = spec["batch"], spec["pool"]
    numeric_spec, categorical_spec = spec["numeric"], spec["categorical"]
    raw = np.fromfile(os.path.join(directory, "pool-numeric.f64"), dtype="<f8")
    codes = np.fromfile(os.path.join(directory, "pool-categorical.u8"), dtype=np.uint8)
    raw = raw.reshape(pool, len(numeric_spec), batch)
    codes = codes.reshape(pool, len(categorical_spec), batch)

    # Everything the counting needs, made before the clock starts: the batches as arrays of values
    # (text as NumPy str arrays) and each feature's edges or sorted categories.
    batches = []
    for k in range(pool):
        numeric = [np.ascontiguousarray(raw[k, j]) for j in range(len(numeric_spec))]
        categorical = [np.array(c["labels"])[codes[k, j]] for j, c in enumerate(categorical_spec)]
        batches.append((numeric, categorical))
    numeric_features = []
    for c in numeric_spec:
        edges = np.array(c["edges"], dtype=np.float64)
        numeric_features.append((edges, edges[-1], edges.size - 1))
    categorical_features = []
    for c in categorical_spec:
        categories = np.array(c["categories"]) if c["categories"] else np.array([], dtype="U1")
        order = np.argsort(categories, kind="stable")
        categorical_features.append((categories[order], order, categories.size))
    buckets = [inner + 3 for _, _, inner in numeric_features] + [other + 2 for _, _, other in categorical_features]

    slice_ms = spec["sliceSeconds"] * 1000
    window = spec["windowSlices"]
    step_ms = spec["batchSeconds"] * 1000
    counts = [np.zeros((window, b), dtype=np.int64) for b in buckets]
    newest = None
    numeric_seconds = categorical_seconds = 0.0
    batches_run = spec["rows"] // batch
    started = time.perf_counter()
    started_cpu = time.process_time()
    for b in range(batches_run):
        numeric, categorical = batches[b % pool]
        current_slice = int((b * step_ms) // slice_ms)
        if newest is None or current_slice > newest:
            # The slices entering the window start from zero.
            oldest_entering = current_slice - window + 1 if newest is None else max(newest + 1, current_slice - window + 1)
            for entering in range(oldest_entering, current_slice + 1):
                for table in counts:
                    table[entering % window] = 0
            newest = current_slice
        slot = current_slice % window
        t = time.perf_counter()
        for j, (edges, last, inner) in enumerate(numeric_features):
            counts[j][slot] += numeric_buckets(numeric[j], edges, last, inner)
        u = time.perf_counter()
        offset = len(numeric_features)
        for j, (sorted_categories, bucket_of_sorted, other) in enumerate(categorical_features):
            counts[offset + j][slot] += categorical_buckets(categorical[j], sorted_categories, bucket_of_sorted, other)
        numeric_seconds += u - t
        categorical_seconds += time.perf_counter() - u
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - started_cpu

    # One pass over the pool, for the cross-check.
    names = [c["name"] for c in numeric_spec] + [c["name"] for c in categorical_spec]
    pool_counts = {name: np.zeros(b, dtype=np.int64) for name, b in zip(names, buckets)}
    for numeric, categorical in batches:
        for j, (edges, last, inner) in enumerate(numeric_features):
            pool_counts[names[j]] += numeric_buckets(numeric[j], edges, last, inner)
        for j, (sorted_categories, bucket_of_sorted, other) in enumerate(categorical_features):
            name = names[len(numeric_features) + j]
            pool_counts[name] += categorical_buckets(categorical[j], sorted_categories, bucket_of_sorted, other)

    json.dump(
        {
            "versions": {"python": sys.version.split()[0], "numpy": np.__version__},
            "rows": batches_run * batch,
            "seconds": seconds,
            "cpuSeconds": cpu_seconds,
            "numericSeconds": numeric_seconds,
            "categoricalSeconds": categorical_seconds,
            "poolCounts": {name: [int(x) for x in c] for name, c in pool_counts.items()},
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
