#!/usr/bin/env python3
"""Times `roster` then `draw` for several choucha binaries, in turn.

Usage: bench/ab_roster_draw.py N ROSTER.csv BIN_A BIN_B ...

Each round, each binary gets a fresh round directory (init, roster, seed,
draw; only roster and draw are timed). Alternating binaries run by run
lets this VM's drift fall on all of them alike (see ab.py); the medians of
roster, draw and their sum are printed, and the median of the sum's ratio
to BIN_A's in the same round.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

n, csv, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
work = os.path.join(os.path.dirname(os.path.abspath(csv)), "ab-rounds")
times = {b: {"roster": [], "draw": []} for b in bins}


def run(*args):
    subprocess.run(args, check=True, capture_output=True)


def timed(*args):
    start = time.perf_counter()
    run(*args)
    return time.perf_counter() - start


for i in range(n + 1):  # the first round warms up and is not counted
    for b in bins:
        d = os.path.join(work, "r")
        shutil.rmtree(d, ignore_errors=True)
        os.sync()
        run(b, "init", d, "--round", "ab", "--population", "p", "--rate", "50%")
        r = timed(b, "-C", d, "roster", csv)
        run(b, "-C", d, "seed", "12345678901234567890", "--source", "ab")
        t = timed(b, "-C", d, "draw")
        if i:
            times[b]["roster"].append(r)
            times[b]["draw"].append(t)
shutil.rmtree(work, ignore_errors=True)
# The ratio to BIN_A is taken round by round (each round's runs are
# seconds apart) and its median printed: the drift between rounds cancels.
sums = {b: [x + y for x, y in zip(times[b]["roster"], times[b]["draw"])] for b in bins}
for b in bins:
    r, t, s = times[b]["roster"], times[b]["draw"], sums[b]
    def paired(mine, base):
        return statistics.median(x / y for x, y in zip(mine, base))
    a = times[bins[0]]
    print(f"roster {statistics.median(r) * 1000:6.1f} ms (x{paired(r, a['roster']):.3f})"
          f"  draw {statistics.median(t) * 1000:6.1f} ms (x{paired(t, a['draw']):.3f})"
          f"  sum {statistics.median(s) * 1000:6.1f} ms (x{paired(s, sums[bins[0]]):.3f},"
          f" min {min(s) * 1000:.1f})  {b}")
