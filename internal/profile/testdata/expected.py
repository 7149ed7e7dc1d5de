#!/usr/bin/env python3
"""Independent figures for profile_test.go, computed with the Python standard library only.

Run from the repository root:  python3 internal/profile/testdata/expected.py ../shared/data

It reads adult.data and german.data with plain string splitting (neither file has quotes),
and prints the figures the Go tests assert. Definitions follow pandas:
duplicates are extra copies (DataFrame.duplicated().sum()), missing values are excluded from
distinct counts (nunique), the standard deviation is the sample one (ddof=1), quantiles use
linear interpolation between order statistics (pandas' and numpy's default), and histogram
bins are numpy.histogram's: equal width from min to max, the last bin closed on the right.
"""
import collections, fractions, hashlib, json, math, statistics, sys

def read(path, sep, missing, ncols):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line == "":
                continue  # blank lines are skipped, as pandas does
            fields = [x.strip() for x in line.split(sep)] if sep == "," else line.split(sep)
            # german.data line 267 ends with a space: with a space separator, empty fields
            # past the last column are dropped (the documented rule of the Go profiler)
            while sep == " " and len(fields) > ncols and fields[-1] == "":
                fields.pop()
            assert len(fields) == ncols, (path, line)
            rows.append(tuple(None if (x == "" or x in missing) else x for x in fields))
    return rows

def quantile(sorted_vals, q):
    h = (len(sorted_vals) - 1) * fractions.Fraction(q)
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return float(sorted_vals[lo] + (h - lo) * (sorted_vals[hi] - sorted_vals[lo]))

def histogram(vals, bins=10):
    lo, hi = min(vals), max(vals)
    counts = [0] * bins
    for v in vals:
        # exact arithmetic: bin i holds lo + i*w <= v < lo + (i+1)*w, the last bin also v == hi
        i = math.floor(fractions.Fraction(v - lo) * bins / fractions.Fraction(hi - lo))
        counts[min(i, bins - 1)] += 1
    return counts

def numeric(rows, col):
    vals = sorted(int(r[col]) for r in rows if r[col] is not None)
    q = statistics.quantiles(vals, n=4, method="inclusive")  # second, independent quantile method
    mine = [quantile(vals, x) for x in ("0.25", "0.5", "0.75")]
    assert all(abs(a - b) < 1e-9 for a, b in zip(q, mine)), (q, mine)
    return {"count": len(vals), "min": vals[0], "max": vals[-1], "mean": float(statistics.mean(vals)),
            "std": statistics.stdev(vals), "q25": mine[0], "q50": mine[1], "q75": mine[2],
            "histogram": histogram(vals), "distinct": len(set(vals))}

def profile(rows, names, label, positive, sensitive):
    out = {"rows": len(rows)}
    out["missing"] = {n: sum(r[i] is None for r in rows) for i, n in enumerate(names)}
    out["rows_with_missing"] = sum(any(x is None for x in r) for r in rows)
    out["duplicate_rows"] = sum(c - 1 for c in collections.Counter(rows).values())
    out["distinct"] = {n: len({r[i] for r in rows if r[i] is not None}) for i, n in enumerate(names)}
    li = names.index(label)
    out["label"] = dict(collections.Counter(r[li] for r in rows if r[li] is not None))
    out["sensitive"] = {}
    for s in sensitive:
        si = names.index(s)
        groups = {}
        for r in rows:
            if r[si] is None:
                continue
            g = groups.setdefault(r[si], [0, 0, 0])
            g[0] += 1
            if r[li] is not None:
                g[1] += 1
                g[2] += r[li] == positive
        out["sensitive"][s] = {k: {"size": v[0], "positives": v[2], "base_rate": v[2] / v[1]} for k, v in sorted(groups.items())}
    return out

def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
adult_names = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
               "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"]
adult = read(data + "/adult.data", ",", {"?"}, 15)
a = profile(adult, adult_names, "income", ">50K", ["sex", "race"])
a["sha256"] = sha256(data + "/adult.data")
a["numeric"] = {n: numeric(adult, adult_names.index(n)) for n in ("age", "fnlwgt", "hours-per-week", "capital-gain")}
german_names = ["a%d" % i for i in range(1, 21)] + ["class"]
german = read(data + "/german.data", " ", set(), 21)
g = profile(german, german_names, "class", "1", ["a9"])
g["sha256"] = sha256(data + "/german.data")
g["numeric"] = {"a13": numeric(german, 12), "a5": numeric(german, 4)}
print(json.dumps({"adult": a, "german": g}, indent=1, sort_keys=True))
