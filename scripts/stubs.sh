#!/usr/bin/env bash
# Generates php/taggate.stubs.php from the built extension with cargo-php.
#   scripts/stubs.sh          rewrite the committed stub file
#   scripts/stubs.sh --check  fail when the committed file is out of date
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ext-php-rs exports the description cargo-php reads only from debug builds.
(cd "$root" && cargo build --quiet)
so="$root/target/debug/libtaggate.so"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cargo php stubs --stdout "$so" > "$tmp"
if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$root/php/taggate.stubs.php" "$tmp"; then
    echo "php/taggate.stubs.php is out of date: run scripts/stubs.sh and commit it" >&2
    exit 1
  fi
  echo "stubs are current"
else
  cp "$tmp" "$root/php/taggate.stubs.php"
  echo "wrote php/taggate.stubs.php"
fi
