#!/usr/bin/env bash
# Runs every test: unit, integration (real Chromium, redis-server, a private dockerd) and end-to-end (Playwright on
# Debian's Chromium). Installs what is missing first. Extra arguments go to `dotnet test` (e.g. --filter ...).
set -uo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh test || exit 1

# A private Docker engine for the Docker runner and AppHost tests: the repository's own scripts/docker-engine.sh (installs
# docker.io and builds the local Debian base image if needed). If it cannot start, the Docker tests fail with its reason.
if docker_env=$(scripts/docker-engine.sh up); then
  eval "$(printf '%s\n' "$docker_env" | sed -n 's/^\(DOCKER_HOST\|BI_DOCKER_NETWORK\)=/export \1=/p')"
else
  export BI_DOCKER_UNAVAILABLE="scripts/docker-engine.sh failed (see its output above)"
fi

dotnet build BrowserIsolation.Tests/BrowserIsolation.Tests.csproj -c Release -nologo -clp:ErrorsOnly || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# The Web client's unit tests (Node's test runner), then every .NET test.
(cd BrowserIsolation.Web/client && npm test) 2>&1 | tee "$log"
web_status=${PIPESTATUS[0]}
web_pass=$(sed -n 's/^ℹ pass \([0-9]*\)/\1/p' "$log" | tail -n1)
web_fail=$(sed -n 's/^ℹ fail \([0-9]*\)/\1/p' "$log" | tail -n1)

dotnet test BrowserIsolation.Tests/BrowserIsolation.Tests.csproj -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary=$(grep -E '^(Passed|Failed)!' "$log" | tail -n1)
n() { printf '%s' "$summary" | sed -n "s/.*$1: *\([0-9]*\).*/\1/p"; }
dotnet_pass=$(n Passed) dotnet_fail=$(n Failed) dotnet_skip=$(n Skipped)
# The failures again at the end, so a truncated CI log still names them and why.
if [ "${dotnet_fail:-0}" != 0 ]; then
  echo "failed tests:"
  awk '/^  Failed / {n=10} n>0 && /Stack Trace:/ {n=0} n>0 {print; n--}' "$log"
fi
echo "total: $(( ${web_pass:-0} + ${dotnet_pass:-0} )) passed, $(( ${web_fail:-0} + ${dotnet_fail:-0} )) failed, ${dotnet_skip:-0} skipped"
[ "$web_status" -eq 0 ] || exit "$web_status"
exit "$status"
