#!/usr/bin/env bash
# Install the system packages and npm modules the tests drive, when they are missing.
# Debian's chromium (no browser download is possible here), wrk for the load test, Virtuoso
# (virtuoso-t and isql-vt; the tests start their own server, nothing is left running), and from
# npm playwright-core (the driver only, pointed at /usr/bin/chromium) and axe-core (run in the page).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v wrk >/dev/null || missing+=(wrk)
{ command -v virtuoso-t && command -v isql-vt && [ -f /usr/share/virtuoso-opensource-7/virtuoso.ini ]; } \
  >/dev/null || missing+=(virtuoso-opensource)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

modules="$here/tests/browser/node_modules"
if [ -f "$here/tests/browser/package.json" ] && { [ ! -d "$modules/playwright-core" ] || [ ! -d "$modules/axe-core" ]; }; then
  (cd "$here/tests/browser" && npm ci --silent --no-audit --no-fund)
fi
