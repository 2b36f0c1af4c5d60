#!/usr/bin/env python3
"""Write the choucha-v1 test vectors from the Python reference implementation.

    python3 tools/reference/make_vectors.py

writes tests/vectors/draw/*.json and tests/vectors/uniform.json (paths are
relative to the repository root, found from this file's location).  The
output is deterministic: running it twice gives identical bytes.  Rosters
are put in a fixed pseudo-random order (by a SHA-256 of each entry) so that
an implementation that forgets to sort ids by bytes will fail.

Each vector's "expect" is computed by choucha_v1.py; the asserts below check
that the vectors really exercise what their names promise (ties, byte order,
...), so a change of inputs cannot silently make a vector trivial.
"""

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep tools/reference free of __pycache__

import choucha_v1 as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
DRAW_DIR = os.path.join(ROOT, "tests", "vectors", "draw")
UNIFORM_PATH = os.path.join(ROOT, "tests", "vectors", "uniform.json")

WORKED_SEED = "12345678901234567890"


def write_json(path, obj):
    text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def shuffled(roster, label):
    """A fixed, seed-independent permutation of the roster entries."""
    def key(entry):
        data = ("shuffle\x00" + label + "\x00" + entry[0] + "\x00" + entry[1]).encode("utf-8")
        return hashlib.sha256(data).digest()
    return sorted(roster, key=key)


def group(spec):
    """[(stratum, [ids])] -> [(stratum, id)] in the given order."""
    return [(s, i) for s, ids in spec for i in ids]


def numbered(prefix, n, width=0):
    return [f"{prefix}{k:0{width}d}" for k in range(1, n + 1)]


def vector(description, seed, rate, allocation, roster, plan=None):
    obj = {"description": description, "seed": seed, "rate": rate, "allocation": allocation}
    if plan is not None:
        obj["plan"] = plan
    obj["roster"] = [list(entry) for entry in roster]
    result = ref.draw(seed, rate, allocation, roster, plan)
    obj["expect"] = {"quotas": result["quotas"], "sample": result["sample"]}
    return obj


def fail_vector(description, seed, rate, allocation, roster, plan, error):
    obj = {"description": description, "seed": seed, "rate": rate, "allocation": allocation,
           "plan": plan, "roster": [list(entry) for entry in roster], "expect": {"error": error}}
    try:
        ref.draw(seed, rate, allocation, roster, plan)
    except ref.DrawError as e:
        assert error in str(e), (error, str(e))
    else:
        raise AssertionError(f"{description}: draw was not refused")
    return obj


