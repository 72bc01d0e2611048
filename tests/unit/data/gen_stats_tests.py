#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# gen_stats_tests.py — writes stats_tests.txt, the reference values of src/stats/stats_tests.c,
# computed with scipy (python3-scipy; needed only to regenerate, not at test time):
#   /usr/bin/python3 tests/unit/data/gen_stats_tests.py > tests/unit/data/stats_tests.txt
# Lines: a keyword, inputs, then expected outputs (repr of doubles, 17 digits).
import numpy as np
from scipy import special, stats

def r(x):
    return repr(float(x))

out = []
for a, x in [(0.5, 0.1), (0.5, 3.0), (1, 1), (2, 0.5), (2, 10), (3.5, 2.2), (10, 3), (10, 25),
             (1.5, 40), (50, 49), (0.25, 0.01), (7, 7.5)]:
    out.append(f"gammaq {r(a)} {r(x)} {r(special.gammaincc(a, x))}")
for x, df in [(3.84, 1), (9.0909, 1), (1.2, 4), (9.49, 4), (30.0, 4), (60.0, 4), (0.3, 2), (15, 10)]:
    out.append(f"chi2sf {r(x)} {r(df)} {r(stats.chi2.sf(x, df))}")
for p, df in [(0.975, 1), (0.975, 2), (0.975, 9), (0.975, 29), (0.975, 200), (0.025, 5), (0.9, 3)]:
    out.append(f"tq {r(p)} {r(df)} {r(stats.t.ppf(p, df))}")
# Evaluation levels 1..5 × two periods (rows = periods).
tables = [
    [[12, 20, 45, 160, 210], [20, 31, 52, 140, 180]],
    [[3, 5, 10, 40, 42], [1, 4, 12, 38, 45]],
    [[0, 2, 10, 40, 42], [0, 8, 20, 30, 25]],
    [[5, 9, 30, 300, 700], [30, 40, 60, 280, 500]],
]
for t in tables:
    a = np.array(t)
    keep = a.sum(axis=0) > 0
    chi2, p, dof, _ = stats.chi2_contingency(a[:, keep], correction=False)
    flat = " ".join(str(v) for row in t for v in row)
    out.append(f"chi2 2 5 {flat} {r(chi2)} {r(dof)} {r(p)}")
# Ordinal answers 1..5 given as counts per level.
pairs = [
    ([2, 3, 10, 20, 15], [5, 8, 12, 15, 10]),
    ([0, 1, 4, 6, 9], [1, 2, 5, 7, 5]),
    ([10, 10, 10, 10, 10], [10, 10, 10, 10, 10]),
    ([0, 0, 3, 30, 60], [2, 6, 20, 40, 25]),
    ([1, 0, 0, 0, 0], [0, 0, 0, 0, 3]),
    ([0, 0, 2, 2, 1], [0, 1, 2, 1, 0]),
]
for a, b in pairs:
    xa = np.repeat(np.arange(1, 6), a)
    xb = np.repeat(np.arange(1, 6), b)
    res = stats.mannwhitneyu(xa, xb, alternative="two-sided", method="asymptotic", use_continuity=True)
    out.append("mwu 5 " + " ".join(map(str, a + b)) + f" {r(res.statistic)} {r(res.pvalue)}")
for c in [[2, 3, 10, 20, 15], [0, 0, 0, 1, 1], [0, 1, 4, 6, 9], [30, 0, 0, 0, 31]]:
    x = np.repeat(np.arange(1, 6), c)
    m = x.mean()
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=m, scale=stats.sem(x))
    out.append("meanci 5 " + " ".join(map(str, c)) + f" {r(m)} {r(lo)} {r(hi)}")
# Holm, by its definition (statsmodels' multipletests(method="holm") gives the same).
for ps in [[0.01, 0.04, 0.03, 0.005], [0.2, 0.5, 0.01], [0.001, 0.001, 0.9, 0.04, 0.3]]:
    n = len(ps)
    order = sorted(range(n), key=lambda i: (ps[i], i))
    adj = [0.0] * n
    run = 0.0
    for j, i in enumerate(order):
        run = max(run, min(1.0, (n - j) * ps[i]))
        adj[i] = run
    out.append(f"holm {n} " + " ".join(r(p) for p in ps) + " " + " ".join(r(v) for v in adj))
print("\n".join(out))
