#!/usr/bin/env bash
# Installs kubets on this host for systemd:
#   - the built tree (bin/ dist/ node_modules/ package.json) into $PREFIX
#     (default /opt/kubets), replacing an older install;
#   - the units of systemd/*.service into /etc/systemd/system (ExecStart
#     pointing into $PREFIX/bin), replacing older kubets units;
#   - the sample EnvironmentFiles of systemd/etc/ into /etc/kubernetes and
#     /etc/sysconfig, each ONLY when that file does not exist yet: an
#     operator's configuration is never overwritten;
#   - the kubelet's working directory /var/lib/kubelet and /var/lib/kubets;
#   - `systemctl daemon-reload`, when systemd is PID 1 and --root is /.
# Safe to run again (an upgrade is the same command). It enables and starts
# nothing: see "Running under systemd" in README.md.
#
# Usage: hack/install.sh [--prefix DIR] [--root DIR] [--dry-run] [--help]
#   --prefix DIR  where the tree goes, as seen on the installed host (default /opt/kubets)
#   --root DIR    install under DIR instead of / (a staging root, for packaging and tests)
#   --dry-run     print what would be done, change nothing
# Run `npm ci && npm run build` first (hack/setup-host.sh does both).
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${PREFIX:-/opt/kubets}"
ROOT_DIR=/
DRY_RUN=0

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
bad_arg() { echo "install.sh: $1 (see hack/install.sh --help)" >&2; exit 2; }

