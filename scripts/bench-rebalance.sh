#!/usr/bin/env bash
# A dead instance's partitions (issue 12, "Speed"): two `weir serve` instances
# x parallelism 2 on `weir broker` with input flowing; each repetition SIGKILLs
# one, measures from the kill until the survivor holds each of its partitions
# and has processed a record of each, and restarts it (scripts/bench-rebalance.py).
# min / median / max against session.timeout.ms and 2x it.
#   scripts/bench-rebalance.sh [REPS] [SESSION_MS...]
# SESSION_MS: session.timeout.ms values to run with (default: Weir's own, 6000 ms);
# e.g. `scripts/bench-rebalance.sh 6 6000 10000`.
# HEARTBEAT_MS=1000 sets heartbeat.interval.ms too (librdkafka's default: 3000).
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-6}"; shift || true
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
# absolute: bench-rebalance.py starts weir serve in a temp dir
WEIR=$(realpath "$WEIR"); export WEIR
hb=(); [ -z "${HEARTBEAT_MS:-}" ] || hb=(--heartbeat-ms "$HEARTBEAT_MS")
if [ $# -eq 0 ]; then
  python3 scripts/bench-rebalance.py --reps "$REPS" "${hb[@]}"
else
  rc=0
  for s in "$@"; do python3 scripts/bench-rebalance.py --reps "$REPS" --session-ms "$s" "${hb[@]}" || rc=1; done
  exit "$rc"
fi
