#!/usr/bin/env python3
"""choucha serve under load, on loopback only (issue 19's targets: a result
POST p99 <= 20 ms with 32 concurrent sessions; GET /api/sample of 5,000
rows <= 50 ms).

Usage: bench/serve_api.py [BIN]   (default target/release/choucha)
Env: BENCH_ACCOUNTS (default 10000: 5,000 sampled at 50%), BENCH_SESSIONS
(32), BENCH_POSTS (posts per session, 30), BENCH_GETS (20), BENCH_DIR
(default target/bench).

Makes a round of BENCH_ACCOUNTS accounts in 32 regions, one inspector per
region, starts the server on 127.0.0.1 (a free port), signs every inspector
in, then each session posts its results one after the other, all sessions
at once; then an auditor fetches the whole sample BENCH_GETS times. Prints
p50/p99/max of each. Every request goes to this machine's loopback address
and the loops are bounded; the server is stopped with SIGTERM at the end.
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import http.cookiejar

root = pathlib.Path(__file__).resolve().parents[1]
binary = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "target/release/choucha").resolve()
accounts = int(os.environ.get("BENCH_ACCOUNTS", "10000"))
sessions = int(os.environ.get("BENCH_SESSIONS", "32"))
posts = int(os.environ.get("BENCH_POSTS", "30"))
gets = int(os.environ.get("BENCH_GETS", "20"))
work = pathlib.Path(os.environ.get("BENCH_DIR", root / "target/bench")) / "serve"
password = "bench-password-1"


def run(*args, stdin=None):
    subprocess.run([str(binary), *args], input=stdin, check=True, capture_output=True, text=True)


shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
regions = [f"R{r:02d}" for r in range(sessions)]
with open(work / "roster.csv", "w", encoding="utf-8") as f:
    f.write("id,region,name\n")
    for i in range(accounts):
        f.write(f"ID{i:07d},{regions[i % len(regions)]},account {i}\n")
rnd = work / "round"
run("init", str(rnd), "--round", "bench", "--population", "政务新媒体", "--rate", "1/2")
run("-C", str(rnd), "roster", str(work / "roster.csv"))
run("-C", str(rnd), "seed", "12345678901234567890", "--source", "bench")
run("-C", str(rnd), "draw")
for r in regions:
    run("-C", str(rnd), "user", "add", f"i{r}", "--role", "inspector", "--region", r,
        "--password-stdin", stdin=password + "\n")
run("-C", str(rnd), "user", "add", "audit", "--role", "auditor", "--password-stdin", stdin=password + "\n")
manifest = json.loads((rnd / "manifest.json").read_text(encoding="utf-8"))
ids = {s["name"]: s["ids"] for s in manifest["strata"]}

server = subprocess.Popen([str(binary), "-C", str(rnd), "serve", "--listen", "127.0.0.1:0"],
                          stdout=subprocess.PIPE, text=True)
line = server.stdout.readline()
base = line[line.index("http://"):].split()[0]


def client(user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    req = urllib.request.Request(base + "/api/login", json.dumps({"user": user, "password": password}).encode(),
                                 {"Content-Type": "application/json"})
    csrf = json.load(opener.open(req))["csrf"]
    return opener, csrf


def pct(times, p):
    s = sorted(times)
    return s[min(len(s) - 1, int(len(s) * p / 100))] * 1000


try:
    clients = [client(f"i{r}") for r in regions]
    post_times = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def worker(k):
        opener, csrf = clients[k]
        mine = []
        start.wait()
        for id_ in ids[regions[k]][:posts]:
            body = json.dumps({"id": id_, "verdict": "pass"}).encode()
            req = urllib.request.Request(base + "/api/results", body,
                                         {"Content-Type": "application/json", "X-CSRF-Token": csrf})
            t = time.perf_counter()
            with opener.open(req) as r:
                r.read()
                assert r.status == 201
            mine.append(time.perf_counter() - t)
        with lock:
            post_times.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(clients))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    print(f"POST /api/results: {len(post_times)} by {len(clients)} concurrent sessions in {wall:.2f} s; "
          f"p50 {pct(post_times, 50):.1f} ms, p99 {pct(post_times, 99):.1f} ms, max {max(post_times) * 1000:.1f} ms")

    opener, _ = client("audit")
    get_times = []
    rows = 0
    for _ in range(gets):
        t = time.perf_counter()
        with opener.open(base + "/api/sample") as r:
            rows = len(json.load(r)["accounts"])
        get_times.append(time.perf_counter() - t)
    print(f"GET /api/sample ({rows} rows) x {gets}: p50 {pct(get_times, 50):.1f} ms, "
          f"p99 {pct(get_times, 99):.1f} ms, max {max(get_times) * 1000:.1f} ms")
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
