#!/usr/bin/env bash
# The WordPress plugin's tests, over real HTTP against nginx + PHP-FPM + MariaDB:
#   1. brings the stack up fresh (clean database, test-only mu-plugins);
#   2. phpunit -c tests/http/phpunit.xml (under php -d extension=…libtaggate.so);
#   3. node --test tests/browser/ when that folder holds tests;
#   4. fails on any PHP warning, notice or fatal in the WordPress debug log and
#      the PHP-FPM logs written during the run (and on a crashed FPM worker);
#   5. stops the stack, whatever happened.
# Needs the extension built first (make build). Exit status non-zero on any failure.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXT_SO="${TAGGATE_EXT_SO:-$ROOT/target/release/libtaggate.so}"
export TAGGATE_EXT_SO="$EXT_SO"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -E"

if [ ! -f "$EXT_SO" ]; then
	echo "test-plugin: $EXT_SO is missing; build the extension first (make build)" >&2
	exit 1
fi

cleanup() {
	echo "test-plugin: stopping the stack" >&2
	$SUDO bash "$ROOT/scripts/stack.sh" down >&2 || true
}
trap cleanup EXIT

$SUDO bash "$ROOT/scripts/stack.sh" up --fresh --test || { echo "test-plugin: the stack did not come up" >&2; exit 1; }
eval "$($SUDO bash "$ROOT/scripts/stack.sh" env)"

# Remember where each log ends: only what the run writes is checked.
LOG_FILES=("$TAGGATE_LOGS/wp-debug.log" "$TAGGATE_LOGS"/php-fpm*.log)
declare -A LOG_START
for f in "${LOG_FILES[@]}"; do
	[ -f "$f" ] && LOG_START["$f"]=$(stat -c %s "$f") || LOG_START["$f"]=0
done

rc=0
echo "test-plugin: phpunit -c tests/http/phpunit.xml" >&2
php -d extension="$EXT_SO" /usr/bin/phpunit -c "$ROOT/tests/http/phpunit.xml" || rc=1

if [ -d "$ROOT/tests/browser" ] && find "$ROOT/tests/browser" -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.cjs' \) -not -path '*/node_modules/*' | grep -q .; then
	echo "test-plugin: node --test tests/browser/" >&2
	node --test "$ROOT/tests/browser/" || rc=1
fi

# PHP warnings, notices and fatals from anywhere; deprecations only from the
# plugin itself (WordPress 6.1's own code is not PHP 8.2-clean).
PATTERN='PHP (Warning|Notice|Fatal error|Parse error|Recoverable fatal error|Catchable fatal error)|PHP Deprecated:.*(plugins/taggate/|wordpress-plugin/)|exited on signal|SIGSEGV|child [0-9]+ exited with code [1-9]'
found=0
for f in "${LOG_FILES[@]}"; do
	[ -f "$f" ] || continue
	new="$(tail -c +"$((${LOG_START[$f]} + 1))" "$f" | grep -E "$PATTERN" || true)"
	if [ -n "$new" ]; then
		echo "test-plugin: PHP problems in $f:" >&2
		printf '%s\n' "$new" | head -40 >&2
		found=1
	fi
done
if [ "$found" = 1 ]; then
	rc=1
else
	echo "test-plugin: logs clean (no PHP warning, notice or fatal)" >&2
fi

[ "$rc" = 0 ] && echo "test-plugin: PASSED" >&2 || echo "test-plugin: FAILED" >&2
exit "$rc"
