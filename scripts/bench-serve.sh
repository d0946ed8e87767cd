#!/usr/bin/env bash
# What serving costs (issue 10): a release build, then scripts/bench-serve.py
# overhead (weir serve vs weir run on the windows benchmark), latency (20 jobs:
# p99 of /jobs/overview and /metrics) and footprint (idle RSS, start-up).
#   scripts/bench-serve.sh [overhead|latency|footprint|all] [ARGS for bench-serve.py]
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="${1:-all}"; shift || true
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
# absolute: bench-serve.py starts some processes in a temp dir
WEIR=$(realpath "$WEIR"); export WEIR
if [ "$WHAT" = all ]; then
  for w in overhead latency footprint; do echo "== $w"; python3 scripts/bench-serve.py "$w" "$@"; done
else
  python3 scripts/bench-serve.py "$WHAT" "$@"
fi
