#!/usr/bin/env bash
# The gating benchmark (SPEC §7: "gating an archive of 50 posts for a user with
# 200 tags, <= 2 % added to the page's time"), against the running stack
# (scripts/stack.sh up). In one run it times the category archive of 50
# protected posts, for a logged-in subscriber holding 200 tags, with the
# TagGate plugin loaded and with it not loaded, request after request.
#
# How the plugin is "inactive" in the same run: bench/gating-switch.php is
# copied into mu-plugins for the run only. A request carrying
# `X-TagGate-Bench: <token>:off` is served with taggate/taggate.php removed
# from active_plugins (option_active_plugins filter, before plugins load), i.e.
# exactly as if the plugin were deactivated; `<token>:on` loads it as usual.
# Both modes pay for the switch itself. The token is random per run.
#
#   bench/gating.sh [rounds]        (default 1500; BENCH_ONLY_MAIN=1 skips the extra cases)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXT_SO="${TAGGATE_EXT_SO:-$ROOT/target/release/libtaggate.so}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -E"
[ -f "$EXT_SO" ] || { echo "bench: build the extension first (make build)" >&2; exit 1; }

# Bring the stack up if it is not running, and leave it as it was found.
started=0
if ! $SUDO bash scripts/stack.sh status >/dev/null 2>&1; then
	$SUDO bash scripts/stack.sh up >&2
	started=1
fi
eval "$($SUDO bash scripts/stack.sh env)"
WWW="$TAGGATE_STACK/www"
MU="$WWW/wp-content/mu-plugins/taggate-bench-switch.php"
TOKEN_FILE="$TAGGATE_STACK/taggate-bench.token"

cleanup() {
	$SUDO rm -f "$MU" "$TOKEN_FILE"
	[ "$started" = 1 ] && $SUDO bash scripts/stack.sh down >&2 || true
}
trap cleanup EXIT
curl -fsS -o /dev/null "$TAGGATE_URL/wp-json/" || { echo "bench: the stack is not answering" >&2; exit 1; }

TOKEN="$(php -r 'echo bin2hex(random_bytes(24));')"
umask 077
printf '%s' "$TOKEN" | $SUDO tee "$TOKEN_FILE" >/dev/null
$SUDO chown www-data:www-data "$TOKEN_FILE"
$SUDO install -m 0644 -o www-data -g www-data bench/gating-switch.php "$MU"

SEED="$($SUDO runuser -u www-data -- env TAGGATE_STACK_WWW="$WWW" TAGGATE_STACK_PORT="${TAGGATE_URL##*:}" \
	php -d extension="$TAGGATE_EXT_SO" -d display_errors=stderr "$ROOT/bench/gating-seed.php")"

echo "bench: $(nproc) cores, PHP-FPM pool 'ext' ($(php -d extension="$TAGGATE_EXT_SO" -r 'echo "taggate ", taggate_version();'))"
php bench/gating.php "$TAGGATE_URL" "$TOKEN" "$SEED" "${1:-${BENCH_ROUNDS:-1500}}"
