#!/usr/bin/env python3
"""Test vectors for `choucha bound` and `choucha size` (SPEC §10), computed
with exact rational arithmetic only (fractions.Fraction and math.comb),
independently of choucha's Rust code.

Usage:
  tools/reference/bound_vectors.py --write tests/vectors/bound   # (re)make the files
  tools/reference/bound_vectors.py --check tests/vectors/bound   # CI: recompute, compare

Files: bound.json and size.json hold cases with their expected answers;
fail_bound.json and fail_size.json hold inputs that must be refused.
If scipy is installed, --check also reports where scipy.stats.hypergeom's
floating point decides a case differently (information only: scipy is not
required, and it is the one that is wrong at exact ties).
"""
import json
import math
import pathlib
import sys
from fractions import Fraction


def parse_fraction(s):
    """'95%', '0.95' or '19/20' as an exact Fraction (SPEC §10.1)."""
    s = s.strip()
    if s.endswith("%"):
        return Fraction(s[:-1].strip()) / 100
    return Fraction(s)


def tail(N, K, n, x):
    """P(X <= x) for X ~ hypergeometric(N, K, n), exactly."""
    lo = max(0, n - (N - K))
    total = sum(math.comb(K, k) * math.comb(N - K, n - k) for k in range(lo, min(x, K, n) + 1))
    return Fraction(total, math.comb(N, n))


def max_failing(N, n, x, C):
    """The largest K with P(X <= x | N, K, n) > 1 - C: a plain scan would be
    slow for large N, so a binary search, relying on the tail falling as K
    grows (checked on every small case by scan below)."""
    lo, hi = x, N - n + x
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if tail(N, mid, n, x) > 1 - C:
            lo = mid
        else:
            hi = mid - 1
    return lo


def max_failing_by_scan(N, n, x, C):
    return max(K for K in range(N + 1) if tail(N, K, n, x) > 1 - C)


def sample_size(N, P, C, k):
    """The smallest n with P(X <= k | N, ceil(P*N), n) <= 1 - C, or None."""
    K0 = math.ceil(P * N)
    if K0 <= k:
        return K0, None
    lo, hi = 0, N
    while lo < hi:
        mid = (lo + hi) // 2
        if tail(N, K0, mid, k) <= 1 - C:
            hi = mid
        else:
            lo = mid + 1
    return K0, lo


def frac_str(f):
    return f"{f.numerator}/{f.denominator}"


