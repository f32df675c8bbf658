#!/bin/bash
# The benchmark of issue 3, in one command:  tests/bench/run.sh [--quick] [--runs N]
#
# Builds renfortd (Release) and the two benchmark programs of this folder, builds peerbench's
# wsload, sqlbench and lws_bcast from $PEERBENCH (default ../shared/tools/peerbench) into a temporary
# folder, then measures each scenario next to its reference, in the same run, on this machine:
#   - durable acknowledged stock reports/s and ack p99 (renfortd, websocket clients) and the store
#     layer alone (store_bench), next to raw batched SQLite inserts (sqlbench, WAL + synchronous=FULL),
#     without an index and with one on (site, item, time), and next to SQLite alone running the
#     statements renfort runs for each report on the same database (store_bench -r);
#   - report -> subscriber latency and deliveries/s, 1,000 subscribers, at 100 and 150 reports/s and in
#     a burst, next to mosquitto (MQTT over websockets, the same payload size, the same subscriber count),
#     and at 100/s next to a bare epoll broadcast server (peerbench's raw_bcast, the floor);
#   - process memory per idle websocket at 10,000 and 19,900 connections, next to mosquitto.
# Every scenario runs RUNS times (3; --quick: 1 and shorter); the table shows medians, ratios and the
# issue's targets with PASS/MISS. Loopback only; everything started here is stopped here.
# Environment: PEERBENCH, BUILD_DIR (default build-bench), INGEST_CONNS / INGEST_WINDOW (16 / 8).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERBENCH=${PEERBENCH:-$ROOT/../shared/tools/peerbench}
BUILD=${BUILD_DIR:-$ROOT/build-bench}
RUNS=3
QUICK=0
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1; RUNS=1 ;;
	--runs) RUNS=${2:?--runs needs a number}; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown option $1 (--quick, --runs N)" >&2; exit 2 ;;
	esac
	shift
done

# scenario sizes
if [ "$QUICK" = 1 ]; then
	INGEST_S=4; FAN_MSGS=500; SQL_ROWS=500000; STORE_N=50000; STORE_S=5
else
	INGEST_S=10; FAN_MSGS=1000; SQL_ROWS=1000000; STORE_N=150000; STORE_S=8
fi
INGEST_CONNS=${INGEST_CONNS:-16}
INGEST_WINDOW=${INGEST_WINDOW:-8}
FAN_SUBS=1000
IDLE_COUNTS="10000 19900"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/renfort-bench.XXXXXX")
LOG=$WORK/logs
mkdir -p "$LOG"
METRICS=$WORK/metrics.txt
: > "$METRICS"
SRV_PID=""

