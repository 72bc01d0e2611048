#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what hallq needs on Debian 12: the Debian packages that are missing and the npm
# packages of the browser tests. Safe to run any number of times; uses sudo only when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake pkg-config curl clang clang-format libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev postgresql-15
  libsodium-dev libqrencode-dev libcairo2-dev fonts-noto-cjk libxlsxwriter-dev
  espeak-ng sox libcmocka-dev zbar-tools poppler-utils wrk chromium libcurl4-openssl-dev tzdata)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages (package.json, pinned by package-lock.json): playwright-core for the browser tests
# (drives Debian's chromium; no browser download), ajv/ajv-formats and swagger-parser for the API
# contract tests, redoc (its standalone bundle is built into the binary for /api/docs). Nothing is
# fetched at run time.
if [ -f package.json ]; then
  need=0
  for m in playwright-core ajv ajv-formats @apidevtools/swagger-parser redoc axe-core; do
    [ -d "node_modules/$m" ] || need=1
  done
  if [ $need = 1 ] || [ package.json -nt node_modules/.setup-stamp ] || [ package-lock.json -nt node_modules/.setup-stamp ]; then
    echo "setup: npm install"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.setup-stamp
  fi
fi
echo "setup: ok"
