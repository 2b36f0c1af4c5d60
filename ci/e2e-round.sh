#!/usr/bin/env bash
# One whole round end to end, as an office would run it, with Chinese file
# and directory names, a GB18030 CSV roster and an .xlsx roster: keygen,
# init, roster, seed, draw, record, report --publish, checkpoint, verify
# (and a wrong claim refused with exit 1), bundle.
#
#   ci/e2e-round.sh WORKDIR CMD...     e.g. ci/e2e-round.sh /tmp/x wine64 choucha.exe
#
# CMD is how to run choucha (the host binary, or Wine and the .exe); it is
# run with WORKDIR as its current directory and relative paths, so that the
# same script serves Linux and Windows. Needs python3 (to write the inputs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
work="$1"; shift
mkdir -p "$work"
cd "$work"
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }
# run EXPECTED_EXIT ARGS...: output in $out (stdout and stderr, CR removed).
run() {
    local want="$1"; shift
    set +e
    out="$("$@" 2>&1)"; local rc=$?
    set -e
    out="${out//$'\r'/}"
    if [ "$rc" != "$want" ]; then
        printf '%s\n' "$out" >&2
        fail "exit $rc (wanted $want): ${*: -6}"
    fi
}
has() { grep -qF -- "$1" <<<"$out" || { printf '%s\n' "$out" >&2; fail "output lacks: $1"; }; }
c() { run 0 "$@"; }

# The inputs: the first 400 accounts of the Anhui sample, as GB18030.
python3 - "$here/samples/anhui-2023q3/new-media-roster.csv" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[:401]
open("备案名单.csv", "wb").write(("\n".join(lines) + "\n").encode("gb18030"))
PY
mkdir -p 抽查工作/密钥

c "$@" --lang zh keygen 抽查工作/密钥/省办公室
c "$@" --lang en init 抽查工作/第三季度 --round e2e-2023q3 --population 政务新媒体 \
    --rate 50% --title 2023年第三季度全省政务新媒体抽查情况
R=抽查工作/第三季度
c "$@" --lang en -C "$R" roster 备案名单.csv
has "committed 400 accounts"
has "as gb18030"
digest="$(sed -n 's/^\([0-9a-f]\{64\}\)  roster.tsv$/\1/p' <<<"$out")"
[ "${#digest}" = 64 ] || fail "no digest in: $out"
[ "$(sha256sum "$R/roster.tsv" | cut -d' ' -f1)" = "$digest" ] || fail "roster.tsv digest"
c "$@" --lang en -C "$R" seed 31415926535897932384 --source "2023-08-22 会上公开掷骰"
c "$@" --lang en -C "$R" draw --sign-key 抽查工作/密钥/省办公室
[ -s "$R/sample.csv" ] && [ -s "$R/sample.xlsx" ] && [ -s "$R/manifest.json" ] || fail "draw's files"

# The inspectors' results: every account passes but the first, Chinese headers.
python3 - "$R/sample.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
id_col = next(k for k in rows[0] if k.lower() in ("id", "账号id"))
with open("检查结果.csv", "w", encoding="utf-8", newline="") as f:
    f.write("账号ID,检查结果,原因,备注,检查人,检查日期\n")
    for i, r in enumerate(rows):
        v, why = ("不合格", "NM_NOT_UPDATED") if i == 0 else ("合格", "")
        f.write(f"{r[id_col]},{v},{why},,张三,2023-08-23\n")
PY
n="$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))))' "$R/sample.csv")"
c "$@" --lang en -C "$R" record 检查结果.csv
has "recorded $n result(s) ($((n - 1)) pass, 1 fail)"
c "$@" --lang zh -C "$R" report --publish --format csv -o 通报表格.csv
[ -s 通报表格.csv ] || fail "report wrote no table"
c "$@" --lang en -C "$R" checkpoint --key 抽查工作/密钥/省办公室
cp_file="$(ls "$R/checkpoints" | sort -n | tail -1)"
rate="$(python3 -c "print(f'{($n-1)/$n*100:.2f}%')")"
c "$@" --lang en verify "$R" --published 通报表格.csv \
    --claim "checked=$n" --claim failed=1 --claim "pass-rate=$rate" \
    --checkpoint "$R/checkpoints/$cp_file" --pubkey 抽查工作/密钥/省办公室.pub
run 1 "$@" --lang en verify "$R" --claim "checked=$n" --claim failed=0
c "$@" --lang en verify-signature "$R/manifest.json" --pubkey 抽查工作/密钥/省办公室.pub
c "$@" --lang en bundle "$R" -o 公开材料 --sign-key 抽查工作/密钥/省办公室
(cd 公开材料 && sha256sum -c --quiet SHA256SUMS) || fail "bundle SHA256SUMS"

# The drawn sample as an .xlsx roster (the registry's exports are Excel).
c "$@" --lang en init 抽查工作/复查 --round e2e-recheck --population 政务新媒体 --rate 100%
c "$@" --lang en -C 抽查工作/复查 roster "$R/sample.xlsx"
has "committed $n accounts"
has "as xlsx"
echo "e2e: a whole round passed ($n of 400 drawn; $rate)"
