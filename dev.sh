#!/usr/bin/env bash
# TagGate's developer entry point.
#   ./dev.sh demo    set everything up and run a local WordPress with TagGate live
#   ./dev.sh test    set everything up and run every test (what CI runs)
#   ./dev.sh bench   benchmarks of SPEC §7 (extension; deliveries; gating)
#   ./dev.sh stop    stop the local site
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

case "${1:-}" in
  demo)
    bash scripts/setup-system.sh
    cargo build --release
    bash scripts/demo.sh
    ;;
  test)
    bash scripts/test.sh
    ;;
  bench)
    bash scripts/setup-system.sh
    cargo build --release
    so="$root/target/release/libtaggate.so"
    rss() { php -n "$@" -r 'preg_match("/VmRSS:\s+(\d+)/", file_get_contents("/proc/self/status"), $m); echo $m[1];'; }
    base=$(rss); with=$(rss -d extension="$so")
    echo "Idle PHP process RSS: $base kB without the extension, $with kB with it (+$((with - base)) kB; SPEC §7: ≤ 2 MiB)"
    echo
    php -d extension="$so" -d zend.assertions=-1 bench/extension.php "${@:2}"
    for b in bench/deliveries.sh bench/gating.sh; do
      if [ -x "$b" ]; then echo; bash "$b" || echo "($b: a budget was not met in this run)"; fi
    done
    ;;
  stop)
    bash scripts/stack.sh down
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
