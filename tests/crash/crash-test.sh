#!/usr/bin/env bash
# The kill -9 test (DESIGN.md, "Exactly-once"): `weir broker` in its own
# process, EVENTS click events with out-of-order timestamps, and
# pipelines/clicks-per-user.yaml under `weir run`, killed with SIGKILL at random
# moments KILLS times and restarted each time; a last run drains the input.
# An independent reference (check_windows.py) then checks every window.
#   tests/crash/crash-test.sh [EVENTS] [KILLS] [PARALLELISM] [CHECKPOINT_MS]
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-200000}"; KILLS="${2:-20}"; PAR="${3:-1}"; CP="${4:-5000}"
WEIR="${WEIR:-.build/debug/weir}"
W="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
P=16   # the embedded broker keeps at most 5 MiB per partition
"$WEIR" broker --topic input-topic:$P --topic output-topic:$P --topic clicks-dlq:$P --topic clicks-late:$P \
  --topic clicks-per-user-state:$P > "$W/bs.txt" &
for _ in $(seq 50); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
"$WEIR" generate --bootstrap "$BS" --topic input-topic --events "$EVENTS" --file "$W/events.jsonl" >/dev/null
sed "s/^parallelism:.*//" pipelines/clicks-per-user.yaml > "$W/pipeline.yaml"
echo "parallelism: $PAR" >> "$W/pipeline.yaml"
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=crash
echo "crash test: $EVENTS events, $KILLS kills, parallelism $PAR, checkpoint ${CP} ms ($BS)"
for k in $(seq "$KILLS"); do
  "$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --log-level warning >> "$W/run.log" 2>&1 &
  pid=$!
  # 3-9 s: past the group join (3 s on the embedded broker) into processing, checkpoints and restores
  sleep "$(awk -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", 3 + rand()*6}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  printf '.'
done
echo
"$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --drain-idle-ms 8000 --log-level warning >> "$W/run.log" 2>&1 || {
  echo "final run failed"; tail -20 "$W/run.log"; exit 1; }
"$WEIR" consume --bootstrap "$BS" --topic output-topic --idle-ms 3000 > "$W/out.tsv"
python3 tests/crash/check_windows.py "$W/events.jsonl" "$W/out.tsv"