cleanup() {
	set +e
	[ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null
	# anything a peerbench script started with its configuration in our folder (mosquitto, lws_bcast)
	for p in $(pgrep -f "$WORK/" 2>/dev/null); do
		[ "$p" != "$$" ] && kill "$p" 2>/dev/null
	done
	rm -f "$WORK"/*/*.db "$WORK"/*/*.db-wal "$WORK"/*/*.db-shm "$WORK"/pb/*.db* 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*" >&2; }
metric() { echo "$1 $2" >> "$METRICS"; }
kv() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<< "$2" | head -1; }

# --- build --------------------------------------------------------------------------------------------
say "== dependencies"
need=0
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need=1
for pc in libwebsockets sqlite3 libcjson; do pkg-config --exists "$pc" 2>/dev/null || need=1; done
[ "$need" = 1 ] && "$ROOT/deploy/install-deps.sh" --test
[ -x /usr/sbin/mosquitto ] || { say "run.sh: mosquitto is missing (deploy/install-deps.sh --test)"; exit 1; }

say "== build renfortd (Release) and the benchmark programs in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRENFORT_WERROR=OFF -DRENFORT_SANITIZE=OFF >"$LOG/cmake.log"
cmake --build "$BUILD" -j"$(nproc)" --target renfortd renfort_load store_bench >>"$LOG/cmake.log" 2>&1 ||
	{ tail -30 "$LOG/cmake.log" >&2; exit 1; }
RENFORTD=$BUILD/server/renfortd
LOAD=$BUILD/tests/bench/renfort_load
STORE_BENCH=$BUILD/tests/bench/store_bench

say "== build peerbench from $PEERBENCH"
PB=$WORK/pb
mkdir -p "$PB"
cp "$PEERBENCH"/*.c "$PEERBENCH"/*.sh "$PB"/
chmod u+w "$PB"/*
gcc -O2 -o "$PB/wsload" "$PB/wsload.c"
gcc -O2 -o "$PB/sqlbench" "$PB/sqlbench.c" -lsqlite3
gcc -O2 -o "$PB/lws_bcast" "$PB/lws_bcast.c" -lwebsockets
gcc -O2 -o "$PB/raw_bcast" "$PB/raw_bcast.c"

# --- renfortd -------------------------------------------------------------------------------------------
# start_renfortd DIR [args]: a fresh server on a free port; sets SRV_PID, SRV_PORT
start_renfortd() {
	local d=$1; shift
	mkdir -p "$d"
	: >"$d/stdout.log"
	: >"$d/stderr.log"
	(ulimit -n "$(ulimit -Hn)"; exec "$RENFORTD" --db "$d/renfort.db" --listen 127.0.0.1:0 --log-level info \
		--set max_connections_per_ip=100000 "$@" >"$d/stdout.log" 2>"$d/stderr.log") &
	SRV_PID=$!
	SRV_PORT=""
	for _ in $(seq 300); do
		SRV_PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\)\/.*/\1/p' "$d/stderr.log" 2>/dev/null | head -1 || true)
		[ -n "$SRV_PORT" ] && break
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$SRV_PORT" ] || { say "renfortd did not start:"; cat "$d/stderr.log" >&2; exit 1; }
}
stop_renfortd() {
	kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID=""
}
demo_token() { sed -n 's/.*API token for scripts: *\([^ ]*\).*/\1/p' "$1/stdout.log" 2>/dev/null | head -1 || true; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# --- scenarios ------------------------------------------------------------------------------------------
run_sql() { # raw SQLite, then the store layer
	local r=$1 out
	out=$("$PB/sqlbench" "$WORK/sql.db" full 1000 "$SQL_ROWS" 8 | tee -a "$LOG/sqlbench.log")
	metric raw1000 "$(sed -n 's/.*rows\/s=\([0-9]*\).*/\1/p' <<< "$out")"
	out=$("$PB/sqlbench" "$WORK/sql.db" full 100 "$SQL_ROWS" 8 | tee -a "$LOG/sqlbench.log")
	metric raw100 "$(sed -n 's/.*rows\/s=\([0-9]*\).*/\1/p' <<< "$out")"
	# the same rows with one index on (site, item, time), as a ledger kept for per-holder history
	out=$("$PB/sqlbench" "$WORK/sql.db" full 1000 "$SQL_ROWS" 8 index | tee -a "$LOG/sqlbench.log")
	metric raw1000idx "$(sed -n 's/.*rows\/s=\([0-9]*\).*/\1/p' <<< "$out")"
	mkdir -p "$WORK/store"
	out=$("$STORE_BENCH" -n "$STORE_N" -b 1000 -s "$STORE_S" -d "$WORK/store" | tee -a "$LOG/store_bench.log" | grep RESULT)
	metric store1000 "$(kv rate "$out")"
	out=$("$STORE_BENCH" -n "$STORE_N" -b 100 -s "$STORE_S" -d "$WORK/store" | tee -a "$LOG/store_bench.log" | grep RESULT)
	metric store100 "$(kv rate "$out")"
	# SQLite alone running renfort's statements for each report, same database and connection: what
	# the schema costs, before anything of renfort's own
	out=$("$STORE_BENCH" -n "$STORE_N" -b 1000 -s "$STORE_S" -d "$WORK/store" -r | tee -a "$LOG/store_bench.log" | grep RESULT)
	metric storeraw1000 "$(kv rate "$out")"
	say "   run $r: raw SQLite and store layer done"
}

run_ingest() {
	local r=$1 d=$WORK/ingest-$1 out
	start_renfortd "$d" --demo
	out=$("$LOAD" ingest -p "$SRV_PORT" -t "$(demo_token "$d")" -c "$INGEST_CONNS" -w "$INGEST_WINDOW" \
		-d "$INGEST_S" -W 1 -T 120 2>&1 | tee -a "$LOG/ingest.log" | grep RESULT) || true
	stop_renfortd
	metric ingest_rate "$(kv rate "$out")"
	metric ingest_p99_ms "$(awk -v v="$(kv p99_us "$out")" 'BEGIN{printf "%.2f", v/1000}')"
	metric ingest_errors "$(kv errors "$out")"
	say "   run $r: ingest $(kv rate "$out") reports/s, ack p99 $(kv p99_us "$out") us"
}

EVENT_SIZE=300
run_fanout_renfort() {
	local r=$1 d=$WORK/fanout-$1 out name rate
	start_renfortd "$d" --demo
	local tok
	tok=$(demo_token "$d")
	for rate in 100 150 0; do
		name=$([ "$rate" = 0 ] && echo burst || echo "r$rate")
		out=$("$LOAD" fanout -p "$SRV_PORT" -t "$tok" -n "$FAN_SUBS" -m "$FAN_MSGS" -r "$rate" -T 180 2>&1 |
			tee -a "$LOG/fanout-renfort.log" | grep RESULT) || true
		metric "fan_${name}_dps" "$(kv dps "$out")"
		metric "fan_${name}_p50_ms" "$(awk -v v="$(kv p50_us "$out")" 'BEGIN{printf "%.2f", v/1000}')"
		metric "fan_${name}_p99_ms" "$(awk -v v="$(kv p99_us "$out")" 'BEGIN{printf "%.2f", v/1000}')"
		metric "fan_${name}_loss" "$(awk -v d="$(kv delivered "$out")" -v e="$(kv expected "$out")" 'BEGIN{printf "%d", e-d}')"
		EVENT_SIZE=$(kv size "$out")
		say "   run $r: renfortd fan-out $name: $(kv dps "$out") deliveries/s, p50 $(kv p50_us "$out") us, p99 $(kv p99_us "$out") us"
	done
	stop_renfortd
}

# peer_fanout SERVER RATE PREFIX NAME LABEL RUN LOG: one peerbench fan-out (wsload against a peer
# server), recorded as PREFIX_NAME_dps, _p50_ms and _p99_ms
peer_fanout() {
	local server=$1 rate=$2 prefix=$3 name=$4 label=$5 r=$6 log=$7 out dps p50 p99
	out=$(cd "$PB" && RUN=$WORK/pbrun SERVER=$server ./fanout_test.sh "$FAN_SUBS" "$FAN_MSGS" "$rate" "$EVENT_SIZE" 2>&1 |
		tee -a "$log") || true
	dps=$(sed -n 's/.* \([0-9]*\) deliveries\/s.*/\1/p' <<< "$out" | head -1)
	p50=$(sed -n 's/^per-delivery latency us: p50=\([0-9]*\).*/\1/p' <<< "$out" | head -1)
	p99=$(sed -n 's/^per-delivery latency us:.* p99=\([0-9]*\).*/\1/p' <<< "$out" | head -1)
	metric "${prefix}_${name}_dps" "${dps:-0}"
	metric "${prefix}_${name}_p50_ms" "$(awk -v v="${p50:-0}" 'BEGIN{printf "%.2f", v/1000}')"
	metric "${prefix}_${name}_p99_ms" "$(awk -v v="${p99:-0}" 'BEGIN{printf "%.2f", v/1000}')"
	say "   run $r: $label fan-out $name: ${dps:-?} deliveries/s, p50 ${p50:-?} us, p99 ${p99:-?} us"
}

run_fanout_mosquitto() {
	local r=$1 name rate
	for rate in 100 150 0; do
		name=$([ "$rate" = 0 ] && echo burst || echo "r$rate")
		peer_fanout mosq "$rate" mq "$name" "mosquitto" "$r" "$LOG/fanout-mosquitto.log"
	done
}

# the floor: peerbench's minimal epoll broadcast server (no library, no protocol beyond the frame),
# the same subscribers and payload, at 100 reports/s
run_fanout_floor() {
	peer_fanout raw 100 floor r100 "epoll floor" "$1" "$LOG/fanout-floor.log"
}

run_idle_renfort() {
	local r=$1 n d out r0 r1 tok name extra
	# renfortd reads its sockets itself (one read buffer for all): no per-connection buffer to vary
	for n in $IDLE_COUNTS; do
		name=$n; extra=""
		d=$WORK/idle-$r-$name
		mkdir -p "$d"
		tok=$("$RENFORTD" token create --role coordinator --label bench --db "$d/renfort.db" --log-level warn 2>/dev/null)
		# shellcheck disable=SC2086
		start_renfortd "$d" $extra
		sleep 1
		r0=$(rss_kb "$SRV_PID")
		: >"$d/client.log"
		"$LOAD" idle -p "$SRV_PORT" -t "$tok" -n "$n" -H 600 -T 400 >>"$d/client.log" 2>&1 &
		local cpid=$!
		for _ in $(seq 1200); do grep -qs READY "$d/client.log" && break; kill -0 $cpid 2>/dev/null || break; sleep 0.25; done
		sleep 3
		r1=$(rss_kb "$SRV_PID")
		out=$(grep READY "$d/client.log" || echo "READY 0")
		kill "$cpid" 2>/dev/null || true
		wait "$cpid" 2>/dev/null || true
		cat "$d/client.log" >> "$LOG/idle-renfort.log"
		stop_renfortd
		local held=${out#READY }
		metric "idle_${name}_held" "$held"
		metric "idle_${name}_bytes" "$(( held > 0 ? (r1 - r0) * 1024 / held : 0 ))"
		say "   run $r: renfortd idle $name: held $held, RSS $r0 -> $r1 kB, $(( held > 0 ? (r1 - r0) * 1024 / held : 0 )) B each"
	done
}

run_idle_mosquitto() {
	local r=$1 n out per est
	for n in $IDLE_COUNTS; do
		out=$(cd "$PB" && RUN=$WORK/pbrun SERVER=mosq ./idle_test.sh "$n" 6 2>&1 | tee -a "$LOG/idle-mosquitto.log") || true
		per=$(sed -n 's/.* per_conn=\([0-9]*\)B.*/\1/p' <<< "$out" | head -1)
		est=$(sed -n 's/.* server_established=\([0-9]*\) .*/\1/p' <<< "$out" | head -1)
		metric "mq_idle_${n}_bytes" "${per:-0}"
		metric "mq_idle_${n}_held" "${est:-0}"
		say "   run $r: mosquitto idle $n: held ${est:-?}, ${per:-?} B each"
	done
}

say "== runs: $RUNS (logs in $LOG)"
T0=$(date +%s)
for r in $(seq "$RUNS"); do
	say "== run $r/$RUNS"
	run_sql "$r"
	run_ingest "$r"
	run_fanout_renfort "$r"
	run_fanout_mosquitto "$r"
	run_fanout_floor "$r"
	run_idle_renfort "$r"
	run_idle_mosquitto "$r"
done
T1=$(date +%s)

# --- the table ------------------------------------------------------------------------------------------
python3 - "$METRICS" "$RUNS" "$((T1 - T0))" "$INGEST_CONNS" "$INGEST_WINDOW" "$FAN_MSGS" "$EVENT_SIZE" <<'PY'
import statistics, sys
path, runs, secs, conns, window, msgs, size = sys.argv[1:8]
vals = {}
for line in open(path):
    k, _, v = line.strip().partition(" ")
    try:
        vals.setdefault(k, []).append(float(v))
    except ValueError:
        pass
def m(k):
    v = vals.get(k)
    return statistics.median(v) if v else float("nan")
def n(x, unit=""):
    if x != x:
        return "n/a"
    if unit == "ms":
        return f"{x:.2f} ms"
    if unit == "B":
        return f"{x:,.0f} B"
    return f"{x:,.0f}"
def ratio(a, b):
    return f"{a / b:.2f}x" if b and a == a and b == b else "-"
def verdict(ok):
    return "PASS" if ok else "MISS"

rows = []
def row(measure, ours, ref, refname, rat, target, ok):
    rows.append((measure, ours, f"{ref} ({refname})" if refname else ref, rat, target, verdict(ok) if ok is not None else ""))

ir, ip99 = m("ingest_rate"), m("ingest_p99_ms")
raw1k, raw100 = m("raw1000"), m("raw100")
s1k, s100 = m("store1000"), m("store100")
row(f"ingest: durable acked reports/s ({conns} ws x {window} in flight)", n(ir), n(raw1k), "SQLite FULL batch 1000", ratio(ir, raw1k),
    ">= 50,000/s", ir >= 50000)
row("ingest: ack latency p99", n(ip99, "ms"), "-", "", "-", "<= 5 ms", ip99 <= 5)
row("store layer: reports/s, groups of 1000 (store_bench)", n(s1k), n(raw1k), "SQLite FULL batch 1000", ratio(s1k, raw1k),
    ">= 0.5x raw", s1k >= 0.5 * raw1k)
row("store layer: reports/s, groups of 100 (store_bench)", n(s100), n(raw100), "SQLite FULL batch 100", ratio(s100, raw100),
    "(0.5x raw)", s100 >= 0.5 * raw100)
raw1ki = m("raw1000idx")
row("  same, groups of 1000, next to raw rows with one (site, item, time) index", n(s1k), n(raw1ki),
    "SQLite FULL batch 1000 + index", ratio(s1k, raw1ki), "(information)", None)
sraw = m("storeraw1000")
row("  same, next to SQLite alone running renfort's statements per report", n(s1k), n(sraw),
    "store_bench -r, batch 1000", ratio(s1k, sraw), "(information)", None)
for name, label in (("r100", "100 reports/s"), ("r150", "150 reports/s"), ("burst", f"burst of {msgs}")):
    p50, p99, dps = m(f"fan_{name}_p50_ms"), m(f"fan_{name}_p99_ms"), m(f"fan_{name}_dps")
    q50, q99, qdps = m(f"mq_{name}_p50_ms"), m(f"mq_{name}_p99_ms"), m(f"mq_{name}_dps")
    loss = m(f"fan_{name}_loss")
    if name == "r100":
        row(f"fan-out 1,000 subs x {label}: latency p50", n(p50, "ms"), n(q50, "ms"), "mosquitto", ratio(p50, q50), "", None)
        row(f"fan-out 1,000 subs x {label}: latency p99", n(p99, "ms"), n(q99, "ms"), "mosquitto", ratio(p99, q99),
            "<= 8 ms and <= 0.5x mosquitto", p99 <= 8 and p99 <= 0.5 * q99)
        row(f"fan-out 1,000 subs x {label}: deliveries/s", n(dps), n(qdps), "mosquitto", ratio(dps, qdps), "", None)
        f99 = m("floor_r100_p99_ms")
        row("  same p99, next to a bare epoll broadcast server (peerbench raw_bcast)", n(p99, "ms"), n(f99, "ms"),
            "epoll floor", ratio(p99, f99), "(information)", None)
    elif name == "r150":
        row(f"fan-out 1,000 subs x {label}: deliveries/s", n(dps), n(qdps), "mosquitto", ratio(dps, qdps),
            ">= 150,000/s (all delivered)", loss == 0 and dps >= 0.99 * 150000)
        row(f"fan-out 1,000 subs x {label}: latency p50", n(p50, "ms"), n(q50, "ms"), "mosquitto", ratio(p50, q50), "", None)
        row(f"fan-out 1,000 subs x {label}: latency p99", n(p99, "ms"), n(q99, "ms"), "mosquitto", ratio(p99, q99), "<= 50 ms", p99 <= 50)
    else:
        row(f"fan-out 1,000 subs, {label}: deliveries/s", n(dps), n(qdps), "mosquitto", ratio(dps, qdps), ">= 3x mosquitto",
            dps >= 3 * qdps)
        row(f"fan-out 1,000 subs, {label}: latency p50 / p99", f"{n(p50, 'ms')} / {n(p99, 'ms')}",
            f"{n(q50, 'ms')} / {n(q99, 'ms')}", "mosquitto", ratio(p99, q99), "", None)
for cnt in ("10000", "19900"):
    b, qb = m(f"idle_{cnt}_bytes"), m(f"mq_idle_{cnt}_bytes")
    held, qheld = m(f"idle_{cnt}_held"), m(f"mq_idle_{cnt}_held")
    target = "all held, <= 2 KB each" if cnt == "19900" else ""
    ok = (held >= int(cnt) and b <= 2048) if cnt == "19900" else None
    row(f"idle websockets: process memory each at {int(cnt):,} (held {n(held)} / {n(qheld)})", n(b, "B"), n(qb, "B"), "mosquitto",
        ratio(b, qb), target, ok)

w = [max(len(r[i]) for r in rows + [("measure", "renfort", "reference", "ratio", "target", "")]) for i in range(6)]
hdr = ("measure", "renfort", "reference", "ratio", "target", "")
print()
print(f"renfort benchmark: medians of {runs} run(s), {secs} s; event size {size} B (mosquitto got the same payload size)")
print("  ".join(h.ljust(w[i]) for i, h in enumerate(hdr)))
print("  ".join("-" * w[i] for i in range(6)))
for r in rows:
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(r)))
errs = sum(vals.get("ingest_errors", [0]))
losses = {k: v for k, v in vals.items() if k.endswith("_loss") and any(v)}
if errs:
    print(f"note: {errs:.0f} ingest reports were refused (see logs/ingest.log)")
for k, v in losses.items():
    print(f"note: {k}: undelivered events per run {v}")
PY
say "logs: $LOG"
