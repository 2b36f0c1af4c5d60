#!/usr/bin/env python3
"""Reference implementation of the choucha-v1 draw algorithm.

This file is deliberately independent of the Rust implementation in src/.
It uses only the Python 3.11 standard library (hashlib, json) and contains
its own ChaCha20 block function (RFC 8439), so that an auditor can read the
whole algorithm in one place and "redraw it in another language".

The algorithm, in short
-----------------------
Inputs: a seed (str), a rate p/q in lowest terms, an allocation rule and a
roster of (stratum, id) pairs with unique ids.  Every "sort" below is by the
UTF-8 encoding of the strings, compared as bytes.

1. Strata are the distinct stratum names, sorted by bytes.  N_s is the
   number of accounts in stratum s, N the total.
2. Quotas k_s:
     floor              k_s = floor(N_s * p / q)
     ceil               k_s = ceil(N_s * p / q)
     largest-remainder  T = ceil(N * p / q); k_s starts at floor(N_s * p / q);
                        the first (T - sum k_s) strata, ordered by remainder
                        (N_s * p) mod q descending, then by
                        SHA-256("choucha-v1/alloc" 0x00 seed 0x00 stratum)
                        ascending as bytes, get one more each.
     quotas             a plan {stratum: k} fixed in advance; it must name
                        every stratum of the roster and nothing else, with
                        0 <= k_s <= N_s, or the draw is refused.
3. Each stratum has its own random stream: ChaCha20 keyed with
   K_s = SHA-256("choucha-v1" 0x00 seed 0x00 stratum), nonce = 12 zero bytes,
   block counter 0, 1, 2, ...; the stream is read 8 bytes at a time as
   little-endian unsigned 64-bit integers.
4. uniform(m): limit = 2^64 - (2^64 mod m); draw x until x < limit;
   return x mod m.  (Rejection removes the modulo bias.)
5. a = the stratum's ids sorted by bytes.  For i = 0 .. k_s - 1:
   j = i + uniform(N_s - i); swap a[i], a[j].  The sample is a[0:k_s],
   in that order (rank 1, 2, ...).  This is a partial Fisher-Yates shuffle.

Usage
-----
    python3 choucha_v1.py VECTOR.json          print the computed result
    python3 choucha_v1.py --check DIR          recompute every DIR/*.json and
                                               compare with its "expect"
    python3 choucha_v1.py --check-uniform FILE check a uniform.json file
    python3 choucha_v1.py --self-test          ChaCha20 known-answer tests
    python3 choucha_v1.py --round DIR          redraw a round (or a bundle) from
                                               its roster.tsv, manifest.json and
                                               log.jsonl, and compare byte for byte

Every mode runs the ChaCha20 self-test first.
"""

import hashlib
import json
import os
import sys

MASK32 = 0xFFFFFFFF
TWO_64 = 1 << 64

ALLOCATIONS = ("largest-remainder", "ceil", "floor", "quotas")


class DrawError(Exception):
    """The inputs do not describe a valid draw; the draw is refused."""


# ---------------------------------------------------------------------------
# ChaCha20 (RFC 8439, section 2.3)
# ---------------------------------------------------------------------------

def _rotl32(v, c):
    return ((v << c) & MASK32) | (v >> (32 - c))


