#!/bin/sh
# The first command of the README: installs what is missing, builds, and starts renfortd with the
# demo region in renfort-demo.db (kept between runs; delete it to start afresh). Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/server/renfortd --demo --db "${RENFORT_DEMO_DB:-renfort-demo.db}" "$@"
