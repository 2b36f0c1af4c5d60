#!/usr/bin/env bash
# One `record` of rec-results.csv into a fresh copy of the round rec.base
# (both made by bench/log_verify.sh), for bench/ab.py:
#   bench/ab.py 15 "bench/record_once.sh BIN_A" "bench/record_once.sh BIN_B" "bench/record_once.sh"
# Without BIN only the copy is made: the reference to subtract.
# Env: BENCH_DIR (default target/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
cd "${BENCH_DIR:-target/bench}"
dir=rec-$$
rm -rf "$dir" && cp -r rec.base "$dir"
if [[ $# -gt 0 ]]; then
    "$1" -C "$dir" record rec-results.csv >/dev/null
fi
rm -rf "$dir"
