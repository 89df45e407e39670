#!/usr/bin/env bash
# One command to a running kubets cluster on this machine: sets up the host
# (hack/setup-host.sh), then starts every component that has landed, with
# state, logs and a kubeconfig under $KUBETS_DIR (default: ./.kubets).
#
#   hack/local-up-cluster.sh          start, then wait; Ctrl-C stops everything
#   hack/local-up-cluster.sh -d       start in the background and return
#   hack/local-up-cluster.sh --down   stop what a detached run started
#
# Environment: KUBETS_DIR, API_PORT (8080), SCHEDULER_PORT (10251), CM_PORT (10252),
# NODE (1: also run a kubelet and kube-proxy here; 0: control plane only), NODE_NAME,
# KUBELET_HEALTHZ_PORT (10248), KUBELET_PORT (10250: logs/exec/port-forward), PROXY_HEALTHZ_PORT (10256), STORAGE_BACKEND (sqlite|etcd3),
# ETCD_SERVERS (with etcd3; default: start a local etcd on 127.0.0.1:2379).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${KUBETS_DIR:-$ROOT/.kubets}"
API_PORT="${API_PORT:-8080}"
STORAGE_BACKEND="${STORAGE_BACKEND:-sqlite}"
DETACH=0
log() { echo "local-up: $*" >&2; }

