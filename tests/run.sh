#!/bin/sh
# The second command of the README, and what CI runs: installs what is missing, builds twice
# (warnings as errors; then AddressSanitizer + UndefinedBehaviorSanitizer) and runs the whole
# suite in both builds; then a third build, with ThreadSanitizer, runs the tests of renfortd's threads;
# then each libFuzzer target for a minute (clang, ASan + UBSan).
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

echo "== build (ThreadSanitizer)"
cmake -S . -B build-tsan -DRENFORT_WERROR=ON -DRENFORT_TSAN=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-tsan -j"$jobs" >/dev/null
echo "== threaded tests under ThreadSanitizer"
# Only the tests labelled "threads" (tests/CMakeLists.txt): the SMS transfer thread and the
# checkpointer, which checkpoint_pages=1 wakes after every commit of every server they start.
TSAN_OPTIONS=halt_on_error=0:exitcode=66:second_deadlock_stack=1 \
RENFORT_SANITIZED=1 RENFORT_TEST_SETTINGS=checkpoint_pages=1 \
ctest --test-dir build-tsan --output-on-failure -j2 -L threads
echo "== fuzzing, 60 s per target (the long run: tests/fuzz/run.sh, 10 minutes each)"
FUZZ_SEED=1 tests/fuzz/run.sh 60
echo "== all tests passed"