def bound_inputs():
    """Several hundred (N, n, x, confidence) cases, deterministic."""
    confs = ["95%", "0.9", "19/20", "99%", "1/2", "80%", "0.995", "2/3"]
    cases = []
    # Every small population, all the corners: N = 1, n = 0, n = N, x = 0, x = n.
    for N in range(1, 9):
        for n in range(0, N + 1):
            for x in sorted({0, n // 2, n}):
                cases.append((N, n, x, confs[(N + n + x) % len(confs)]))
    # The tie the issue names, and its neighbours.
    cases += [(10, 1, 0, "90%"), (10, 1, 0, "9/10"), (10, 1, 1, "90%"), (10, 2, 0, "90%"),
              (20, 1, 0, "95%"), (100, 1, 0, "99%"), (4, 2, 0, "5/6")]
    # The Anhui figures and medium populations with a simple LCG spread.
    cases += [(3316, 1658, 5, "95%"), (3316, 1658, 0, "95%"), (3316, 1658, 5, "99%"), (840, 840, 0, "95%")]
    state = 20231016
    def rnd(m):
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (state >> 33) % m
    for _ in range(320):
        N = 1 + rnd([12, 60, 300, 2000][rnd(4)])
        n = rnd(N + 1)
        x = rnd(min(n, 12) + 1) if rnd(4) else rnd(n + 1)
        cases.append((N, n, x, confs[rnd(len(confs))]))
    return cases


def size_inputs():
    cases = []
    for N in [1, 2, 5, 10, 33, 100, 173, 364, 1000, 3316]:
        for P in ["1%", "5%", "1/3", "0.1", "100%"]:
            for k in [0, 1, 3]:
                for C in ["95%", "0.9", "99%"]:
                    cases.append((N, P, k, C))
    return cases


def make(with_scan):
    bound = []
    for N, n, x, c in bound_inputs():
        C = parse_fraction(c)
        K = max_failing(N, n, x, C)
        if with_scan and N <= 60:
            assert K == max_failing_by_scan(N, n, x, C), (N, n, x, c)
        bound.append({"population": N, "checked": n, "failed": x, "confidence_input": c,
                      "confidence": frac_str(C), "max_failing": K,
                      "min_pass_rate": frac_str(Fraction(N - K, N))})
    size, fail_size = [], []
    for N, p, k, c in size_inputs():
        P, C = parse_fraction(p), parse_fraction(c)
        K0, n = sample_size(N, P, C, k)
        row = {"population": N, "max_fail_rate_input": p, "max_fail_rate": frac_str(P),
               "confidence": frac_str(C), "confidence_input": c, "accept": k, "min_failing": K0}
        if n is None:
            fail_size.append(row)
        else:
            row["sample_size"] = n
            size.append(row)
    fail_bound = [
        {"population": 0, "checked": 0, "failed": 0, "confidence_input": "95%", "why": "population 0"},
        {"population": 10, "checked": 11, "failed": 0, "confidence_input": "95%", "why": "checked > population"},
        {"population": 10, "checked": 3, "failed": 4, "confidence_input": "95%", "why": "failed > checked"},
        {"population": 10, "checked": 3, "failed": 1, "confidence_input": "100%", "why": "confidence 1"},
        {"population": 10, "checked": 3, "failed": 1, "confidence_input": "0%", "why": "confidence 0"},
        {"population": 10, "checked": 3, "failed": 1, "confidence_input": "3/2", "why": "confidence above 1"},
        {"population": 4294967296, "checked": 1, "failed": 0, "confidence_input": "95%", "why": "population above 2^32 - 1"},
    ]
    return {
        "bound.json": {"description": "choucha bound: max_failing = the largest K with P(X <= failed | population, K, checked) > 1 - confidence (SPEC §10.1), exact", "cases": bound},
        "size.json": {"description": "choucha size: the smallest n with P(X <= accept | population, min_failing = ceil(rate * population), n) <= 1 - confidence (SPEC §10.2), exact", "cases": size},
        "fail_bound.json": {"description": "choucha bound must refuse these inputs (exit 2)", "cases": fail_bound},
        "fail_size.json": {"description": "choucha size must refuse these: min_failing <= accept, no sample can rule the rate out", "cases": fail_size},
    }


def render(doc):
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def scipy_report(doc):
    try:
        from scipy.stats import hypergeom
    except ImportError:
        return
    differ = 0
    for c in doc["bound.json"]["cases"]:
        N, n, x = c["population"], c["checked"], c["failed"]
        C = float(parse_fraction(c["confidence_input"]))
        K = x
        while K + 1 <= N - n + x and hypergeom.cdf(x, N, K + 1, n) > 1 - C:
            K += 1
        differ += K != c["max_failing"]
    print(f"scipy.stats.hypergeom decides {differ} bound case(s) differently (floating point at ties)")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("--write", "--check"):
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[2])
    doc = make(with_scan=True)
    if sys.argv[1] == "--write":
        out.mkdir(parents=True, exist_ok=True)
        for name, d in doc.items():
            (out / name).write_text(render(d), encoding="utf-8")
        print(f"wrote {', '.join(doc)} in {out}")
        return
    bad = [name for name, d in doc.items()
           if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != render(d)]
    scipy_report(doc)
    if bad:
        sys.exit(f"bound vectors differ from the exact recomputation: {', '.join(bad)}")
    n = sum(len(d["cases"]) for d in doc.values())
    print(f"{n} bound/size vectors: the exact Fraction recomputation agrees")


if __name__ == "__main__":
    main()