stop_all() {
  [[ -d $DIR/pids ]] || return 0
  local had_proxy=0
  [[ -e $DIR/pids/kube-proxy.pid ]] && had_proxy=1
  for f in "$DIR"/pids/*.pid; do
    [[ -e $f ]] || continue
    pid=$(cat "$f"); name=$(basename "$f" .pid)
    if kill -0 "$pid" 2>/dev/null; then log "stopping $name (pid $pid)"; kill "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  done
  # kube-proxy leaves its rules behind when stopped (as upstream); remove them.
  if ((had_proxy)); then "$ROOT/bin/kube-proxy" --cleanup >/dev/null 2>&1 || log "kube-proxy --cleanup failed"; fi
  # The pods' containers outlive a stopped kubelet; this script's node is gone with it.
  if [[ -f $DIR/node-name ]]; then
    local ids
    ids=$(docker ps -aq --filter "label=io.kubets.node=$(cat "$DIR/node-name")" 2>/dev/null || true)
    if [[ -n $ids ]]; then log "removing the node's containers"; docker rm -f $ids >/dev/null 2>&1 || true; fi
    rm -f "$DIR/node-name"
  fi
}

case "${1:-}" in
  --down) stop_all; exit 0 ;;
  -d|--detach) DETACH=1 ;;
  "") ;;
  *) echo "usage: $0 [-d|--detach|--down]" >&2; exit 2 ;;
esac

"$ROOT/hack/setup-host.sh"
mkdir -p "$DIR"/{pids,logs,data}
stop_all   # a previous detached run: start clean, keep its data

start() { # name, then the command line
  local name=$1; shift
  log "starting $name (log: $DIR/logs/$name.log)"
  nohup "$@" >"$DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/pids/$name.pid"
}

wait_http() { # url, what
  for _ in $(seq 1 60); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "$2 did not answer on $1; last log lines:"; tail -20 "$DIR/logs/$2.log" >&2; return 1
}

storage_flags=(--storage-backend="$STORAGE_BACKEND" --data-dir="$DIR/data/apiserver")
if [[ $STORAGE_BACKEND == etcd3 ]]; then
  if [[ -z ${ETCD_SERVERS:-} ]]; then
    ETCD_SERVERS=http://127.0.0.1:2379
    start etcd etcd --name kubets --data-dir "$DIR/data/etcd" \
      --listen-client-urls "$ETCD_SERVERS" --advertise-client-urls "$ETCD_SERVERS" \
      --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
      --initial-cluster kubets=http://127.0.0.1:2380
    wait_http "$ETCD_SERVERS/health" etcd
  fi
  storage_flags=(--storage-backend=etcd3 --etcd-servers="$ETCD_SERVERS")
fi

# The kubelet is reached at its node's InternalIP first (as the seeds' own script sets it): a node
# name need not resolve.
start kube-apiserver "$ROOT/bin/kube-apiserver" --insecure-port="$API_PORT" --secure-port=0 \
  --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname,InternalDNS,ExternalDNS \
  --cert-dir="$DIR/data/certs" --logtostderr=true --v=1 "${storage_flags[@]}"
wait_http "http://127.0.0.1:$API_PORT/healthz" kube-apiserver

cat >"$DIR/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:$API_PORT
users:
- name: local-admin
  user: {}
contexts:
- name: local
  context: {cluster: local, user: local-admin}
current-context: local
KC

SCHEDULER_PORT="${SCHEDULER_PORT:-10251}"
start kube-scheduler "$ROOT/bin/kube-scheduler" --master="http://127.0.0.1:$API_PORT" \
  --port="$SCHEDULER_PORT" --logtostderr=true --v=1
wait_http "http://127.0.0.1:$SCHEDULER_PORT/healthz" kube-scheduler

CM_PORT="${CM_PORT:-10252}"
start kube-controller-manager "$ROOT/bin/kube-controller-manager" --master="http://127.0.0.1:$API_PORT" \
  --port="$CM_PORT" --enable-garbage-collector=true --logtostderr=true --v=1
wait_http "http://127.0.0.1:$CM_PORT/healthz" kube-controller-manager

# ---- kube-dns (cluster DNS add-on) ----------------------------------------------------
# A host daemon on DNS_PORT (UDP+TCP), published as the Service kube-system/kube-dns
# (clusterIP DNS_SERVICE_IP, port 53) whose selector-less Endpoints point at this host,
# so pods with --cluster-dns=DNS_SERVICE_IP reach it through kube-proxy. DNS=0 skips it.
# Environment: DNS (1), DNS_PORT (10053), DNS_HEALTHZ_PORT (8081), DNS_SERVICE_IP (10.0.0.10),
# DNS_DOMAIN (cluster.local), HOST_IP (this host's first address).
KUBELET_DNS_FLAGS=()
if [[ ${DNS:-1} == 1 ]]; then
  DNS_PORT="${DNS_PORT:-10053}"; DNS_HEALTHZ_PORT="${DNS_HEALTHZ_PORT:-8081}"
  DNS_SERVICE_IP="${DNS_SERVICE_IP:-10.0.0.10}"; DNS_DOMAIN="${DNS_DOMAIN:-cluster.local}"
  HOST_IP="${HOST_IP:-$(hostname -I | awk '{print $1}')}"
  # Bound to HOST_IP, not 0.0.0.0: a UDP answer must leave from the address the (DNAT'd) query went
  # to, or conntrack cannot map it back to the Service IP (Node's sockets cannot pick per packet).
  start kube-dns "$ROOT/bin/kube-dns" --kube-master-url="http://127.0.0.1:$API_PORT" --domain="$DNS_DOMAIN" \
    --dns-bind-address="$HOST_IP" --dns-port="$DNS_PORT" --healthz-port="$DNS_HEALTHZ_PORT" --config-map=kube-dns --logtostderr=true --v=1
  wait_http "http://127.0.0.1:$DNS_HEALTHZ_PORT/healthz" kube-dns
  api="http://127.0.0.1:$API_PORT/api/v1/namespaces/kube-system"
  post() { # path, JSON: 201 created or 409 already there
    local code; code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d "$2" "$api/$1")
    [[ $code == 201 || $code == 409 ]] || { log "POST $1: HTTP $code"; return 1; }
  }
  # (looked up first: creating it again would ask for its cluster IP, which it already holds)
  curl -fsS -o /dev/null "$api/services/kube-dns" 2>/dev/null || post services '{"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","labels":{"k8s-app":"kube-dns","kubernetes.io/name":"KubeDNS"}},"spec":{"clusterIP":"'"$DNS_SERVICE_IP"'","ports":[{"name":"dns","port":53,"protocol":"UDP","targetPort":'"$DNS_PORT"'},{"name":"dns-tcp","port":53,"protocol":"TCP","targetPort":'"$DNS_PORT"'}]}}'
  curl -sS -o /dev/null -X DELETE "$api/endpoints/kube-dns" || true   # the host address may have changed
  post endpoints '{"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"kube-dns"},"subsets":[{"addresses":[{"ip":"'"$HOST_IP"'"}],"ports":[{"name":"dns","port":'"$DNS_PORT"',"protocol":"UDP"},{"name":"dns-tcp","port":'"$DNS_PORT"',"protocol":"TCP"}]}]}'
  KUBELET_DNS_FLAGS=(--cluster-dns="$DNS_SERVICE_IP" --cluster-domain="$DNS_DOMAIN")
fi
# ---- end kube-dns ---------------------------------------------------------------------

# This machine as the node: the kubelet runs pods on the local Docker engine
# (Docker's bridge networking while the node has no pod CIDR), kube-proxy
# programs Service VIPs into this host's iptables. NODE=0 skips both.
if [[ ${NODE:-1} == 1 ]]; then
  NODE_NAME="${NODE_NAME:-$(hostname)}"
  echo "$NODE_NAME" >"$DIR/node-name"
  KUBELET_HEALTHZ_PORT="${KUBELET_HEALTHZ_PORT:-10248}"
  start kubelet "$ROOT/bin/kubelet" --kubeconfig="$DIR/kubeconfig" --hostname-override="$NODE_NAME" \
    --root-dir="$DIR/data/kubelet" --healthz-port="$KUBELET_HEALTHZ_PORT" --read-only-port=0 \
    --port="${KUBELET_PORT:-10250}" --cert-dir="$DIR/data/kubelet/pki" \
    --logtostderr=true --v=1 "${KUBELET_DNS_FLAGS[@]}"
  wait_http "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" kubelet
  PROXY_HEALTHZ_PORT="${PROXY_HEALTHZ_PORT:-10256}"
  start kube-proxy "$ROOT/bin/kube-proxy" --master="http://127.0.0.1:$API_PORT" --hostname-override="$NODE_NAME" \
    --healthz-port="$PROXY_HEALTHZ_PORT" --logtostderr=true --v=1
  wait_http "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz" kube-proxy
fi
log "not started: flanneld (one machine needs no overlay; it arrives with its issue)"


cat >&2 <<MSG

kubets is up. To use it:
  export KUBECONFIG=$DIR/kubeconfig
  kubectl get namespaces
Logs: $DIR/logs/   Data: $DIR/data/
MSG

if ((DETACH)); then
  log "detached; stop with: $0 --down"
  exit 0
fi
trap 'stop_all; exit 0' INT TERM
log "Ctrl-C to stop"
while :; do
  for f in "$DIR"/pids/*.pid; do
    [[ -e $f ]] || continue
    kill -0 "$(cat "$f")" 2>/dev/null || { log "$(basename "$f" .pid) exited; see $DIR/logs/"; stop_all; exit 1; }
  done
  sleep 2
done
