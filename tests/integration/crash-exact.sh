#!/usr/bin/env bash
# The kill -9 crash test (tests/crash/crash-test.sh) against the real Kafka of
# docker-compose.yml: pipelines/clicks-per-user.yaml, parallelism 2, killed
# KILLS times mid-stream, then drained; the output is read with read_committed
# and NO re-emitted row is tolerated (check_windows.py --strict): on a real
# Kafka an aborted transaction's records are never visible.
#   tests/integration/crash-exact.sh [EVENTS] [KILLS] [repartition]
# With `repartition` the pipeline's source drops keyedBy, so keyBy goes through
# the internal repartition topic (two stages, each exactly-once).
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-200000}"; KILLS="${2:-10}"; MODE="${3:-keyed}"
NAME="it-crash-$MODE-$ID"
it_pipeline pipelines/clicks-per-user.yaml "$NAME" "$MODE" 2
if [ "$MODE" = repartition ]; then
  grep -q 'repartition' "$W/$NAME.validate" || { cat "$W/$NAME.validate"; fail "the pipeline does not repartition"; }
fi
# Runs of 6-16 s: a killed member's partitions wait for its session to expire
# (6 s) before the restarted one gets them; then processing, checkpoints, restores.
WEIR="$WEIR" WEIR_CRASH_BOOTSTRAP="$BOOTSTRAP" WEIR_CRASH_PIPELINE="$W/$NAME.yaml" WEIR_CRASH_STRICT=1 \
  WEIR_CRASH_RUN_SECONDS="6 10" tests/crash/crash-test.sh "$EVENTS" "$KILLS" 2 1000
late=$(consume "$NAME-late" | grep -c . || true)
echo "late records: $late"
[ "$late" -eq 0 ] || fail "$late records went to late data"