def _quarter_round(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & MASK32
    s[d] = _rotl32(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & MASK32
    s[b] = _rotl32(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & MASK32
    s[d] = _rotl32(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & MASK32
    s[b] = _rotl32(s[b] ^ s[c], 7)


def _le_words(data):
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4)]


def chacha20_block(key, counter, nonce):
    """One 64-byte ChaCha20 block: 32-byte key, 32-bit counter, 12-byte nonce."""
    if len(key) != 32 or len(nonce) != 12 or not 0 <= counter <= MASK32:
        raise ValueError("bad ChaCha20 parameters")
    constants = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]  # "expand 32-byte k"
    initial = constants + _le_words(key) + [counter] + _le_words(nonce)
    s = list(initial)
    for _ in range(10):  # 10 double rounds = 20 rounds
        # column rounds
        _quarter_round(s, 0, 4, 8, 12)
        _quarter_round(s, 1, 5, 9, 13)
        _quarter_round(s, 2, 6, 10, 14)
        _quarter_round(s, 3, 7, 11, 15)
        # diagonal rounds
        _quarter_round(s, 0, 5, 10, 15)
        _quarter_round(s, 1, 6, 11, 12)
        _quarter_round(s, 2, 7, 8, 13)
        _quarter_round(s, 3, 4, 9, 14)
    out = bytearray()
    for word, init in zip(s, initial):
        out += ((word + init) & MASK32).to_bytes(4, "little")
    return bytes(out)


class KeyStream:
    """ChaCha20 keystream (nonce 0, counter from 0) read as little-endian u64s."""

    def __init__(self, key):
        self.key = bytes(key)
        self.counter = 0
        self.buffer = b""
        self.pos = 0

    def next_u64(self):
        if self.pos == len(self.buffer):
            # 64 bytes per block = exactly 8 u64 values, so no value straddles
            # a block boundary.
            self.buffer = chacha20_block(self.key, self.counter, bytes(12))
            self.counter += 1
            self.pos = 0
        x = int.from_bytes(self.buffer[self.pos:self.pos + 8], "little")
        self.pos += 8
        return x


def uniform(stream, m):
    """Unbiased integer in [0, m) by rejection sampling, for 1 <= m <= 2^64."""
    if not 1 <= m <= TWO_64:
        raise ValueError("uniform(m) needs 1 <= m <= 2^64")
    limit = TWO_64 - (TWO_64 % m)
    while True:
        x = stream.next_u64()
        if x < limit:
            return x % m


def chacha_self_test():
    """Known-answer tests; raises AssertionError on failure."""
    # RFC 8439 section 2.3.2: key 00 01 .. 1f, nonce 00 00 00 09 00 00 00 4a
    # 00 00 00 00, block counter 1.
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a00000000")
    expected = bytes.fromhex(
        "10f1e7e4d13b5915500fdd1fa32071c4"
        "c7d1f4c733c068030422aa9ac3d46c4e"
        "d2826446079faa0914c2d705d98b02a2"
        "b5129cd1de164eb9cbd083e8a2503c4e"
    )
    got = chacha20_block(key, 1, nonce)
    assert got == expected, "ChaCha20 block does not match RFC 8439 2.3.2"
    # Zero key, zero nonce, counter 0 (given in the choucha-v1 specification).
    zs = KeyStream(bytes(32))
    assert zs.next_u64() == 0x903DF1A0ADE0B876, "zero-key u64 #1 is wrong"
    assert zs.next_u64() == 0x28BD8653E56A5D40, "zero-key u64 #2 is wrong"


# ---------------------------------------------------------------------------
# choucha-v1
# ---------------------------------------------------------------------------

def utf8(s):
    return s.encode("utf-8")


def byte_sorted(strings):
    """Sort strings by their UTF-8 encodings compared as bytes."""
    return sorted(strings, key=utf8)


def stratum_key(seed, stratum):
    return hashlib.sha256(b"choucha-v1" + b"\x00" + utf8(seed) + b"\x00" + utf8(stratum)).digest()


def alloc_tiebreak(seed, stratum):
    return hashlib.sha256(b"choucha-v1/alloc" + b"\x00" + utf8(seed) + b"\x00" + utf8(stratum)).digest()


def parse_rate(rate):
    """'p/q' -> (p, q).  Requires lowest terms and 0 <= p/q <= 1."""
    parts = rate.split("/")
    if len(parts) != 2 or not all(part.isascii() and part.isdigit() for part in parts):
        raise DrawError(f"rate {rate!r} is not of the form p/q")
    p, q = int(parts[0]), int(parts[1])
    if q == 0:
        raise DrawError(f"rate {rate!r} has a zero denominator")
    a, b = p, q
    while b:
        a, b = b, a % b
    if a != 1:
        raise DrawError(f"rate {rate!r} is not in lowest terms")
    if p > q:
        raise DrawError(f"rate {rate!r} is above 1")
    return p, q


def strata_of(roster):
    """Return (strata in byte order, {stratum: [ids]})."""
    members = {}
    seen_ids = set()
    for stratum, account_id in roster:
        if account_id in seen_ids:
            raise DrawError(f"account id {account_id!r} appears more than once")
        seen_ids.add(account_id)
        members.setdefault(stratum, []).append(account_id)
    return byte_sorted(members), members


def compute_quotas(seed, p, q, allocation, strata, sizes, plan=None):
    """Return {stratum: k_s} (keys in byte order of stratum names)."""
    if allocation == "floor":
        return {s: (sizes[s] * p) // q for s in strata}
    if allocation == "ceil":
        return {s: -((-sizes[s] * p) // q) for s in strata}
    if allocation == "largest-remainder":
        total = sum(sizes[s] for s in strata)
        target = -((-total * p) // q)  # ceil(N * p / q)
        quotas = {s: (sizes[s] * p) // q for s in strata}
        extras = target - sum(quotas.values())
        order = sorted(strata, key=lambda s: (-((sizes[s] * p) % q), alloc_tiebreak(seed, s)))
        for s in order[:extras]:
            quotas[s] += 1
        return quotas
    if allocation == "quotas":
        if plan is None:
            raise DrawError("allocation 'quotas' needs a plan")
        for s in strata:
            if s not in plan:
                raise DrawError(f"the plan gives no quota for stratum {s!r}")
        for s in byte_sorted(plan):
            if s not in sizes:
                raise DrawError(f"the plan names stratum {s!r}, which the roster does not have")
        for s in strata:
            k = plan[s]
            if not isinstance(k, int) or isinstance(k, bool) or k < 0:
                raise DrawError(f"the plan's quota for stratum {s!r} is not a non-negative integer")
            if k > sizes[s]:
                raise DrawError(f"the plan asks for {k} accounts from stratum {s!r}, which has only {sizes[s]}")
        return {s: plan[s] for s in strata}
    raise DrawError(f"unknown allocation rule {allocation!r}")


def sample_stratum(seed, stratum, ids, k):
    """Partial Fisher-Yates shuffle of the byte-sorted ids; first k, in rank order."""
    a = byte_sorted(ids)
    stream = KeyStream(stratum_key(seed, stratum))
    n = len(a)
    for i in range(k):
        j = i + uniform(stream, n - i)
        a[i], a[j] = a[j], a[i]
    return a[:k]


def draw(seed, rate, allocation, roster, plan=None):
    """Run choucha-v1.  Returns {"quotas": {...}, "sample": {...}}; raises DrawError."""
    if allocation not in ALLOCATIONS:
        raise DrawError(f"unknown allocation rule {allocation!r}")
    p, q = parse_rate(rate)
    strata, members = strata_of(roster)
    sizes = {s: len(members[s]) for s in strata}
    quotas = compute_quotas(seed, p, q, allocation, strata, sizes, plan)
    sample = {s: sample_stratum(seed, s, members[s], quotas[s]) for s in strata}
    return {"quotas": quotas, "sample": sample}


# ---------------------------------------------------------------------------
# Vector files
# ---------------------------------------------------------------------------

def run_vector(vector):
    """Compute a vector file's result: {"quotas", "sample"} or {"error": message}."""
    try:
        return draw(
            vector["seed"],
            vector["rate"],
            vector["allocation"],
            [tuple(entry) for entry in vector["roster"]],
            vector.get("plan"),
        )
    except DrawError as e:
        return {"error": str(e)}


def check_vector(path):
    """Return a list of problems (empty if the vector's expectation holds)."""
    with open(path, encoding="utf-8") as f:
        vector = json.load(f)
    expect = vector["expect"]
    got = run_vector(vector)
    name = os.path.basename(path)
    problems = []
    if "error" in expect:
        if not name.startswith("fail_"):
            problems.append("expects an error but is not named fail_*")
        if "error" not in got:
            problems.append(f"expected an error containing {expect['error']!r}, but the draw succeeded")
        elif expect["error"] not in got["error"]:
            problems.append(f"expected an error containing {expect['error']!r}, got {got['error']!r}")
        return problems
    if name.startswith("fail_"):
        problems.append("named fail_* but expects a result")
    if "error" in got:
        return problems + [f"draw refused: {got['error']}"]
    for part in ("quotas", "sample"):
        if expect[part] != got[part]:
            problems.append(f"{part} differ: expected {expect[part]}, got {got[part]}")
        elif list(expect[part]) != list(got[part]):
            problems.append(f"{part} keys are not in byte order of stratum names")
    return problems


def check_dir(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".json"))
    if not names:
        print(f"no vector files in {directory}", file=sys.stderr)
        return 1
    failures = 0
    for name in names:
        problems = check_vector(os.path.join(directory, name))
        if problems:
            failures += 1
            print(f"FAIL {name}")
            for problem in problems:
                print(f"     {problem}")
        else:
            print(f"ok   {name}")
    print(f"{len(names) - failures}/{len(names)} vectors ok")
    return 1 if failures else 0


def compute_uniform_file(data):
    """Recompute the "u64"/"u64_hex"/"values" fields of a uniform.json object."""
    streams = []
    for entry in data["streams"]:
        ks = KeyStream(bytes.fromhex(entry["key_hex"]))
        values = [ks.next_u64() for _ in range(len(entry["u64"]))]
        streams.append({"key_hex": entry["key_hex"], "u64": values,
                        "u64_hex": [f"{v:016x}" for v in values]})
    uniforms = []
    for entry in data["uniform"]:
        ks = KeyStream(bytes.fromhex(entry["key_hex"]))
        values = [uniform(ks, entry["m"]) for _ in range(len(entry["values"]))]
        uniforms.append({"key_hex": entry["key_hex"], "m": entry["m"], "values": values})
    return {"streams": streams, "uniform": uniforms}


def check_uniform(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    got = compute_uniform_file(data)
    expected = {"streams": [{k: e[k] for k in ("key_hex", "u64", "u64_hex")} for e in data["streams"]],
                "uniform": [{k: e[k] for k in ("key_hex", "m", "values")} for e in data["uniform"]]}
    if got != expected:
        print(f"FAIL {path}")
        return 1
    print(f"ok   {path}")
    return 0


def check_round(d):
    """Redraw the round in directory d; return a list of problems (empty: it holds).

    Reads manifest.json (seed, rate, allocation), roster.tsv (the committed
    roster, SPEC section 2) and, with allocation "quotas", quotas.csv; checks
    the digests the log records; redraws; and compares the manifest that
    choucha-v1 gives, as SPEC section 6 serialises it, with manifest.json
    byte for byte.
    """
    def read(name):
        with open(os.path.join(d, name), "rb") as f:
            return f.read()

    problems = []
    manifest_bytes = read("manifest.json")
    m = json.loads(manifest_bytes.decode("utf-8"))
    tsv = read("roster.tsv")
    digest = hashlib.sha256(tsv).hexdigest()
    if digest != m["roster_sha256"]:
        problems.append(f"roster.tsv has sha256 {digest}, the manifest {m['roster_sha256']}")
    records = [json.loads(line) for line in read("log.jsonl").decode("utf-8").splitlines() if line]
    committed = [r["roster_sha256"] for r in records if r.get("type") == "roster-committed"]
    if not committed or committed[-1] != m["roster_sha256"]:
        problems.append("the log's last roster-committed record is not the manifest's roster")
    seeds = [r["seed"] for r in records if r.get("type") == "seed-revealed"]
    if seeds != [m["seed"]]:
        problems.append("the log's seed-revealed record is not the manifest's seed")
    drawn = [r["manifest_sha256"] for r in records if r.get("type") == "sample-drawn"]
    if drawn != [hashlib.sha256(manifest_bytes).hexdigest()]:
        problems.append("manifest.json is not the one the log's sample-drawn record names")
    roster = []
    for line in tsv.decode("utf-8").split("\n")[:-1]:
        stratum, account_id = line.split("\t")
        roster.append((stratum, account_id))
    plan = None
    if m["allocation"] == "quotas":
        plan_bytes = read("quotas.csv")
        if hashlib.sha256(plan_bytes).hexdigest() != m.get("quotas_sha256"):
            problems.append("quotas.csv is not the plan the manifest names")
        import csv, io
        text = plan_bytes.decode("utf-8-sig")
        plan = {}
        for row in csv.reader(io.StringIO(text)):
            if len(row) >= 2 and row[1].strip().isdigit():
                plan[row[0].strip()] = int(row[1].strip())
    try:
        got = draw(m["seed"], m["rate"], m["allocation"], roster, plan)
    except DrawError as e:
        return problems + [f"the draw is refused: {e}"]
    sizes = {}
    for stratum, _ in roster:
        sizes[stratum] = sizes.get(stratum, 0) + 1
    expected = dict(m)
    expected["sample_size"] = sum(got["quotas"].values())
    expected["strata"] = [
        {"name": s, "population": sizes[s], "quota": got["quotas"][s], "ids": got["sample"][s]}
        for s in got["quotas"]
    ]
    again = (json.dumps(expected, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if again != manifest_bytes:
        problems.append("redrawn, the manifest differs from manifest.json")
    return problems


def main(argv):
    chacha_self_test()
    if len(argv) == 1 and argv[0] == "--self-test":
        print("ChaCha20 self-test ok")
        return 0
    if len(argv) == 2 and argv[0] == "--check":
        return check_dir(argv[1])
    if len(argv) == 2 and argv[0] == "--check-uniform":
        return check_uniform(argv[1])
    if len(argv) == 2 and argv[0] == "--round":
        problems = check_round(argv[1])
        for p in problems:
            print(f"FAILED: {p}")
        if not problems:
            print(f"ok: {argv[1]}: the draw redone from roster.tsv gives manifest.json byte for byte")
        return 1 if problems else 0
    if len(argv) == 1 and not argv[0].startswith("--"):
        with open(argv[0], encoding="utf-8") as f:
            vector = json.load(f)
        print(json.dumps(run_vector(vector), ensure_ascii=False, indent=2))
        return 0
    print(__doc__.split("Usage\n-----\n")[1].split("\nEvery mode")[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
