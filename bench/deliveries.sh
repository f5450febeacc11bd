#!/usr/bin/env bash
# Benchmark of signed webhook deliveries through nginx + PHP-FPM + MariaDB
# (see bench/deliveries.php). Brings the stack up if it is not running and
# leaves it as it found it.
#
#   bench/deliveries.sh                       3000 deliveries, 32 senders, 32 users
#   bench/deliveries.sh --users=1             all for one user (worst case)
#   bench/deliveries.sh --json                one JSON line instead of text
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EXT_SO="${TAGGATE_EXT_SO:-$ROOT/target/release/libtaggate.so}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -E"
[ -f "$EXT_SO" ] || { echo "bench: build the extension first (make build)" >&2; exit 1; }

started=0
if ! $SUDO bash "$ROOT/scripts/stack.sh" status >/dev/null 2>&1; then
	$SUDO bash "$ROOT/scripts/stack.sh" up >&2
	started=1
fi
cleanup() { [ "$started" = 1 ] && $SUDO bash "$ROOT/scripts/stack.sh" down >&2 || true; }
trap cleanup EXIT
eval "$($SUDO bash "$ROOT/scripts/stack.sh" env)"
php -d extension="$EXT_SO" "$ROOT/bench/deliveries.php" "$@"
