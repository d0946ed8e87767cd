#!/usr/bin/env bash
# All tests: the Swift test suites (unit, embedded-broker end-to-end, CLI), then
# the kill -9 crash tests (tests/crash). Pass --quick to skip the crash tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build
if [ "${1:-}" = "--quick" ]; then exit 0; fi
passed=0; failed=0
run_crash() {
  echo "== crash test: $*"
  if WEIR=.build/debug/weir tests/crash/crash-test.sh "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run_crash 200000 20 1 5000     # events, kills, parallelism, checkpoint interval (ms)
run_crash 200000 20 2 5000
run_crash 200000 20 1 200
echo "crash tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
