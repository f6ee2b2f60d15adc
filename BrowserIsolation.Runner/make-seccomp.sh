#!/usr/bin/env bash
# make-seccomp.sh - regenerate seccomp.json: Docker's default seccomp profile, as the daemon applies it to a container
# with every capability dropped (the way runners run), plus clone, unshare, setns and chroot without conditions.
# Chromium's namespace sandbox needs those four: it makes a user namespace and chroots into it as user 1000; without
# them it dies with "No usable sandbox!" (default profile) or "Check failed: sys_chroot(...)" (clone/unshare/setns only).
# The kernel still checks capabilities inside the new namespace, so this opens no privilege on the host.
#
# Needs root and a local dockerd (eval "$(../scripts/docker-engine.sh up)"); reads the OCI spec that dockerd hands
# to runc (config.json in containerd's bundle directory) of a throw-away container.
set -Eeuo pipefail
image=${1:-debian:bookworm-slim}
out=$(dirname "$0")/seccomp.json
id=$(docker run -d --rm --cap-drop ALL --user 1000 --entrypoint sleep "$image" 30)
trap 'docker rm -f "$id" >/dev/null 2>&1 || true' EXIT
spec=$(find /run/containerd /var/lib/bi-docker/exec "${BI_DOCKER_DIR:-/nonexistent}/exec" -path "*/$id/config.json" 2>/dev/null | head -n1 || true)
[ -n "$spec" ] || { echo "cannot find the OCI spec of container $id (is the daemon local, and are you root?)" >&2; exit 1; }
python3 - "$spec" >"$out" <<'PY'
import json, sys
seccomp = json.load(open(sys.argv[1]))["linux"]["seccomp"]
sandbox = {"clone", "unshare", "setns", "chroot"}
rules = []
for rule in seccomp["syscalls"]:
    names = [n for n in rule["names"] if n not in sandbox]
    if names:
        rules.append({**rule, "names": names})
rules.append({"names": sorted(sandbox), "action": "SCMP_ACT_ALLOW",
              "comment": "Chromium's namespace sandbox (BrowserIsolation.Runner/make-seccomp.sh)"})
print(json.dumps({"defaultAction": seccomp["defaultAction"], "architectures": seccomp["architectures"], "syscalls": rules}, indent=2))
PY
echo "wrote $out from the default profile of $(docker version -f '{{.Server.Version}}')" >&2
