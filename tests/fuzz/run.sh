#!/bin/sh
# Builds the libFuzzer targets (clang, ASan + UBSan: build-fuzz/) and runs each one for the given
# seconds (default 600: the long run of the README), from its seed corpus tests/fuzz/corpus/<name>/.
#   tests/fuzz/run.sh [seconds-per-target] [target...]     (targets: json form sms csv ...)
# Prints per target the executions per second, the coverage reached (libFuzzer's cov: edges and
# ft: features) and whether it crashed. New inputs that grow the coverage go to
# build-fuzz/corpus/<name>/, not into the repository; a crash leaves its input in
# build-fuzz/artifacts/<name>/ and the run fails: fix it, then keep the input as
# tests/fuzz/corpus/<name>/finding-<what> with a regression test in tests/unit.
# FUZZ_SEED: libFuzzer's seed (0, the default: a new one each run; tests/run.sh gives 1, so that CI
# explores the same paths each time and fails only on what a change broke, not on luck).
set -eu
cd "$(dirname "$0")/../.."
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)}

mkdir -p build-fuzz
if ! { CC=${FUZZ_CC:-clang} cmake -S . -B build-fuzz -DRENFORT_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
	cmake --build build-fuzz -j"$(nproc)" $(for t in $targets; do printf -- '--target fuzz_%s ' "$t"; done); } \
	>build-fuzz/build.log 2>&1; then
	cat build-fuzz/build.log
	exit 1
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
summary=""
for t in $targets; do
	work=build-fuzz/corpus/$t
	art=build-fuzz/artifacts/$t
	log=build-fuzz/fuzz_$t.log
	# the target's database lives here: a crash (the process stops at once) leaves it behind
	tmp=$PWD/build-fuzz/tmp/$t
	rm -rf "$art" "$tmp"
	mkdir -p "$work" "$art" "$tmp"
	echo "== fuzz $t: $secs s"
	rc=0
	seeds=tests/fuzz/corpus/$t
	[ -d "$seeds" ] || seeds=
	# shellcheck disable=SC2086 # $seeds: one directory or none
	TMPDIR=$tmp build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$secs" -seed="${FUZZ_SEED:-0}" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$art/" "$work" $seeds >"$log" 2>&1 || rc=$?
	# the last status line: "#N DONE cov: C ft: F corp: ... exec/s: E rss: ..." (or the last "pulse"/"NEW" line)
	line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	if [ "$rc" -ne 0 ]; then
		failed=1
		result="CRASH (exit $rc): $(ls "$art" | head -n 3 | tr '\n' ' ') see $log"
		grep -aE 'ERROR: |runtime error|fuzz invariant broken|SUMMARY' "$log" | head -n 5 || true
	else
		result="no crash"
	fi
	summary="$summary$(printf '%-6s %10s runs %7s exec/s  cov: %-6s ft: %-6s %s' "$t" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$result")
"
done
echo "== fuzz summary ($secs s per target)"
printf '%s' "$summary"
exit $failed
