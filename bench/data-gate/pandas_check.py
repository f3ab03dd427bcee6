"""The benchmark contract's checks in pandas, computed the way pandas-based validators (Great
Expectations' pandas backend) do: pd.read_csv, then one vectorised column operation per check
(isnull, comparisons, isin, str.fullmatch/str.contains/str.extract for regexes, duplicated) and a
Python function applied to the few regex candidates for Luhn, mod-97 and SSN rules.

    /usr/bin/python3 bench/data-gate/pandas_check.py FILE.csv DETECTORS.json OUT.json

DETECTORS.json holds Warden's IBAN lengths and sample SSNs (run.mjs writes it from
dist/data/pii-detectors.js); the detectors' patterns and rules are restated below.
"""

import json
import re
import sys
import time

import numpy as np
import pandas as pd

TABLE = "applications"
TEXT_COLUMNS = ["applicant_id", "status", "home", "marital", "records", "job", "branch_code", "notes"]
EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def as_integer(s):
    """The column as integers (NaN where a value is not an integer), like Warden's typed value."""
    if s.dtype.kind in "iu":
        return s.astype("float64")
    if s.dtype.kind == "f":
        return s.where(np.isfinite(s) & (s == np.trunc(s)))
    ok = s.str.fullmatch(r"[+-]?[0-9]+", na=False)
    return pd.to_numeric(s.where(ok), errors="coerce")


def as_number(s):
    if s.dtype.kind in "iuf":
        return s.where(np.isfinite(s)).astype("float64")
    ok = ~s.str.lower().str.contains("n", regex=False, na=True)
    return pd.to_numeric(s.where(ok), errors="coerce")


def as_date(s):
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")


# Warden's PII detectors (README, "Personal data"; src/data/pii-detectors.ts), restated with Python
# regexes and functions; keep them in step with Warden's. RE2's \s is spelled out. IBAN lengths and
# sample SSNs come from the Warden build.
EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
# A maximal run of digits separated by single spaces or dashes, with the character before it; a
# dash right before or after the run disqualifies it.
CARD_GATE = r"[0-9](?:[ -]?[0-9]){12}"
DIGIT_RUN = r"(?:^|[^0-9])-?[0-9](?:[ -]?[0-9])*-?"
DASH_EDGE = re.compile(r"^[^0-9]?-|-$")
GROUPED_CARD_PREFIX = re.compile(r"[^0-9-]?[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -]")
IBAN_GATE = r"[A-Z]{2}[0-9]{2}"
IBAN = r"(?:^|[^A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+[a-z]?"
IBAN_PARTS = re.compile(r"([A-Z]{2}[0-9]{2}(?: ?[A-Z0-9])+)([a-z]?)$")
SSN_GATE = r"[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}"
US_SSN = r"(?:^|[^0-9-])([0-9]{3})([- ])([0-9]{2})([- ])([0-9]{4})([0-9-]?)"
NANP = r"(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}"
INTERNATIONAL = r"\+[1-9][0-9]{0,2}(?:[ .-]?[0-9]{1,5}){1,6}"
PHONE = rf"[\t\n\f\r ]*(?:{NANP}|{INTERNATIONAL})[\t\n\f\r ]*"


def luhn(digits):
    if not 13 <= len(digits) <= 19 or digits == digits[0] * len(digits):
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        total += d if i % 2 == 0 else (d * 2 - 9 if d >= 5 else d * 2)
    return total % 10 == 0


def card_number(digits):
    return "2" <= digits[0] <= "6" and luhn(digits)


def card_run(run):
    if DASH_EDGE.search(run):
        return False
    digits = re.sub(r"[^0-9]", "", run)
    return card_number(digits) or (GROUPED_CARD_PREFIX.match(run) is not None and card_number(digits[:16]))


def iban_valid(s, lengths):
    if len(s) != lengths.get(s[:2], -1):
        return False
    return int("".join(str(int(ch, 36)) for ch in s[4:] + s[:4])) % 97 == 1


def iban_match(match, lengths):
    """An IBAN, possibly followed by more space-separated groups, and not running into a word."""
    iban, tail = IBAN_PARTS.search(match).groups()
    groups = iban.split(" ")
    return tail == "" and any(iban_valid("".join(groups[:k]), lengths) for k in range(1, len(groups) + 1))


def ssn_valid(area, sep1, grp, sep2, serial, tail, samples):
    digits = area + grp + serial
    return (
        tail == ""
        and sep1 == sep2
        and area not in ("000", "666")
        and area < "900"
        and grp != "00"
        and serial != "0000"
        and digits not in samples
        and digits != area[0] * len(digits)
    )


def any_candidate(s, gate, pattern, valid):
    """Per value: does any match of the pattern pass `valid`? Only values passing the gate regex are searched."""
    gated = s[s.str.contains(gate, regex=True)]
    candidates = gated.str.findall(pattern).explode().dropna()
    return candidates.map(valid).groupby(level=0).any().reindex(s.index, fill_value=False)


