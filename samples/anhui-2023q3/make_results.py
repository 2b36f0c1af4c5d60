#!/usr/bin/env python3
"""Writes the example rounds' inspection results from their draw.

The results must name the sampled accounts, so this script first draws both
example rounds with choucha itself (the binary given as the first argument,
default target/debug/choucha) in a temporary directory, then writes:

- new-media-results.csv: every sampled account passes except five, as in
  附件2 of the notice: 3 in 省直厅局, 1 in 亳州市, 1 in 黄山市, reason
  NM_NOT_UPDATED (内容不更新: 更新不及时);
- websites-results.csv: all 840 websites pass, as in 附件1.

Deterministic: the same roster, plan and seed give the same files.
Run: cargo build && python3 samples/anhui-2023q3/make_results.py
"""
import csv, json, os, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "target", "debug", "choucha")
SEED, SOURCE = open(os.path.join(HERE, "seed.txt"), encoding="utf-8").read().splitlines()[:2]
# (stratum, rank) of the five failures: fixed, spread over the sample.
FAILURES = {("省直厅局", 12), ("省直厅局", 47), ("省直厅局", 80), ("亳州市", 33), ("黄山市", 71)}
DAYS = ["2023-08-23", "2023-08-24", "2023-08-25"]


def draw(tmp, name, roster, plan, rate):
    d = os.path.join(tmp, name)
    run = lambda *a: subprocess.run([BIN, *a], check=True, capture_output=True)
    run("init", d, "--round", name, "--population", "政务新媒体" if "media" in name else "政府网站",
        "--rate", rate, "--allocation", "quotas=" + os.path.join(HERE, plan))
    run("-C", d, "roster", os.path.join(HERE, roster))
    run("-C", d, "seed", SEED, "--source", SOURCE)
    run("-C", d, "draw")
    return json.load(open(os.path.join(d, "manifest.json"), encoding="utf-8"))


def write(path, manifest, failing):
    rows = []
    for s in manifest["strata"]:
        for rank, i in enumerate(s["ids"], 1):
            fail = (s["name"], rank) in failing
            day = DAYS[(rank + len(s["name"])) % len(DAYS)]
            rows.append([i, "fail" if fail else "pass", "NM_NOT_UPDATED" if fail else "",
                         "检查前两周内未更新" if fail else "", "省政府网站管理中心", day])
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "verdict", "reason", "note", "inspector", "checked_at"])
        w.writerows(rows)
    return sum(r[1] == "fail" for r in rows), len(rows)


with tempfile.TemporaryDirectory() as tmp:
    nm = draw(tmp, "anhui-2023q3-new-media", "new-media-roster.csv", "new-media-quotas.csv", "50%")
    web = draw(tmp, "anhui-2023q3-websites", "websites-roster.csv", "websites-quotas.csv", "100%")
print("new media: %d failed of %d" % write(os.path.join(HERE, "new-media-results.csv"), nm, FAILURES))
print("websites: %d failed of %d" % write(os.path.join(HERE, "websites-results.csv"), web, set()))
