#!/usr/bin/env python3
"""Runs the chain check printed in SPEC.md §5 on each log vector.

Usage: tools/reference/check_log_vectors.py tests/vectors/log

Each ok_* file must pass it and each fail_* file must be refused by it, as
`choucha log check` does (tests/vectors/log/README.md).
"""
import pathlib
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parents[2]
spec = (root / "SPEC.md").read_text(encoding="utf-8")
start = spec.index("Checking the chain needs nothing")
start = spec.index("```python\n", start) + len("```python\n")
script = spec[start : spec.index("```", start)]

bad = 0
files = sorted(pathlib.Path(sys.argv[1]).glob("*.jsonl"))
for f in files:
    r = subprocess.run([sys.executable, "-c", script, str(f)], capture_output=True)
    want_ok = f.name.startswith("ok_")
    if (r.returncode == 0) != want_ok:
        bad += 1
        print(f"{f.name}: expected {'acceptance' if want_ok else 'refusal'}, got exit {r.returncode}")
if not files or bad:
    sys.exit(1)
print(f"{len(files)} log vectors: the SPEC §5 check agrees")
