#!/usr/bin/env bash
# Windows x86_64 (issue 21): cross-build with MinGW-w64 (--locked), clippy for
# the target, then the demo and a whole round (ci/e2e-round.sh) under Wine.
# CHOUCHA_SKIP_WINDOWS=1 skips it (only where the tools cannot be installed).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${CHOUCHA_SKIP_WINDOWS:-}" = 1 ]; then echo "windows: skipped (CHOUCHA_SKIP_WINDOWS=1)"; exit 0; fi
T=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$T" || rustup target add "$T"
need=()
for p in gcc-mingw-w64-x86-64 wine64 python3; do dpkg -s "$p" >/dev/null 2>&1 || need+=("$p"); done
if [ "${#need[@]}" -gt 0 ]; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
fi
cargo build --release --locked --target "$T"
cargo clippy --locked --target "$T" -- -D warnings
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
# TEST ONLY: Wine 8.0 lacks ProcessPrng; this stand-in is never shipped (ci/wine/).
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$scratch/bcryptprimitives.dll" \
    ci/wine/bcryptprimitives.c ci/wine/bcryptprimitives.def -ladvapi32
cp "target/$T/release/choucha.exe" "$scratch/"
export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="bcryptprimitives=n"
WINE=/usr/lib/wine/wine64
out="$(cd "$scratch" && "$WINE" ./choucha.exe --lang en demo 2>&1 | tr -d '\r')"
for want in "3316" "1658" "99.70%" "840" "100.00%" "verdict: ok"; do
    grep -qF -- "$want" <<<"$out" || { printf '%s\n' "$out"; echo "windows: demo lacks $want" >&2; exit 1; }
done
echo "windows: demo under Wine ok"
ci/e2e-round.sh "$scratch/轮次 工作区" "$WINE" "$scratch/choucha.exe"
echo "windows: ok"
