#!/bin/bash
# Two renfortd binaries on the ingest scenario, interleaved (A, B, A, B...), so that a busy, shared
# machine weighs on both alike: the way to tell whether a change moved the write path, when the
# medians of tests/bench/run.sh move with the machine's load.
#   tests/bench/ab_ingest.sh RENFORTD_A RENFORTD_B [rounds=5] [seconds=8]
# Prints each run, then the medians of acknowledged reports/s and ack p99 for A and B, and B/A.
# Uses renfort_load from build-bench (tests/bench/run.sh builds it). Loopback only.
set -euo pipefail
A=${1:?renfortd A}; B=${2:?renfortd B}; ROUNDS=${3:-5}; SECS=${4:-8}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LOAD=${LOAD:-$ROOT/build-bench/tests/bench/renfort_load}
[ -x "$LOAD" ] || cmake --build "$ROOT/build-bench" --target renfort_load >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/renfort-ab.XXXXXX")
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT

one() { # binary label -> "rate p99_us"
	local bin=$1 d=$WORK/$2 port=""
	rm -rf "$d"; mkdir -p "$d"
	(ulimit -n "$(ulimit -Hn)"; exec "$bin" --db "$d/r.db" --listen 127.0.0.1:0 --demo \
		--set max_connections_per_ip=100000 >"$d/out" 2>"$d/err") &
	PID=$!
	for _ in $(seq 600); do
		port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$d/err" | head -1)
		[ -n "$port" ] && break; sleep 0.1
	done
	local tok out
	tok=$(sed -n 's/.*API token for scripts: *\([^ ]*\).*/\1/p' "$d/out" | head -1)
	out=$("$LOAD" ingest -p "$port" -t "$tok" -c 16 -w 8 -d "$SECS" -W 1 -T 120 2>&1 | grep RESULT || true)
	kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
	echo "$(echo "$out" | sed -n 's/.* rate=\([0-9]*\).*/\1/p') $(echo "$out" | sed -n 's/.* p99_us=\([0-9]*\).*/\1/p')"
}

: >"$WORK/a.txt"; : >"$WORK/b.txt"
for r in $(seq "$ROUNDS"); do
	a=$(one "$A" a); echo "round $r A: $a" | tee -a /dev/stderr >/dev/null; echo "$a" >>"$WORK/a.txt"
	b=$(one "$B" b); echo "round $r B: $b" | tee -a /dev/stderr >/dev/null; echo "$b" >>"$WORK/b.txt"
done
python3 - "$WORK/a.txt" "$WORK/b.txt" <<'PY'
import statistics, sys
def load(p):
    rows = [l.split() for l in open(p) if len(l.split()) == 2]
    return [float(r[0]) for r in rows], [float(r[1]) / 1000 for r in rows]
(ar, ap), (br, bp) = load(sys.argv[1]), load(sys.argv[2])
ma, mb, pa, pb = statistics.median(ar), statistics.median(br), statistics.median(ap), statistics.median(bp)
print(f"A: {ma:,.0f} reports/s, ack p99 {pa:.2f} ms   (runs: {', '.join(f'{x:,.0f}' for x in ar)})")
print(f"B: {mb:,.0f} reports/s, ack p99 {pb:.2f} ms   (runs: {', '.join(f'{x:,.0f}' for x in br)})")
print(f"B/A: {mb / ma:.3f}x reports/s, {pb / pa:.3f}x p99")
PY
