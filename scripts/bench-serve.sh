#!/usr/bin/env bash
# What serving costs (issue 10): a release build, then scripts/bench-serve.py
# overhead (weir serve vs weir run on the windows benchmark), latency (20 jobs:
# p99 of /jobs/overview and /metrics) and footprint (idle RSS, start-up).
#   scripts/bench-serve.sh [overhead|latency|footprint|all] [ARGS for bench-serve.py]
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="${1:-all}"; shift || true
swift build -c release --product weir >/dev/null
if [ "$WHAT" = all ]; then
  for w in overhead latency footprint; do echo "== $w"; python3 scripts/bench-serve.py "$w" "$@"; done
else
  python3 scripts/bench-serve.py "$WHAT" "$@"
fi
