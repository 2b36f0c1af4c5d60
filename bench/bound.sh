#!/usr/bin/env bash
# Times `choucha bound` and `choucha size` (SPEC §10), release build.
# Prints medians and IQRs (bench/ab.py); the last line, `--version`, is the
# cost of starting the process, the reference for the ratios.
#   bench/bound.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
cargo build --release -q
B=target/release/choucha
mkdir -p target/bench
python3 bench/bound_table.py 36 5 > target/bench/table-36x5.csv
python3 bench/bound_table.py 36 20 > target/bench/table-36x20.csv
python3 bench/bound_table.py 36 40 > target/bench/table-36x40.csv
python3 bench/ab.py "$runs" \
    "$B bound --population 1000000 --checked 500000 --failed 5000" \
    "$B bound --population 3316 --checked 1658 --failed 5" \
    "$B size --population 1000000 --max-fail-rate 1% --accept 10" \
    "$B bound --table samples/anhui-2023q3/table-new-media.csv" \
    "$B bound --table target/bench/table-36x5.csv" \
    "$B bound --table target/bench/table-36x20.csv" \
    "$B --version"
python3 bench/ab.py 3 "$B bound --table target/bench/table-36x40.csv" "$B --version"
