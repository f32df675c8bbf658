#!/bin/sh
# The second command of the README, and what CI runs: installs what is missing, builds twice
# (warnings as errors; then AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole
# suite in both builds, then each libFuzzer target for a minute (clang, ASan + UBSan).
set -eu
cd "$(dirname "$0")/.."
deploy/install-deps.sh --test
jobs=$(nproc)

echo "== build (-Werror)"
cmake -S . -B build -DRENFORT_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
echo "== tests"
ctest --test-dir build --output-on-failure -j2

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DRENFORT_WERROR=ON -DRENFORT_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
echo "== tests under sanitizers"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=87 \
RENFORT_SANITIZED=1 ctest --test-dir build-asan --output-on-failure -j2

echo "== fuzzing, 60 s per target (the long run: tests/fuzz/run.sh, 10 minutes each)"
tests/fuzz/run.sh 60
echo "== all tests passed"
