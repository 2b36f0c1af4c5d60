#!/usr/bin/env python3
"""Writes a published table of S strata for `choucha bound --table`:
stratum sizes 50–2,000, sampling fractions 1/5–3/5, a few failures in
some strata (deterministic, from a fixed LCG).

Usage: bench/bound_table.py S FAILED_TOTAL > table.csv
"""
import sys

strata, failed_total = int(sys.argv[1]), int(sys.argv[2])
state = 36
def rnd(m):
    global state
    state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
    return (state >> 33) % m

rows = []
for i in range(strata):
    total = 50 + rnd(1951)
    checked = total * (1 + rnd(3)) // 5
    rows.append([f"S{i + 1:02}", total, checked, 0])
for _ in range(failed_total):
    r = rows[rnd(strata)]
    if r[3] < r[2]:
        r[3] += 1
print("stratum,total,checked,failed")
for r in rows:
    print(",".join(map(str, r)))
print(f"合计,{sum(r[1] for r in rows)},{sum(r[2] for r in rows)},{sum(r[3] for r in rows)}")
