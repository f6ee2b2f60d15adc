#!/usr/bin/env bash
# Starts BrowserIsolation on this machine: one orchestrator with process runners and the in-memory store
# (no Docker, no Aspire). It prints the URL to open. Extra arguments go to the orchestrator (e.g. --urls).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh run
dotnet build BrowserIsolation.Orchestrator/BrowserIsolation.Orchestrator.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
exec dotnet BrowserIsolation.Orchestrator/bin/Release/net10.0/BrowserIsolation.Orchestrator.dll "$@"
