#!/usr/bin/env bash
# Cold start of a Docker runner vs a process runner (create -> first frame), printed as medians and a ratio.
# Starts the private dockerd (scripts/docker-engine.sh), builds the orchestrator and the runner image, runs the bench.
# Extra arguments go to the bench (--runs N).
set -euo pipefail
cd "$(dirname "$0")/../.."
eval "$(scripts/docker-engine.sh up | sed -n 's/^\(DOCKER_HOST\|BI_DOCKER_NETWORK\)=/export \1=/p')"
dotnet build BrowserIsolation.Orchestrator -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet publish BrowserIsolation.Runner -c Release -r linux-x64 --self-contained true -nologo -v quiet \
  -p:IncludeSourceRevisionInInformationalVersion=false --artifacts-path artifacts/runner-image -o BrowserIsolation.Runner/bin/image
start=$(date +%s.%N)
docker build --network host -q -t browserisolation-runner:bench BrowserIsolation.Runner >/dev/null
echo "runner image built in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
exec dotnet run --project bench/BrowserIsolation.DockerColdStartBench -c Release -- --image browserisolation-runner:bench "$@"
