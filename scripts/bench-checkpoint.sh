#!/usr/bin/env bash
# Checkpoint pause (time a task does not process records while it checkpoints)
# with 100,000+ keys of window state (issue 5): pipelines/bench-checkpoint.yaml
# (one-hour windows, so every key's window stays open) under `weir run`, one
# task, release build, on the embedded broker in its own process.
#   scripts/bench-checkpoint.sh [EVENTS] [USERS] [CHECKPOINT_MS]
# 800,000 events (480,000 clicks) over 120,000 users leave ~118,000 keys in state.
# EACH=1 also prints each periodic checkpoint's pause and state keys (debug log).
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-800000}"; U="${2:-120000}"; CP="${3:-1000}"
# The embedded broker keeps at most 5 MiB per partition (EmbeddedBrokerCapacity plans
# 0.75 of it, ~210 bytes per event): 800k events need ~43; at least 64.
P=$(( N * 210 / 3932160 + 1 )); [ "$P" -ge 64 ] || P=64
WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
W=$WEIR
T=bench-checkpoint
LEVEL=info; [ -z "${EACH:-}" ] || LEVEL=debug
"$W" broker --topic $T-in:$P --topic $T-out:$P --topic $T-dlq:$P --topic $T-late:$P > "$WORK/bs.txt" &
for _ in $(seq 50); do [ -s "$WORK/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$WORK/bs.txt")
"$W" generate --bootstrap "$BS" --topic $T-in --events "$N" --users "$U"
WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=bench "$W" run pipelines/bench-checkpoint.yaml --parallelism 1 \
  --checkpoint-interval "$CP" --drain-idle-ms 3000 --log-level "$LEVEL" 2>&1 |
  { grep -E "input drained|checkpoints|state keys|checkpoint captured" || true; }
