#!/usr/bin/env bash
# Prepares this host for kubets: Debian packages, a running Docker engine,
# node_modules and a compiled dist/. Idempotent: each step checks first and
# does nothing when the host already has what it needs.
#
# Usage: hack/setup-host.sh [--no-docker] [--no-build]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WANT_DOCKER=1
WANT_BUILD=1
for a in "$@"; do
  case "$a" in
    --no-docker) WANT_DOCKER=0 ;;
    --no-build) WANT_BUILD=0 ;;
    *) echo "setup-host: unknown argument: $a" >&2; exit 2 ;;
  esac
done

log() { echo "setup-host: $*" >&2; }

if [[ $EUID -ne 0 ]]; then
  log "must run as root (installs packages, starts dockerd)"; exit 1
fi

# --- Debian packages -------------------------------------------------------
PACKAGES=(docker.io etcd-server etcd-client iptables conntrack iproute2 busybox-static curl
          containernetworking-plugins gcc libc6-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  # PID 1 is not systemd here: keep package scripts from starting services
  # (etcd on its default ports, dockerd) behind our back.
  policy=/usr/sbin/policy-rc.d
  had_policy=0; [[ -e $policy ]] && had_policy=1
  if ((!had_policy)); then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; fi
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-o DPkg::Lock::Timeout=600 -y -q)
  if ! apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" >/tmp/kubets-apt.log 2>&1; then
    apt-get update -q -o DPkg::Lock::Timeout=600 >>/tmp/kubets-apt.log 2>&1
    apt-get install "${apt_opts[@]}" --no-install-recommends "${missing[@]}" >>/tmp/kubets-apt.log 2>&1 \
      || { tail -20 /tmp/kubets-apt.log >&2; log "apt-get install failed (log: /tmp/kubets-apt.log)"; exit 1; }
  fi
  ((had_policy)) || rm -f "$policy"
else
  log "Debian packages present"
fi

# --- Docker engine ---------------------------------------------------------
docker_ok() { timeout 10 docker -H unix:///var/run/docker.sock info >/dev/null 2>&1; }
if ((WANT_DOCKER)); then
  if docker_ok; then
    log "Docker engine answers on /var/run/docker.sock"
  else
    # A dockerd killed with its session leaves its pid file and sockets behind;
    # dockerd refuses to start while the pid file names a live process, so only
    # remove what belongs to a dead one.
    for pidfile in /var/run/docker.pid /var/run/docker/containerd/containerd.pid; do
      if [[ -f $pidfile ]]; then
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
          log "a process ($pid) named in $pidfile is alive but Docker does not answer; waiting for it"
        else
          rm -f "$pidfile"
        fi
      fi
    done
    if ! docker_ok; then
      rm -f /var/run/docker.sock
      log "starting dockerd in the background (log: /var/log/kubets-dockerd.log)"
      nohup setsid /usr/sbin/dockerd --host unix:///var/run/docker.sock >/var/log/kubets-dockerd.log 2>&1 </dev/null &
      for _ in $(seq 1 60); do docker_ok && break; sleep 1; done
      docker_ok || { tail -20 /var/log/kubets-dockerd.log >&2; log "dockerd did not come up in 60 s"; exit 1; }
      log "Docker engine is up"
    fi
  fi
fi

# --- a local image to run pods from (no registry is reachable on these machines)
# kubets.local/busybox:1: Debian's static busybox and its applets, `docker import`ed.
# (The pause image the kubelet builds itself, from native/pause.)
if ((WANT_DOCKER)) && ! docker image inspect kubets.local/busybox:1 >/dev/null 2>&1; then
  rootfs=$(mktemp -d /tmp/kubets-busybox.XXXXXX)
  mkdir -p "$rootfs"/{bin,sbin,etc,tmp,proc,sys,dev,root,var,usr/bin}
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do [[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin:/sbin:/usr/bin' - kubets.local/busybox:1 >/dev/null
  rm -rf "$rootfs"
  log "built image kubets.local/busybox:1"
fi

# --- kernel knobs the node daemons expect ----------------------------------
sysctl -qw net.ipv4.ip_forward=1 || true

# --- node_modules and dist/ ------------------------------------------------
cd "$ROOT"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci (better-sqlite3 compiles from source: about a minute)"
  npm ci --no-audit --no-fund >/tmp/kubets-npm.log 2>&1 || { tail -30 /tmp/kubets-npm.log >&2; log "npm ci failed (log: /tmp/kubets-npm.log)"; exit 1; }
fi
if ((WANT_BUILD)); then
  log "building (tsc -b)"
  npm run -s build
  # kubets' own CNI plugins (bridge, host-local, loopback, portmap, flannel) next to
  # nothing else: the kubelet takes --cni-bin-dir; Debian's reference set stays in /usr/lib/cni.
  node "$ROOT/bin/cni/install" /opt/cni/bin >/dev/null
  log "CNI plugins installed in /opt/cni/bin"
fi
log "host ready"
