#!/usr/bin/env python3
"""Times commands in turn, one run of each per round, and prints medians.

Usage: bench/ab.py N 'command A' 'command B' ...

This VM's speed drifts by a quarter or more within an hour on memory-heavy
work. Timing A fully and then B fully (as hyperfine does) lets that drift
fall on one of them. Alternating run by run lets it fall on all of them
alike. The last command is the reference for the ratios (put openssl there).
"""
import shlex
import statistics
import subprocess
import sys
import time

n, cmds = int(sys.argv[1]), sys.argv[2:]
times = {c: [] for c in cmds}
for c in cmds:  # one warm-up run each
    subprocess.run(shlex.split(c), capture_output=True)
for _ in range(n):
    for c in cmds:
        start = time.perf_counter()
        subprocess.run(shlex.split(c), capture_output=True)
        times[c].append(time.perf_counter() - start)
ref = statistics.median(times[cmds[-1]])
for c in cmds:
    m = statistics.median(times[c])
    q = statistics.quantiles(times[c], n=4)
    print(f"{m * 1000:8.1f} ms  (IQR {q[0] * 1000:.1f}-{q[2] * 1000:.1f})  x{m / ref:.2f}  {c}")
