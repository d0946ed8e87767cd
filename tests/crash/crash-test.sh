#!/usr/bin/env bash
# The kill -9 test (DESIGN.md, "Exactly-once"): `weir broker` in its own
# process, EVENTS click events with out-of-order timestamps, and
# pipelines/clicks-per-user.yaml under `weir run`, killed with SIGKILL at random
# moments KILLS times and restarted each time; a last run drains the input.
# An independent reference (check_windows.py) then checks every window.
#   tests/crash/crash-test.sh [EVENTS] [KILLS] [PARALLELISM] [CHECKPOINT_MS]
# For a real Kafka (tests/integration; unset, nothing changes):
#   WEIR_CRASH_BOOTSTRAP=HOST:PORT  use that cluster instead of starting `weir broker`;
#                                   the pipeline's topics must exist (16 partitions)
#   WEIR_CRASH_PIPELINE=FILE        the pipeline (default pipelines/clicks-per-user.yaml):
#                                   events go to its source topic, its sink topic is checked
#   WEIR_CRASH_STRICT=1             no re-emitted row tolerated (check_windows.py --strict)
#   WEIR_CRASH_RUN_SECONDS="MIN SPAN"  each killed run lasts MIN + [0, SPAN) s (default "3 6")
#   WEIR_CRASH_FLOWING=1            events keep arriving during the kill phase (a rate that ends
#                                   it at about 80%), so checkpoints go on in every run
#   WEIR_CHECKPOINT_TEST_WRITE_DELAY_MS=N  each asynchronous checkpoint waits N ms between its
#                                   state chunks and its markers (fault injection), so kills land
#                                   mid-snapshot; at least 2 of the kills must (counted from the runs' logs)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-200000}"; KILLS="${2:-20}"; PAR="${3:-1}"; CP="${4:-5000}"
WEIR="${WEIR:-.build/debug/weir}"
PIPELINE="${WEIR_CRASH_PIPELINE:-pipelines/clicks-per-user.yaml}"
read -r RUN_MIN RUN_SPAN <<< "${WEIR_CRASH_RUN_SECONDS:-3 6}"
W="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
IN=input-topic; OUT=output-topic
if [ -n "${WEIR_CRASH_PIPELINE:-}" ]; then
  read -r IN OUT < <(python3 -c 'import sys, yaml; p = yaml.safe_load(open(sys.argv[1])); print(p["source"]["kafka"]["topic"], p["sink"]["kafka"]["topic"])' "$PIPELINE")
fi
if [ -n "${WEIR_CRASH_BOOTSTRAP:-}" ]; then
  BS="$WEIR_CRASH_BOOTSTRAP"
else
  P=16   # the embedded broker keeps at most 5 MiB per partition
  "$WEIR" broker --topic input-topic:$P --topic output-topic:$P --topic clicks-dlq:$P --topic clicks-late:$P \
    --topic clicks-per-user-state:$P > "$W/bs.txt" &
  for _ in $(seq 50); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
  BS=$(head -1 "$W/bs.txt")
fi
gen=""
if [ -n "${WEIR_CRASH_FLOWING:-}" ]; then
  RATE=$(awk -v e="$EVENTS" -v k="$KILLS" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{printf "%d", e / (0.8 * k * (m + r / 2)) + 1}')
  echo "events flow at $RATE/s"
  "$WEIR" generate --bootstrap "$BS" --topic "$IN" --events "$EVENTS" --rate "$RATE" --file "$W/events.jsonl" >/dev/null &
  gen=$!
else
  "$WEIR" generate --bootstrap "$BS" --topic "$IN" --events "$EVENTS" --file "$W/events.jsonl" >/dev/null
fi
sed "s/^parallelism:.*//" "$PIPELINE" > "$W/pipeline.yaml"
echo "parallelism: $PAR" >> "$W/pipeline.yaml"
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=crash
echo "crash test: $EVENTS events, $KILLS kills, parallelism $PAR, checkpoint ${CP} ms ($BS)"
for k in $(seq "$KILLS"); do
  "$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --log-level warning > "$W/run-$k.log" 2>&1 &
  pid=$!
  # 3-9 s by default: past the group join (3 s on the embedded broker) into processing, checkpoints and restores
  sleep "$(awk -v s="$RANDOM" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{srand(s); printf "%.2f", m + rand()*r}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$W/run-$k.log" >> "$W/run.log"
  printf '.'
done
echo
[ -z "$gen" ] || wait "$gen"
if [ -n "${WEIR_CHECKPOINT_TEST_WRITE_DELAY_MS:-}" ]; then
  # A run was killed mid-snapshot when some task's last checkpoint write began and never ended.
  mid=0
  for k in $(seq "$KILLS"); do
    if awk '$1 == "weir-test:" && $2 == "checkpoint-write" { last[$4] = $3 } END { for (t in last) if (last[t] == "begin") found = 1; exit !found }' "$W/run-$k.log"; then
      mid=$((mid + 1))
    fi
  done
  echo "kills during an asynchronous snapshot: $mid of $KILLS"
  [ "$mid" -ge 2 ] || { echo "too few kills landed mid-snapshot to test it"; exit 1; }
fi
"$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --drain-idle-ms 8000 --log-level warning >> "$W/run.log" 2>&1 || {
  echo "final run failed"; tail -20 "$W/run.log"; exit 1; }
"$WEIR" consume --bootstrap "$BS" --topic "$OUT" --idle-ms 3000 > "$W/out.tsv"
python3 tests/crash/check_windows.py ${WEIR_CRASH_STRICT:+--strict} "$W/events.jsonl" "$W/out.tsv"
