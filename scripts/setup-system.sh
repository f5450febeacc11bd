#!/usr/bin/env bash
# Installs what TagGate's build, demo and tests need, and only what is missing:
# Debian packages (with sudo when not root), the Node test dependencies, the
# Python peer libraries for the interoperability tests, and cargo-php (stubs).
# Idempotent: a second run changes nothing.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  make git curl ca-certificates
  clang libclang-dev
  php-cli php-dev php-fpm php-mysql php-curl php-mbstring php-xml php-intl
  phpunit
  mariadb-server mariadb-client nginx wordpress
  chromium
  python3 python3-pip nodejs npm
)
missing=()
for p in "${packages[@]}"; do
  # nodejs/npm/python3 may come from elsewhere than Debian (nvm, pyenv): accept any on PATH.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    python3) command -v python3 >/dev/null && continue ;;
    python3-pip) python3 -m pip --version >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's php-fpm/nginx/mariadb packages start system services on install;
# TagGate runs its own instances on its own ports, so those are left alone.

# Python peers for the signature interoperability tests.
if ! python3 -c 'import standardwebhooks, stripe' >/dev/null 2>&1; then
  echo "setup: installing Python peer libraries (standardwebhooks, stripe)"
  python3 -m pip install --quiet --disable-pip-version-check standardwebhooks stripe \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages standardwebhooks stripe
fi

# Node test dependencies (playwright-core drives Debian's Chromium; the
# @octokit peer checks GitHub signatures).
if [ ! -d "$root/node_modules/playwright-core" ] || [ ! -d "$root/node_modules/@octokit/webhooks-methods" ] \
   || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "setup: installing Node test dependencies"
  (cd "$root" && npm ci --no-audit --no-fund --silent)
fi

# cargo-php generates the PHP stub file from the built extension.
if ! cargo php --help >/dev/null 2>&1; then
  echo "setup: installing cargo-php 0.2.2 (stub generator)"
  cargo install cargo-php --version 0.2.2 --locked --quiet
fi
