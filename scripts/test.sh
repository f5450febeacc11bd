#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, lints, and runs
# every test suite (Rust core, the extension under PHPUnit, the plugin over
# HTTP on a real nginx + PHP-FPM + MariaDB + WordPress, and the browser tests).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "System packages and test dependencies"
bash scripts/setup-system.sh

vectors="$root/../shared/vectors"
if [ ! -f "$vectors/rules.json" ]; then
  echo "error: the conformance vectors are expected in $vectors" >&2
  exit 1
fi

step "Format and lint (cargo fmt, clippy -D warnings)"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo clippy --no-default-features --all-targets -- -D warnings

step "Rust tests (core unit, vector and property tests)"
# With the default php feature: the core's tests link although PHP's symbols
# only resolve inside PHP. (The pure-core build without it is compiled and
# linted by the clippy --no-default-features step above.)
cargo test

step "Build the extension (release)"
cargo build --release
so="$root/target/release/libtaggate.so"

step "Committed stubs match the built extension"
bash scripts/stubs.sh --check

step "PHPUnit: the extension"
php -d extension="$so" /usr/bin/phpunit -c tests/php/phpunit.xml --testsuite extension

step "The API example runs"
php -d extension="$so" php/examples/quickstart.php >/dev/null

step "PHPUnit: a panic becomes a PHP exception (panic-test build)"
cargo build --features panic-test --target-dir target/panic-test
php -d extension="$root/target/panic-test/debug/libtaggate.so" /usr/bin/phpunit -c tests/php/phpunit.xml --testsuite panic

step "PHP lint of the plugin and the tests"
find wordpress-plugin tests php -name '*.php' -print0 | xargs -0 -n 50 -P 2 php -l -n >/dev/null

if [ -x scripts/test-plugin.sh ]; then
  step "The plugin on a real WordPress (HTTP and browser tests)"
  bash scripts/test-plugin.sh
fi

step "All tests passed"
