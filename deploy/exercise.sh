#!/bin/sh
# An exercise for a coordination cell, in one command: installs what is missing, builds, and starts
# `renfortd exercise` on a new renfort-exercise-<date>.db with its scenario (the March 2020 wave in
# Occitanie's 63 hospitals, and a cluster in the Hérault on day 18: clients/exercise/scenarios) at one
# simulated day a real minute (31 days: about half an hour), printing the dashboard link. Everything
# it sends is marked as an exercise. Another scenario or speed: deploy/exercise.sh FILE.json --speed 720.
# Ctrl-C stops it; the database stays, for the debriefing (`renfortd --db FILE` serves it again,
# still marked as an exercise).
set -eu
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/server/renfortd exercise --speed 1440 \
	--db "${RENFORT_EXERCISE_DB:-renfort-exercise-$(date +%Y%m%d-%H%M%S).db}" "$@"