def lr_winners(seed, rate, roster):
    """Strata that received a largest-remainder extra."""
    p, q = ref.parse_rate(rate)
    strata, members = ref.strata_of(roster)
    quotas = ref.draw(seed, rate, "largest-remainder", roster)["quotas"]
    return [s for s in strata if quotas[s] > len(members[s]) * p // q]


def positive_vectors():
    v = {}

    # 1. The worked example from the specification.
    roster = group([("合肥市", numbered("A", 5)), ("省直厅局", ["B1"])])
    obj = vector("Worked example from the choucha-v1 specification: 合肥市 A1..A5 and 省直厅局 B1, "
                 "rate 1/2, largest-remainder. Remainders tie at 1; the tie-break hash gives the "
                 "single extra to 合肥市.", WORKED_SEED, "1/2", "largest-remainder", roster)
    assert obj["expect"]["quotas"] == {"合肥市": 3, "省直厅局": 0}
    assert obj["expect"]["sample"]["合肥市"] == ["A2", "A4", "A5"]
    v["worked_example"] = obj

    # 2. A stratum of exactly one account.
    roster = shuffled(group([("solo", ["S1"]), ("pair", ["P1", "P2"]), ("five", numbered("F", 5)),
                             ("six", numbered("X", 6))]), "single")
    obj = vector("A stratum with exactly one account (solo) at rate 1/2, largest-remainder, "
                 "alongside strata of 2, 5 and 6 accounts. N = 14, T = 7, floors sum to 6, one "
                 "extra goes to solo or five by the tie-break hash.",
                 "single-account-2024", "1/2", "largest-remainder", roster)
    v["single_account_stratum"] = obj

    # 3. Several odd-sized strata.
    roster = shuffled(group([("s3", numbered("c", 3)), ("s5", numbered("e", 5)),
                             ("s7", numbered("g", 7)), ("s9", numbered("i", 9))]), "odd")
    obj = vector("Odd-sized strata of 3, 5, 7 and 9 accounts at rate 1/2, largest-remainder. "
                 "N = 24, T = 12, floors sum to 10; all remainders are 1, so the tie-break "
                 "hash picks which two strata get an extra.",
                 "odd-strata", "1/2", "largest-remainder", roster)
    v["odd_strata"] = obj

    # 4. Remainder tie decided by the hash, with several extras.
    names = ["alpha", "bravo", "charlie", "delta", "echo"]
    sizes = [11, 9, 7, 5, 3]
    roster = shuffled(group([(n, numbered(n[0].upper() + "-", k, 2)) for n, k in zip(names, sizes)]),
                      "tie")
    seed = "tie-break"
    winners = lr_winners(seed, "1/2", roster)
    assert len(winners) == 3
    assert winners != names[:3], "tie must not be decided by name order"
    assert winners != ["alpha", "bravo", "charlie"], "tie must not be decided by size"
    assert winners != sorted(names, reverse=True)[:3][::-1]
    obj = vector("Five strata (11, 9, 7, 5, 3 accounts) at rate 1/2, largest-remainder: every "
                 "remainder is 1, N = 35, T = 18, floors sum to 15, so 3 extras are handed out "
                 "purely by ascending SHA-256(\"choucha-v1/alloc\\0\" + seed + \"\\0\" + stratum). "
                 f"Winners: {', '.join(winners)} (neither the first by name nor the largest).",
                 seed, "1/2", "largest-remainder", roster)
    v["remainder_tie"] = obj

    # 5. Chinese stratum names, Chinese and mixed ids, Chinese seed.
    roster = shuffled(group([
        ("省直厅局", [f"皖政-{k:03d}" for k in range(1, 8)]),
        ("合肥市", [f"合肥-{k:03d}" for k in range(1, 10)] + ["HF-甲", "HF-乙"]),
        ("亳州市", [f"亳财{k}号" for k in range(1, 5)]),
        ("黄山市", ["黄山-001", "黄山-002", "黄山-010", "黄山-A", "黄山-a", "黄山-甲"]),
        ("芜湖市", ["芜湖·一", "芜湖·二", "芜湖·三"]),
    ]), "chinese")
    obj = vector("Chinese stratum names (省直厅局, 合肥市, 亳州市, 黄山市, 芜湖市), Chinese and "
                 "mixed-script ids and a Chinese seed; rate 1/2, largest-remainder.",
                 "2024年第三季度抽查", "1/2", "largest-remainder", roster)
    v["chinese"] = obj

    # 6. floor
    roster = shuffled(group([("one", ["o1"]), ("two", ["t1", "t2"]), ("three", numbered("h", 3)),
                             ("seven", numbered("s", 7)), ("twelve", numbered("w", 12, 2))]), "floor")
    obj = vector("Allocation floor at rate 2/5: k_s = floor(2 * N_s / 5) for N_s = 1, 2, 3, 7, 12 "
                 "(quotas 0, 0, 1, 2, 4).", "floor-seed", "2/5", "floor", roster)
    assert list(obj["expect"]["quotas"].values()) == [0, 2, 1, 4, 0]  # one, seven, three, twelve, two
    v["floor"] = obj

    # 7. ceil
    roster = shuffled(group([("one", ["o1"]), ("two", ["t1", "t2"]), ("three", numbered("h", 3)),
                             ("seven", numbered("s", 7)), ("twelve", numbered("w", 12, 2))]), "ceil")
    obj = vector("Allocation ceil at rate 2/5: k_s = ceil(2 * N_s / 5) for N_s = 1, 2, 3, 7, 12 "
                 "(quotas 1, 1, 2, 3, 5). The single-account stratum is drawn with uniform(1).",
                 "ceil-seed", "2/5", "ceil", roster)
    assert list(obj["expect"]["quotas"].values()) == [1, 3, 2, 5, 1]
    v["ceil"] = obj

    # 8. quotas (a plan)
    roster = shuffled(group([("A", numbered("a", 4)), ("B", numbered("b", 6)), ("C", numbered("c", 3)),
                             ("合肥市", numbered("合-", 5))]), "quotas")
    plan = {"合肥市": 2, "C": 3, "A": 0, "B": 5}  # deliberately not in byte order
    obj = vector("Allocation quotas with a plan: A 0 (empty sample), B 5 of 6, C 3 of 3 (the whole "
                 "stratum, in drawn order), 合肥市 2 of 5. The rate is ignored under quotas.",
                 "plan-seed", "1/2", "quotas", roster, plan)
    v["quotas"] = obj

    # 9. rate 1/3
    sizes = {"r0a": 3, "r1a": 4, "r2a": 5, "r1b": 7, "r2b": 8, "r1c": 10, "r0b": 6}
    roster = shuffled(group([(s, numbered(s + "-", n)) for s, n in sizes.items()]), "third")
    seed = "one-third"
    winners = lr_winners(seed, "1/3", roster)
    assert "r2a" in winners and "r2b" in winners and len(winners) == 3
    obj = vector("Rate 1/3, largest-remainder, strata of 3, 4, 5, 6, 7, 8, 10 accounts "
                 "(remainders 0, 1, 2, 0, 1, 2, 1). N = 43, T = 15, floors sum to 12: the two "
                 "remainder-2 strata get an extra, and the hash picks one of the three "
                 f"remainder-1 strata ({[w for w in winners if w.startswith('r1')][0]}).",
                 seed, "1/3", "largest-remainder", roster)
    v["rate_one_third"] = obj

    # 10. rate 2/3: remainders are (N_s * p) mod q, not N_s mod q.
    sizes = {"p4": 4, "p5": 5, "p7": 7, "p8": 8}
    roster = shuffled(group([(s, numbered(s + "-", n)) for s, n in sizes.items()]), "two-thirds")
    seed = "two-thirds"
    winners = lr_winners(seed, "2/3", roster)
    assert sorted(winners) == ["p4", "p7"], winners
    obj = vector("Rate 2/3, largest-remainder, strata of 4, 5, 7, 8 accounts. Remainders are "
                 "(N_s * 2) mod 3 = 2, 1, 2, 1 (not N_s mod 3 = 1, 2, 1, 2). N = 24, T = 16, "
                 "floors sum to 14, so the extras go to p4 and p7.",
                 seed, "2/3", "largest-remainder", roster)
    v["rate_two_thirds"] = obj

    # 11. larger
    spec = [("蚌埠市", 50), ("阜阳市", 97), ("宿州市", 150), ("六安市", 233), ("马鞍山市", 300)]
    roster = shuffled(group([(s, [f"{s[0]}{k:03d}" for k in range(1, n + 1)]) for s, n in spec]),
                      "larger")
    obj = vector("Larger roster: 5 strata of 50, 97, 150, 233 and 300 accounts (830 in all) at "
                 "rate 1/2, largest-remainder; up to 150 u64 values (19 ChaCha20 blocks) per "
                 "stratum.", "larger-2024-Q3", "1/2", "largest-remainder", roster)
    v["larger"] = obj

    # 12. byte order
    ids_z = ["A10", "A9", "a1", "B1", "A1", "A2", "b", "Ä1", "A-1", "A_1"]
    roster = shuffled(group([
        ("Z", ids_z),
        ("a", ["x10", "x9", "X1", "x1", "é", "e", "f"]),
        ("合", ["合10", "合9", "合A", "合a", "合合"]),
        ("合肥", ["2", "10", "1"]),
        ("ｚ", ["ｚ1", "z1", "𠀀1", "Ｚ1"]),
        ("𠀀", ["𠀀", "ｚ", "~", "!"]),
    ]), "bytes")
    obj = vector("Byte order: strata Z < a < 合 < 合肥 < ｚ (U+FF5A) < 𠀀 (U+20000) by UTF-8 bytes "
                 "(UTF-16 code units would put 𠀀 before ｚ; case-insensitive or locale order "
                 "would put a before Z). Ids such as A-1 < A1 < A10 < A2 < A9 < A_1 < B1 < a1 < "
                 "b < Ä1 must be sorted by bytes, not numerically or by locale, before shuffling. "
                 "Rate 1/2, largest-remainder.", "byte-order", "1/2", "largest-remainder", roster)
    assert list(obj["expect"]["quotas"]) == ["Z", "a", "合", "合肥", "ｚ", "𠀀"]
    assert ref.byte_sorted(ids_z) == ["A-1", "A1", "A10", "A2", "A9", "A_1", "B1", "a1", "b", "Ä1"]
    v["byte_order"] = obj

    return v


def negative_vectors():
    roster = shuffled(group([("A", ["a1", "a2", "a3"]), ("B", ["b1", "b2"]), ("C", ["c1", "c2", "c3", "c4"])]),
                      "fail")
    return {
        "fail_plan_missing_stratum": fail_vector(
            "The plan gives no quota for stratum C, which the roster has: the draw is refused.",
            "fail-seed", "1/2", "quotas", roster, {"A": 1, "B": 1}, "no quota for stratum"),
        "fail_plan_quota_above_population": fail_vector(
            "The plan asks for 3 accounts from stratum B, which has only 2: the draw is refused.",
            "fail-seed", "1/2", "quotas", roster, {"A": 1, "B": 3, "C": 2}, "has only"),
        "fail_plan_unknown_stratum": fail_vector(
            "The plan names stratum D, which the roster does not have: the draw is refused.",
            "fail-seed", "1/2", "quotas", roster, {"A": 1, "B": 1, "C": 2, "D": 1},
            "which the roster does not have"),
    }


def uniform_vectors():
    zero = bytes(32)
    hefei = hashlib.sha256(b"choucha-v1\x00" + WORKED_SEED.encode("utf-8") + b"\x00"
                           + "合肥市".encode("utf-8")).digest()
    assert hefei == ref.stratum_key(WORKED_SEED, "合肥市")
    streams = []
    for key in (zero, hefei):
        ks = ref.KeyStream(key)
        values = [ks.next_u64() for _ in range(8)]
        streams.append({"key_hex": key.hex(), "u64": values, "u64_hex": [f"{x:016x}" for x in values]})
    uniforms = []
    for m in (1, 2, 3, 5, 1000, 2**63 + 1):
        ks = ref.KeyStream(zero)
        uniforms.append({"key_hex": zero.hex(), "m": m, "values": [ref.uniform(ks, m) for _ in range(5)]})
    return {"streams": streams, "uniform": uniforms}


def main():
    ref.chacha_self_test()
    os.makedirs(DRAW_DIR, exist_ok=True)
    vectors = positive_vectors()
    vectors.update(negative_vectors())
    for name, obj in vectors.items():
        write_json(os.path.join(DRAW_DIR, name + ".json"), obj)
    write_json(UNIFORM_PATH, uniform_vectors())
    for name in vectors:
        print(os.path.relpath(os.path.join(DRAW_DIR, name + ".json"), ROOT))
    print(os.path.relpath(UNIFORM_PATH, ROOT))


if __name__ == "__main__":
    main()