def pii_counts(s, det):
    s = s.dropna()
    samples = set(det["sampleSsns"])
    lengths = det["ibanLengths"]
    return {
        "email": (s.str.contains("@", regex=False) & s.str.contains(EMAIL, regex=True)).sum(),
        "creditCard": any_candidate(s, CARD_GATE, DIGIT_RUN, card_run).sum(),
        "iban": any_candidate(s, IBAN_GATE, IBAN, lambda m: iban_match(m, lengths)).sum(),
        "usSsn": any_candidate(s, SSN_GATE, US_SSN, lambda parts: ssn_valid(*parts, samples)).sum(),
        "phone": (
            s.str.len().between(9, 40) & s.str.fullmatch(PHONE) & s.str.count(r"[0-9]").between(8, 15)
        ).sum(),
    }


def run_checks(df, det):
    out = {}

    def put(name, value):
        out[name] = int(value)

    def cid(column, check):
        return f"{TABLE}.{column}.{check}"

    put("enough-rows", len(df))

    ids = df["applicant_id"]
    put(cid("applicant_id", "required"), ids.isnull().sum())
    put(cid("applicant_id", "unique"), ids.dropna().duplicated().sum())
    present = ids.dropna()
    put(cid("applicant_id", "piiHashed"), (~present.str.fullmatch(r"[0-9a-f]{64}") | (present == EMPTY_SHA256)).sum())
    put(cid("applicant_id", "piiHashed.emptyDigestCount"), (present == EMPTY_SHA256).sum())

    valid_values = {
        "status-valid": ("status", ["good", "bad"]),
        "home-valid": ("home", ["rent", "owner", "parents", "priv", "other"]),
        "marital-valid": ("marital", ["single", "married", "widow", "separated", "divorced"]),
        "records-valid": ("records", ["yes", "no"]),
        "job-valid": ("job", ["fixed", "freelance", "partime", "others"]),
    }
    for name, (column, values) in valid_values.items():
        s = df[column]
        put(name, (s.notnull() & ~s.isin(values)).sum())
    for column in ["status", "records"]:
        put(cid(column, "required"), df[column].isnull().sum())
    for name, column in {"home-nulls": "home", "job-nulls": "job", "income-nulls": "income"}.items():
        put(name, df[column].isnull().sum())

    branch = df["branch_code"].dropna()
    put(cid("branch_code", "pattern"), (~branch.str.contains(r"^BR-[0-9]{4}$", regex=True)).sum())
    put(cid("notes", "maxLength"), (df["notes"].str.len() > 200).sum())

    bounds = {
        "seniority": (as_integer, True, 0, None, 60),
        "time": (as_integer, True, 6, None, 72),
        "age": (as_integer, True, 18, None, 100),
        "expenses": (as_integer, False, 0, None, None),
        "income": (as_number, False, None, 0, None),
        "amount": (as_integer, True, 100, None, 10000),
        "application_date": (as_date, True, pd.Timestamp("2015-01-01"), None, pd.Timestamp("2025-12-31")),
    }
    for column, (cast, required, minimum, exclusive_minimum, maximum) in bounds.items():
        raw = df[column]
        typed = cast(raw)
        if required:
            put(cid(column, "required"), raw.isnull().sum())
        put(cid(column, "logicalType"), (raw.notnull() & typed.isnull()).sum())
        if minimum is not None:
            put(cid(column, "minimum"), (typed < minimum).sum())
        if exclusive_minimum is not None:
            put(cid(column, "minimum"), (typed <= exclusive_minimum).sum())
        if maximum is not None:
            put(cid(column, "maximum"), (typed > maximum).sum())

    for column in TEXT_COLUMNS:
        values = df[column]
        if column == "applicant_id":  # a well-formed digest is not raw PII (as Warden does)
            values = values[~(values.str.fullmatch(r"[0-9a-f]{64}").fillna(False).astype(bool) & (values != EMPTY_SHA256))]
        for detector, hits in pii_counts(values, det).items():
            put(f"pii.{column}.{detector}", hits)
    return out


def main():
    file, detectors_file, out_file = sys.argv[1:4]
    with open(detectors_file) as f:
        det = json.load(f)
    started = time.perf_counter()
    text = {c: str for c in TEXT_COLUMNS + ["income", "application_date"]}
    df = pd.read_csv(file, dtype=text, keep_default_na=False, na_values=["", "NA"])
    read = time.perf_counter()
    counts = run_checks(df, det)
    done = time.perf_counter()
    with open(out_file, "w") as f:
        json.dump(counts, f, indent=2)
    print(f"pandas: {pd.__version__}, read_csv {read - started:.1f} s, checks {done - read:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
