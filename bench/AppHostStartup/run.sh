#!/usr/bin/env bash
# Time from `dotnet run --project BrowserIsolation.AppHost` to the AppHost's "Every resource is healthy" line, cold (the
# local Redis, coturn and runner images removed first, so they are built again) and warm (everything cached).
# The AppHost is built first and run with --no-build, so the figures are start-up, not compilation.
#   bench/AppHostStartup/run.sh [runs]   (default 1 cold + 1 warm)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-1}
eval "$(scripts/docker-engine.sh up | sed 's/^/export /')"
dotnet build BrowserIsolation.AppHost -c Release -nologo -v quiet -clp:ErrorsOnly
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_once() {  # run_once LABEL
  local start pid child elapsed=""
  start=$(date +%s.%N)
  dotnet run --project BrowserIsolation.AppHost -c Release --no-build --launch-profile http >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    if grep -q "Every resource is healthy" "$log"; then
      elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'); break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.25
  done
  # SIGTERM (a background job ignores SIGINT) to the AppHost itself (dotnet run's child): DCP stops the resources, the orchestrator removes its runners.
  child=$(pgrep -P "$pid" -f BrowserIsolation.AppHost || true)
  kill -TERM ${child:-$pid} 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$elapsed" ] || { tail -n 30 "$log" >&2; echo "$1: never healthy" >&2; exit 1; }
  echo "$1: dotnet run -> every resource healthy in $elapsed s"
}

for _ in $(seq 1 "$runs"); do
  docker rmi -f browserisolation-redis:local browserisolation-coturn:local browserisolation-runner:apphost >/dev/null 2>&1 || true
  run_once cold
  run_once warm
done
