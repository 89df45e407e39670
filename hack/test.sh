#!/usr/bin/env bash
# Sets up the host (hack/setup-host.sh), then runs the whole test suite: unit
# tests and integration tests against real etcd, the real Docker engine, real
# network namespaces and the real kubectl. The last line is the plain
# `N passed, N failed` summary; the exit code is non-zero on any failure.
#
# Usage: hack/test.sh [ava file globs or --match patterns…]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! hack/setup-host.sh; then
  echo "test: host set-up failed"
  echo "0 passed, 1 failed"
  exit 1
fi

failed_steps=0
echo "test: type-checking the tests (tsc -p test/tsconfig.json)"
if ! npx tsc -p test/tsconfig.json --noEmit; then
  echo "test: the tests do not type-check"
  failed_steps=1
fi

out=$(mktemp /tmp/kubets-test.XXXXXX)
trap 'rm -f "$out"' EXIT
echo "test: running ava"
start=$(date +%s)
npx ava --tap "$@" 2>&1 | tee "$out"
ava_rc=${PIPESTATUS[0]}
echo "test: ava finished in $(( $(date +%s) - start )) s (exit $ava_rc)"

pass=$(grep -E '^# pass ' "$out" | tail -1 | awk '{print $3}')
fail=$(grep -E '^# fail ' "$out" | tail -1 | awk '{print $3}')
pass=${pass:-0}; fail=${fail:-0}
# ava exits non-zero without a TAP failure line for e.g. an uncaught exception
# in a test file or a timeout; count that as a failure so CI cannot go green.
if (( ava_rc != 0 && fail == 0 )); then fail=1; fi
fail=$(( fail + failed_steps ))
echo "${pass} passed, ${fail} failed"
(( fail == 0 ))
