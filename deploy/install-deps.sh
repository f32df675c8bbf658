#!/bin/sh
# Installs what renfort needs from Debian 12 (bookworm) packages, only what is missing.
#   deploy/install-deps.sh          build and run the server
#   deploy/install-deps.sh --test   also everything the test suite and the benchmarks use
set -eu

packages="build-essential cmake pkg-config libwebsockets-dev libsqlite3-dev libcjson-dev \
libcurl4-openssl-dev libssl-dev zlib1g-dev sqlite3 curl"
if [ "${1:-}" = "--test" ]; then
	packages="$packages libcmocka-dev python3 python3-websocket libxml2-utils kannel kannel-extras \
mosquitto chromium poppler-utils valgrind clang libclang-rt-14-dev"
	# Node.js may come from elsewhere than Debian (it then brings its own npm): ask for it only if absent
	command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"
fi

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
