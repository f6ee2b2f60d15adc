#!/usr/bin/env bash
# docker-engine.sh - the project's own private Docker engine and local images (no registry, no buildx needed).
#
#   scripts/docker-engine.sh [up]                   start (or reuse) the daemon and the local Debian base image;
#                                                   prints BI_DOCKER_NETWORK=... and DOCKER_HOST=... for eval
#   scripts/docker-engine.sh image TAG DIR [FILE]   `up`, then build DIR's Dockerfile (or FILE) as TAG with the classic
#                                                   builder on the host network (cached layers make a rebuild quick)
#   scripts/docker-engine.sh down                   stop the dockerd this script started, nothing else
#
# `up` is idempotent: a daemon that answers on $BI_DOCKER_SOCK is reused (restarted once if it is this script's and runs
# with other flags than these, e.g. without --live-restore); otherwise it installs docker.io if needed and starts dockerd
# with its own data-root/exec-root/pidfile under $BI_DOCKER_DIR. --live-restore keeps containers (the sessions' runners)
# running while dockerd restarts; ports published through docker-proxy still stop answering until it is back. The base image is built with debootstrap
# (minbase) from the Debian mirror apt uses on this host, then `docker import`ed. The network mode is the default bridge
# (--iptables=false) if container<->container and container<->host work by IP, else --bridge=none (use --network host);
# the verdict is remembered in $BI_DOCKER_DIR/network-mode.
# Used by ./test.sh, the AppHost (BrowserIsolation.AppHost/Docker) and the benchmarks.
#
# Environment (all optional):
#   BI_DOCKER_DIR          state dir (<= 60 chars: containerd's socket path)   [/var/lib/bi-docker]
#   BI_DOCKER_SOCK         unix socket path                                    [/var/run/bi-docker.sock]
#   BI_DOCKER_NETWORK      auto | bridge | host                                [auto]
#   BI_DOCKER_IPTABLES     false | true (true gives bridged containers NAT)    [false]
#   BI_DOCKER_LIVE_RESTORE true | false (containers outlive a dockerd restart) [true]
#   BI_DOCKER_BASE_IMAGE   tag of the imported base image                      [debian:bookworm-slim]
#   BI_DOCKER_SUITE        Debian suite                                        [bookworm]
#   BI_DOCKER_MIRROR       Debian mirror                                       [apt's own]
#   BI_DOCKER_WAIT         seconds to wait for the daemon                      [60]
#
# Facts of the Debian 12 machines this runs on: with --iptables=false bridged containers cannot reach the mirror or DNS,
# so builds use --network host; there is no registry (FROM names local images, never --pull); Debian has no buildx, so
# builds use the classic builder (DOCKER_BUILDKIT=0).
set -Eeuo pipefail

