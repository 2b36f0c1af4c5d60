#!/usr/bin/env bash
# Benchmarks of the results issue and the verify issue, against `openssl dgst -sha256`:
#   1. `choucha record` of a 100,000-line results CSV into a round of 200,000 sampled accounts
#      (target: at least 200,000 lines/s);
#   2. `choucha log check` on that log (target: within 4x openssl dgst -sha256 of the same file);
#   3. `choucha verify` of a round with 1,000,000 roster accounts, 500,000 sampled and 500,000
#      results (target: within 4x openssl dgst -sha256 of log.jsonl and roster.tsv together).
# Env: BENCH_DIR (default target/bench), BENCH_REPS (default 3).
# Every figure is the median of BENCH_REPS runs, wall seconds from GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-target/bench}
REPS=${BENCH_REPS:-3}
BIN=$PWD/target/release/choucha
TIME=/usr/bin/time
echo "== machine: $(nproc) cores, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(rustc --version)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release --quiet
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wall() { "$TIME" -f '%e' -o /tmp/choucha-bench.t "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; cat /tmp/choucha-bench.t; }

# A drawn round over a generated roster, and a results CSV for its first N sampled ids.
prepare() { # ACCOUNTS DIR RESULTS N
    local csv="roster-$1x50.csv"
    [[ -f $csv ]] || python3 ../../bench/gen_roster.py "$1" 50 "$csv" >/dev/null
    rm -rf "$2.base"
    "$BIN" init "$2.base" --round bench --population 政务新媒体 --rate 50% >/dev/null
    "$BIN" -C "$2.base" roster "$csv" >/dev/null
    "$BIN" -C "$2.base" seed 12345678901234567890 --source bench >/dev/null
    "$BIN" -C "$2.base" draw >/dev/null
    python3 - "$2.base/manifest.json" "$3" "$4" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
ids = [i for s in m["strata"] for i in s["ids"]][: int(sys.argv[3])]
with open(sys.argv[2], "w") as f:
    f.write("id,verdict,reason,note,inspector,checked_at\n")
    for k, i in enumerate(ids):
        fail = k % 100 == 0
        f.write(f"{i},{'fail' if fail else 'pass'},{'NM_NOT_UPDATED' if fail else ''},,检查组,2023-08-23\n")
PY
}

echo "== 1. record 100,000 results into a round of 200,000 sampled accounts"
prepare 400000 rec rec-results.csv 100000
times=()
for _ in $(seq "$REPS"); do
    rm -rf rec && cp -r rec.base rec
    times+=("$(wall "$BIN" -C rec record rec-results.csv)")
done
t=$(printf '%s\n' "${times[@]}" | median)
echo "record: runs ${times[*]} s; median $t s = $(awk -v t="$t" 'BEGIN {printf "%.0f", 100000 / t}') lines/s (target >= 200000)"

echo "== 2. log check on that log ($(stat -c %s rec/log.jsonl) bytes, $(wc -l <rec/log.jsonl) lines)"
cat rec/log.jsonl >/dev/null
c=(); o=()
for _ in $(seq "$REPS"); do
    c+=("$(wall "$BIN" -C rec log check)")
    o+=("$(wall openssl dgst -sha256 rec/log.jsonl)")
done
tc=$(printf '%s\n' "${c[@]}" | median); to=$(printf '%s\n' "${o[@]}" | median)
echo "log check: ${c[*]} s; openssl dgst -sha256: ${o[*]} s; ratio of medians $(awk -v a="$tc" -v b="$to" 'BEGIN {printf "%.1f", a / b}')x (target <= 4x)"

echo "== 3. verify: 1,000,000 accounts, 500,000 sampled, 500,000 results"
prepare 1000000 ver ver-results.csv 500000
rm -rf ver && cp -r ver.base ver
"$BIN" -C ver record ver-results.csv >/dev/null
"$BIN" -C ver report --publish >/dev/null 2>&1
cat ver/log.jsonl ver/roster.tsv >/dev/null
v=(); o=()
for _ in $(seq "$REPS"); do
    v+=("$(wall "$BIN" verify ver)")
    o+=("$(wall openssl dgst -sha256 ver/log.jsonl ver/roster.tsv)")
done
tv=$(printf '%s\n' "${v[@]}" | median); to=$(printf '%s\n' "${o[@]}" | median)
"$TIME" -f 'verify peak RSS %M KB' "$BIN" verify ver | tail -1
echo "verify: ${v[*]} s; openssl dgst -sha256 (log $(stat -c %s ver/log.jsonl) + roster $(stat -c %s ver/roster.tsv) bytes): ${o[*]} s; ratio of medians $(awk -v a="$tv" -v b="$to" 'BEGIN {printf "%.1f", a / b}')x (target <= 4x)"
