#!/usr/bin/env python3
"""A sampled cargo-mutants run over the log, sampling and proof code.

Not part of CI (it takes about 45 minutes on 2 cores). Draws N mutants
(default 50) with Python's random.Random(SEED) (default 2026) from
`cargo mutants --list` of src/log, src/sampling and src/proof, writes the
pick to OUT/picked.txt and tests exactly those. Needs `cargo install
cargo-mutants`. Results land in OUT/mutants.out/{caught,missed,timeout,
unviable}.txt; RELIABILITY.md explains the last run's survivors.

    python3 tools/mutants_sample.py [--n 50] [--seed 2026] [--out /tmp/mutants-out]
"""
import argparse
import random
import re
import subprocess
import sys
from pathlib import Path

FILTERS = ["-f", "src/log/*.rs", "-f", "src/sampling/*.rs", "-f", "src/proof/*.rs"]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/mutants-out")
    ap.add_argument("--timeout", default="240")
    a = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    listed = subprocess.run(
        ["cargo", "mutants", "--list", *FILTERS],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    listed = [m for m in listed if m.strip()]
    pick = random.Random(a.seed).sample(listed, min(a.n, len(listed)))
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "picked.txt").write_text("\n".join(pick) + "\n")
    print(f"{len(pick)} of {len(listed)} mutants, seed {a.seed}", file=sys.stderr)
    args = ["cargo", "mutants", "--in-place", "--timeout", a.timeout,
            "--build-timeout", "900", "-o", str(out), *FILTERS]
    for m in pick:
        args += ["--re", "^" + re.escape(m) + "$"]
    return subprocess.call(args, cwd=root)


if __name__ == "__main__":
    sys.exit(main())
