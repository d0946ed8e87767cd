#!/usr/bin/env bash
# The service tests: `weir serve` instances of one service group on the
# embedded broker (two instances and a SIGKILL, savepoints and restores,
# SIGTERM and restart), each checked exactly against the reference. A failed
# test's work directory (logs, events, output) is kept and named.
#   WEIR=.build/debug/weir tests/service/run-all.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
export WEIR="${WEIR:-.build/debug/weir}"
passed=0; failed=0
run_service() {
  echo "== service test: $*"
  local t=$SECONDS out; out=$(mktemp)
  if KEEP=1 "$@" 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" -eq 0 ]; then
    passed=$((passed + 1))
    rm -rf "$(sed -n 's/^kept //p' "$out" | tail -1)"
  else
    failed=$((failed + 1)); echo "== FAILED: $* ($((SECONDS - t)) s; logs in $(sed -n 's/^kept //p' "$out" | tail -1))"
  fi
  rm -f "$out"
}
run_service tests/service/two-instances.sh     # two instances, a job submitted to one, the other SIGKILLed and restarted, a cancel (~65 s)
run_service tests/service/savepoints.sh        # savepoint, stop with savepoints, restore over REST and with weir run (~35 s)
run_service tests/service/sigterm-restart.sh   # SIGTERM exits 0, the job resumes from the jobs topic after a restart (~40 s)
echo "service tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
