#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages BrowserIsolation needs, only those that are missing.
#   scripts/install-deps.sh run    what the platform needs to run (Chromium, media libraries, PulseAudio, Node for the UI build)
#   scripts/install-deps.sh test   the same, plus redis-server for the store tests and coturn for the TURN tests
set -euo pipefail
mode=${1:-run}
packages=(chromium libvpx7 libturbojpeg0 libsrtp2-1 libopus0 libpulse0 pulseaudio fonts-liberation ca-certificates)
[ "$mode" = test ] && packages+=(redis-server coturn wrk)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
command -v setsid >/dev/null 2>&1 || packages+=(util-linux)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