BI_DOCKER_DIR=${BI_DOCKER_DIR:-/var/lib/bi-docker}
BI_DOCKER_SOCK=${BI_DOCKER_SOCK:-/var/run/bi-docker.sock}
BI_DOCKER_SOCK=${BI_DOCKER_SOCK#unix://}
BI_DOCKER_NETWORK=${BI_DOCKER_NETWORK:-auto}
BI_DOCKER_IPTABLES=${BI_DOCKER_IPTABLES:-false}
BI_DOCKER_LIVE_RESTORE=${BI_DOCKER_LIVE_RESTORE:-true}
BI_DOCKER_BASE_IMAGE=${BI_DOCKER_BASE_IMAGE:-debian:bookworm-slim}
BI_DOCKER_SUITE=${BI_DOCKER_SUITE:-bookworm}
BI_DOCKER_MIRROR=${BI_DOCKER_MIRROR:-}
BI_DOCKER_WAIT=${BI_DOCKER_WAIT:-60}

PIDFILE=$BI_DOCKER_DIR/dockerd.pid
LOGFILE=$BI_DOCKER_DIR/dockerd.log
MODEFILE=$BI_DOCKER_DIR/network-mode
export DOCKER_HOST=unix://$BI_DOCKER_SOCK
unset DOCKER_CONTEXT   # it would override DOCKER_HOST

T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
log() { printf '[docker-engine %6ss] %s\n' "$(elapsed "$T0")" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- daemon
answers() { timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

our_pid() {  # the pid of the dockerd this script started, if it is alive
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--pidfile $PIDFILE " || return 1
  echo "$pid"
}

APT_UPDATED=0
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  [ "$APT_UPDATED" = 1 ] || { apt-get update -qq >&2 || die "apt-get update failed"; APT_UPDATED=1; }
  apt-get install -y -q --no-install-recommends "$@" >"$BI_DOCKER_DIR/apt.log" 2>&1 ||
    { tail -n 25 "$BI_DOCKER_DIR/apt.log" >&2; die "apt-get install $* failed"; }
}

DAEMON_ARGS=()
daemon_args() {  # daemon_args bridge|host: sets DAEMON_ARGS
  DAEMON_ARGS=(--data-root "$BI_DOCKER_DIR/data" --exec-root "$BI_DOCKER_DIR/exec" --pidfile "$PIDFILE"
               --host "unix://$BI_DOCKER_SOCK" --config-file "$BI_DOCKER_DIR/daemon.json"
               --iptables="$BI_DOCKER_IPTABLES" --ip6tables=false)
  [ "$BI_DOCKER_IPTABLES" = true ] || DAEMON_ARGS+=(--ip-masq=false)
  [ "$1" = host ] && DAEMON_ARGS+=(--bridge=none)
  [ "$BI_DOCKER_LIVE_RESTORE" = true ] && DAEMON_ARGS+=(--live-restore)
  return 0
}

start_daemon() {  # start_daemon bridge|host
  local mode=$1 pid i
  daemon_args "$mode"
  local args=("${DAEMON_ARGS[@]}")
  # An empty private config: /etc/docker/daemon.json (e.g. "hosts") must not interfere.
  [ -s "$BI_DOCKER_DIR/daemon.json" ] || echo '{}' >"$BI_DOCKER_DIR/daemon.json"
  mkdir -p "$(dirname "$BI_DOCKER_SOCK")"
  rm -f "$PIDFILE"
  log "starting dockerd (network=$mode, iptables=$BI_DOCKER_IPTABLES, live-restore=$BI_DOCKER_LIVE_RESTORE)"
  echo "==== $(date -Is) dockerd ${args[*]}" >>"$LOGFILE"
  setsid dockerd "${args[@]}" </dev/null >>"$LOGFILE" 2>&1 9>&- &
  pid=$!
  for ((i = 0; i < BI_DOCKER_WAIT * 4; i++)); do
    answers && { log "dockerd pid $pid answers ($(docker info --format '{{.ServerVersion}}'))"; return 0; }
    kill -0 "$pid" 2>/dev/null || { tail -n 25 "$LOGFILE" >&2; log "dockerd exited early"; return 1; }
    sleep 0.25
  done
  tail -n 25 "$LOGFILE" >&2
  log "dockerd did not answer on $DOCKER_HOST within ${BI_DOCKER_WAIT}s"
  return 1
}

stop_our_daemon() {
  local pid ctd i
  pid=$(our_pid) || { log "no dockerd started by this script (pidfile $PIDFILE); nothing to stop"; return 0; }
  ctd=$(cat "$BI_DOCKER_DIR/exec/containerd/containerd.pid" 2>/dev/null || true)
  log "stopping dockerd pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 160; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && { log "still alive after 40s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; sleep 1; }
  # dockerd normally stops its containerd; end it only if it is ours and was left behind.
  if [ -n "$ctd" ] && [ "$(cat "/proc/$ctd/comm" 2>/dev/null)" = containerd ] &&
     tr '\0' ' ' <"/proc/$ctd/cmdline" | grep -qF -- "$BI_DOCKER_DIR/exec/containerd"; then
    kill -TERM "$ctd" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
}

# Our running dockerd with other flags than this run wants (e.g. started before --live-restore was added): restart it,
# in the network mode it runs in. A daemon this script did not start is never touched.
restart_if_flags_differ() {
  local pid have mode
  pid=$(our_pid) || return 0
  have=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  mode=bridge; case $have in *" --bridge=none "*) mode=host;; esac
  daemon_args "$mode"
  [ "$have" = "dockerd ${DAEMON_ARGS[*]} " ] && return 0
  log "dockerd pid $pid runs with other flags than wanted (live-restore=$BI_DOCKER_LIVE_RESTORE); restarting it"
  stop_our_daemon
  start_daemon "$mode" || die "dockerd failed to start (log: $LOGFILE)"
}

ensure_daemon() {
  if answers; then
    log "reusing the daemon on $DOCKER_HOST ($(docker info --format '{{.ServerVersion}}'))"
    restart_if_flags_differ
    return 0
  fi
  command -v dockerd >/dev/null && command -v docker >/dev/null || { log "installing docker.io"; apt_install docker.io; }
  local pid mode i
  if pid=$(our_pid); then   # ours but not answering yet
    for ((i = 0; i < BI_DOCKER_WAIT * 4; i++)); do answers && return 0; sleep 0.25; done
    die "our dockerd pid $pid never answered on $DOCKER_HOST (log: $LOGFILE)"
  fi
  if [ -S "$BI_DOCKER_SOCK" ]; then   # a listener we did not start is not ours to remove
    if command -v ss >/dev/null && ss -xlH 2>/dev/null | awk '{print $5}' | grep -qxF "$BI_DOCKER_SOCK"; then
      die "something listens on $BI_DOCKER_SOCK but does not answer as a Docker daemon; not touching it"
    fi
    rm -f "$BI_DOCKER_SOCK"
  fi
  mode=$BI_DOCKER_NETWORK
  [ "$mode" = auto ] && [ -s "$MODEFILE" ] && mode=$(cat "$MODEFILE")
  if [ "$mode" = host ]; then
    start_daemon host || die "dockerd failed to start (log: $LOGFILE)"
  elif ! start_daemon bridge; then
    [ "$mode" = bridge ] && die "dockerd failed to start with its bridge (log: $LOGFILE)"
    start_daemon host || die "dockerd failed to start (log: $LOGFILE)"
    echo host >"$MODEFILE"
  fi
}

