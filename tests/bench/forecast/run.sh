#!/bin/bash
# The forecast benchmark of issue 14, in one command:  tests/bench/forecast/run.sh [replay.py options]
#
# Builds renfortd (Release) in $BUILD_DIR (default build-bench), then replays each scenario of
# tests/bench/forecast/scenarios through it twice (today's settings, and those of before: the trailing
# average, no hold, no reopening, no SMS cool-down), next to an oracle that knows the true rate, and
# prints per scenario: stock-outs, warning and critical lead times, stock-outs warned less than 3 days
# ahead, false alarms, flapping, SMS per stock-out, cold-start critical alerts, and the issue's
# targets with PASS/MISS. About two minutes. Options go to replay.py (--only wave, --json FILE ...);
# the scenarios are rebuilt by generate.py (their data sources are in its header and in README.md).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
LOG=$(mktemp "${TMPDIR:-/tmp}/renfort-forecast-build.XXXXXX")
trap 'rm -f "$LOG"' EXIT

echo "== build renfortd (Release) in $BUILD" >&2
if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DRENFORT_WERROR=OFF -DRENFORT_SANITIZE=OFF &&
	cmake --build "$BUILD" -j"$(nproc)" --target renfortd; } >"$LOG" 2>&1; then
	tail -30 "$LOG" >&2
	exit 1
fi
# Debian's own python3 (it has python3-websocket, which the integration harness uses)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
exec "$PY" "$HERE/replay.py" --renfortd "$BUILD/server/renfortd" "$@"