while (($# > 0)); do
  case "$1" in
    --prefix) (($# >= 2)) || bad_arg "--prefix needs a directory"; PREFIX="$2"; shift 2 ;;
    --prefix=*) PREFIX="${1#--prefix=}"; shift ;;
    --root) (($# >= 2)) || bad_arg "--root needs a directory"; ROOT_DIR="$2"; shift 2 ;;
    --root=*) ROOT_DIR="${1#--root=}"; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) bad_arg "unknown argument $(printf '%q' "$1")" ;;
  esac
done

[[ "$PREFIX" == /* ]] || bad_arg "--prefix must be an absolute path, not $(printf '%q' "$PREFIX")"
[[ -n "$ROOT_DIR" ]] || bad_arg "--root must not be empty"
PREFIX="${PREFIX%/}"; PREFIX="${PREFIX:-/}"
[[ "$PREFIX" != / ]] || bad_arg "--prefix must not be /"
[[ "$PREFIX" =~ ^/[A-Za-z0-9._/+-]+$ ]] ||
  bad_arg "--prefix may use only letters, digits and . _ / + - (it goes into ExecStart=): $(printf '%q' "$PREFIX")"
if [[ -e "$ROOT_DIR" && ! -d "$ROOT_DIR" ]]; then bad_arg "--root $(printf '%q' "$ROOT_DIR") is not a directory"; fi
if [[ -d "$ROOT_DIR" ]]; then ROOT_DIR="$(cd "$ROOT_DIR" && pwd -P)"; else ROOT_DIR="$(realpath -m "$ROOT_DIR")"; fi
ROOT_DIR="${ROOT_DIR%/}"   # "" for /, so "$ROOT_DIR/etc" is always right

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }
# run CMD…: runs it, or only prints it under --dry-run.
run() {
  if ((DRY_RUN)); then
    local line
    line="$(printf '%q ' "$@")"
    echo "install: [dry-run] ${line% }"
  else
    "$@"
  fi
}

# --- the built tree must be there ---------------------------------------------
TREE=(bin dist node_modules package.json)
for item in "${TREE[@]}"; do
  [[ -e "$SRC/$item" ]] || die "$SRC/$item is missing: build kubets first (npm ci && npm run build, or hack/setup-host.sh)"
done
for unit in "$SRC"/systemd/*.service; do
  daemon="$(basename "$unit" .service)"
  [[ -x "$SRC/bin/$daemon" ]] || die "$unit starts bin/$daemon, which is missing from $SRC/bin"
done
[[ -n "$(ls -A "$SRC/dist")" ]] || die "$SRC/dist is empty: run npm run build first"

DEST="$ROOT_DIR$PREFIX"
if [[ -e "$DEST" ]] && [[ "$(cd "$DEST" && pwd -P)" == "$(cd "$SRC" && pwd -P)" ]]; then
  die "the source tree $SRC is the install prefix $DEST: nothing to copy"
fi
case "$(realpath -m "$DEST")/" in
  "$(cd "$SRC" && pwd -P)"/*) die "the install prefix $DEST is inside the source tree $SRC" ;;
esac
if ((DRY_RUN)); then
  say "dry run: nothing is changed"
elif [[ -z "$ROOT_DIR" && "$(id -u)" != 0 ]]; then
  die "installing into / needs root (or use --root DIR to stage, --dry-run to look)"
fi
say "installing $SRC into ${ROOT_DIR:-}$PREFIX${ROOT_DIR:+ (staging root $ROOT_DIR, prefix $PREFIX)}"

# --- 1. the tree ------------------------------------------------------------------
# Each item is copied next to its place, then swapped in, so an interrupted
# copy never leaves a half tree where the old one was.
run mkdir -p "$DEST"
for item in "${TREE[@]}"; do
  run rm -rf "$DEST/.$item.new"
  run cp -a "$SRC/$item" "$DEST/.$item.new"
  run rm -rf "$DEST/$item"
  run mv "$DEST/.$item.new" "$DEST/$item"
done
say "${TREE[*]} -> $DEST"

# --- 2. units -----------------------------------------------------------------------
UNIT_DIR="$ROOT_DIR/etc/systemd/system"
run mkdir -p "$UNIT_DIR"
changed_units=0
for unit in "$SRC"/systemd/*.service; do
  name="$(basename "$unit")"
  target="$UNIT_DIR/$name"
  # The units name /opt/kubets/bin/<daemon>; point them at $PREFIX.
  content="$(sed "s%/opt/kubets/%$PREFIX/%g" "$unit")"
  if [[ -L "$target" ]]; then
    # A symlink here is the operator's (`systemctl mask` links to /dev/null).
    say "unit $target is a symlink (to $(readlink "$target")): kept"
    continue
  fi
  if [[ -f "$target" ]] && [[ "$(cat "$target")" == "$content" ]]; then
    say "unit $target is up to date"
    continue
  fi
  if [[ -f "$target" ]]; then say "unit $target: updated"; else say "unit $target: installed"; fi
  changed_units=1
  if ((DRY_RUN)); then
    echo "install: [dry-run] write $target"
  else
    printf '%s\n' "$content" >"$target.new"
    chmod 0644 "$target.new"
    mv "$target.new" "$target"
  fi
done

# --- 3. EnvironmentFiles: only the missing ones ------------------------------------
while IFS= read -r -d '' sample; do
  rel="${sample#"$SRC/systemd/"}" # etc/kubernetes/apiserver
  target="$ROOT_DIR/$rel"
  if [[ -e "$target" || -L "$target" ]]; then
    if cmp -s "$sample" "$target"; then
      say "config $target is the sample: kept"
    else
      say "config $target exists: kept (the sample is $sample)"
    fi
    continue
  fi
  say "config $target: installed from the sample"
  run mkdir -p "$(dirname "$target")"
  run install -m 0644 "$sample" "$target"
done < <(find "$SRC/systemd/etc" -type f -print0 | sort -z)

# --- 4. state directories -------------------------------------------------------------
for dir in /var/lib/kubelet /var/lib/kubets; do
  [[ -d "$ROOT_DIR$dir" ]] || run mkdir -p "$ROOT_DIR$dir"
done

# --- 5. systemd ------------------------------------------------------------------------
if [[ -n "$ROOT_DIR" ]]; then
  say "staging root $ROOT_DIR: not running systemctl daemon-reload"
elif [[ ! -d /run/systemd/system ]]; then
  say "systemd is not PID 1 on this host ($(cat /proc/1/comm 2>/dev/null || echo unknown) is): skipping systemctl daemon-reload; the units take effect where systemd runs"
elif ((changed_units)); then
  run systemctl daemon-reload
  say "systemctl daemon-reload done"
else
  say "units unchanged: no systemctl daemon-reload needed"
fi

# The launchers start with `#!/usr/bin/env node`: systemd's PATH must find node 20.
if [[ -z "$ROOT_DIR" ]]; then
  node_found=""
  for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    if [[ -x "$d/node" ]]; then node_found="$d/node"; break; fi
  done
  if [[ -z "$node_found" ]]; then
    say "warning: no node in /usr/local/bin, /usr/bin or /bin: systemd will not find node to run $PREFIX/bin/*; install Node.js 20 there"
  fi
fi

say "done. Start the API server with: systemctl enable --now kube-apiserver"