# ---------------------------------------------------------------- base image
debian_mirror() {
  local m=$BI_DOCKER_MIRROR
  [ -n "$m" ] || m=$(apt-get indextargets --format '$(TARGET_OF) $(RELEASE) $(SITE)' 2>/dev/null |
                     awk -v s="$BI_DOCKER_SUITE" '$1=="deb" && $2==s {print $3; exit}')
  [ -n "$m" ] || m=$(grep -hs -E "^deb +(\[[^]]*\] +)?[a-z]+://[^ ]+ +$BI_DOCKER_SUITE( |$)" /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
                     head -n1 | sed -E 's/^deb +(\[[^]]*\] +)?//; s/ .*//')
  [ -n "$m" ] || die "cannot tell which Debian mirror apt uses; set BI_DOCKER_MIRROR"
  echo "${m%/}"
}

# deb822 sources for the image: the host's http Debian entries for this suite (and -updates, -security).
image_sources() {
  apt-get indextargets --format '$(TARGET_OF) $(RELEASE) $(SITE)' 2>/dev/null |
    awk -v s="$BI_DOCKER_SUITE" '$1=="deb" && ($2==s || index($2, s"-")==1) && $3 ~ /^http:/ {print $3, $2}' | sort -u |
    awk '{u[$1]=u[$1] " " $2} END {for (k in u) printf "Types: deb\nURIs: %s\nSuites:%s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n", k, u[k]}'
}

