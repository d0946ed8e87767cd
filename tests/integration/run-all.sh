#!/usr/bin/env bash
# Every integration test against the running compose stack (scripts/integration.sh
# starts it and sets the environment tests/integration/lib.sh describes).
#   tests/integration/run-all.sh [--quick]     --quick: fewer events and kills
set -euo pipefail
cd "$(dirname "$0")/../.."
Q=0; [ "${1:-}" = "--quick" ] && Q=1
passed=0; failed=0; names=()
t() {
  local name="$1"; shift
  echo "== integration: $name"
  local t0=$SECONDS
  if "$@"; then passed=$((passed + 1)); echo "== $name: passed ($((SECONDS - t0)) s)"
  else failed=$((failed + 1)); names+=("$name"); echo "== $name: FAILED ($((SECONDS - t0)) s)"; fi
}
if [ $Q -eq 1 ]; then
  t smoke tests/integration/smoke.sh
  t crash-exact tests/integration/crash-exact.sh 50000 3
  t crash-repartition tests/integration/crash-exact.sh 50000 3 repartition
  t avro-registry tests/integration/avro-registry.sh 20000 1
  t rolling-restart tests/integration/rolling-restart.sh 30000 20000 1000 2 1
else
  t smoke tests/integration/smoke.sh
  t crash-exact tests/integration/crash-exact.sh 200000 10
  t crash-repartition tests/integration/crash-exact.sh 200000 10 repartition
  t avro-registry tests/integration/avro-registry.sh 50000 3
  t rolling-restart tests/integration/rolling-restart.sh 100000 90000 1500 2 2
fi
echo "integration: $passed passed, $failed failed${names:+ (${names[*]})}"
[ "$failed" -eq 0 ]
