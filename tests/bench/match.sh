#!/bin/bash
# The matching benchmark of issue 12, in one command:  tests/bench/match.sh [match_bench options]
#
# Builds match_bench (Release) into $BUILD_DIR (default build-bench) and runs it: 100,000 volunteers
# generated over the region's communes, 1,000 staff requests, each ranked by the matching with every
# volunteer's explanation (median and p99), next to the same selection as one SQLite query on the same
# data in the same run (both answers compared request by request). Options go to match_bench:
# -v volunteers, -r requests, -s seed, -q (no SQL).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build-bench}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target match_bench -j2 >/dev/null
exec "$BUILD/tests/bench/match_bench" "$@"