ensure_base_image() {
  docker image inspect "$BI_DOCKER_BASE_IMAGE" >/dev/null 2>&1 && return 0
  command -v debootstrap >/dev/null || apt_install debootstrap
  local mirror rootfs srcs t
  t=$(date +%s.%N)
  mirror=$(debian_mirror)
  rootfs=$(mktemp -d "$BI_DOCKER_DIR/rootfs.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$rootfs'" EXIT
  log "base image $BI_DOCKER_BASE_IMAGE: debootstrap --variant=minbase $BI_DOCKER_SUITE from $mirror"
  debootstrap --variant=minbase "$BI_DOCKER_SUITE" "$rootfs" "$mirror" >"$BI_DOCKER_DIR/debootstrap.log" 2>&1 ||
    { tail -n 25 "$BI_DOCKER_DIR/debootstrap.log" >&2; die "debootstrap failed (log: $BI_DOCKER_DIR/debootstrap.log)"; }
  srcs=$(image_sources)
  if [ -n "$srcs" ]; then rm -f "$rootfs/etc/apt/sources.list"; printf '%s\n' "$srcs" >"$rootfs/etc/apt/sources.list.d/debian.sources"; fi
  # "slim" like the official image: no docs, man pages or locales; apt caches cleaned after each install.
  printf 'path-exclude /usr/share/%s/*\n' doc groff info linda lintian locale man >"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
  echo 'path-include /usr/share/doc/*/copyright' >>"$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim"
  cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
  find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
  rm -rf "${rootfs:?}"/usr/share/{man,info,groff,lintian,linda,locale}/* "${rootfs:?}"/var/lib/apt/lists/* \
         "${rootfs:?}"/var/cache/apt/*.bin "${rootfs:?}"/var/cache/apt/archives/*.deb "${rootfs:?}"/var/log/* \
         "${rootfs:?}"/dev/* "${rootfs:?}"/tmp/* "${rootfs:?}"/etc/hostname "${rootfs:?}"/etc/resolv.conf
  mkdir -p "$rootfs/var/lib/apt/lists/partial"
  tar --numeric-owner -C "$rootfs" -c . |
    docker import -c 'CMD ["bash"]' -m "debootstrap minbase $BI_DOCKER_SUITE from $mirror" - "$BI_DOCKER_BASE_IMAGE" >/dev/null ||
    die "docker import failed"
  rm -rf "$rootfs"; trap - EXIT
  log "base image imported in $(elapsed "$t")s"
}

# ---------------------------------------------------------------- network mode
# Default bridge usable? container->container, container->host (gateway) and host->container, by IP.
probe_bridge() {
  local img=$BI_DOCKER_BASE_IMAGE port=47123 srv srv_ip gw hostlis c2c c2h h2c
  local server='use IO::Socket::INET; my $s=IO::Socket::INET->new(LocalAddr=>"0.0.0.0",LocalPort=>shift,Listen=>5,ReuseAddr=>1) or die $!; while(my $c=$s->accept){print $c "pong\n"; close $c}'
  srv=$(docker run -d --rm --network bridge "$img" perl -e "$server" "$port" 2>/dev/null) || return 1
  read -r srv_ip gw < <(docker inspect -f '{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}}' "$srv")
  [ -n "$srv_ip" ] && [ -n "$gw" ] || { docker rm -f "$srv" >/dev/null 2>&1; return 1; }
  perl -e "$server" $((port + 1)) >/dev/null 2>&1 9>&- & hostlis=$!
  sleep 0.5
  c2c=$(docker run --rm --network bridge "$img" timeout 5 bash -c "exec 3<>/dev/tcp/$srv_ip/$port && head -n1 <&3" 2>/dev/null) || true
  c2h=$(docker run --rm --network bridge "$img" timeout 5 bash -c "exec 3<>/dev/tcp/$gw/$((port + 1)) && head -n1 <&3" 2>/dev/null) || true
  h2c=$(timeout 5 bash -c "exec 3<>/dev/tcp/$srv_ip/$port && head -n1 <&3" 2>/dev/null) || true
  kill "$hostlis" 2>/dev/null || true; wait "$hostlis" 2>/dev/null || true
  docker rm -f "$srv" >/dev/null 2>&1 || true
  log "bridge probe: container->container:${c2c:-FAIL} container->host:${c2h:-FAIL} host->container:${h2c:-FAIL}"
  [ "$c2c" = pong ] && [ "$c2h" = pong ] && [ "$h2c" = pong ]
}

network_mode() {
  local net verdict
  net=$(docker network inspect bridge >/dev/null 2>&1 && echo bridge || echo host)
  verdict=$(cat "$MODEFILE" 2>/dev/null || true)
  if [ "$net" = bridge ] && [ "$BI_DOCKER_NETWORK" != bridge ]; then
    if [ "$verdict" = host ]; then
      net=host   # the bridge exists but was found not to work here
    elif [ -z "$verdict" ] && our_pid >/dev/null; then
      if probe_bridge; then
        echo bridge >"$MODEFILE"
      else
        log "bridge networking does not work here; restarting with --bridge=none"
        stop_our_daemon
        start_daemon host || die "dockerd failed to start (log: $LOGFILE)"
        echo host >"$MODEFILE"; net=host
      fi
    fi
  fi
  echo "$net"
}

up() {
  [ "$(id -u)" = 0 ] || die "must run as root (dockerd needs it)"
  case $BI_DOCKER_NETWORK in auto|bridge|host) ;; *) die "BI_DOCKER_NETWORK must be auto, bridge or host";; esac
  case $BI_DOCKER_LIVE_RESTORE in true|false) ;; *) die "BI_DOCKER_LIVE_RESTORE must be true or false";; esac
  [ ${#BI_DOCKER_DIR} -le 60 ] || die "BI_DOCKER_DIR is too long (${#BI_DOCKER_DIR} > 60 chars) for containerd's socket path"
  mkdir -p "$BI_DOCKER_DIR"
  exec 9>"$BI_DOCKER_DIR/.lock"   # one at a time: parallel runs on one host would race
  flock -w 900 9 || die "timed out waiting for another docker-engine.sh (lock $BI_DOCKER_DIR/.lock)"
  ensure_daemon
  ensure_base_image
  NET=$(network_mode)
  printf 'export BI_DOCKER_NETWORK=%s\nexport DOCKER_HOST=%s\n' "$NET" "$DOCKER_HOST" >"$BI_DOCKER_DIR/env"
  exec 9>&-
  log "ready: network=$NET, total $(elapsed "$T0")s"
}

case ${1:-up} in
  up)
    up
    echo "BI_DOCKER_NETWORK=$NET"
    echo "DOCKER_HOST=$DOCKER_HOST" ;;
  image)
    [ $# -ge 3 ] || die "usage: $0 image TAG CONTEXT_DIR [DOCKERFILE]"
    up
    t=$(date +%s.%N)
    DOCKER_BUILDKIT=0 docker build --network host -q -t "$2" -f "${4:-$3/Dockerfile}" \
      --build-arg "BASE_IMAGE=$BI_DOCKER_BASE_IMAGE" "$3" >&2 || die "building $2 from $3 failed"
    log "image $2 built in $(elapsed "$t")s"
    echo "DOCKER_HOST=$DOCKER_HOST" ;;
  down) stop_our_daemon ;;
  *) die "usage: $0 [up | image TAG CONTEXT_DIR [DOCKERFILE] | down]" ;;
esac
