#!/usr/bin/env bash
# The kill -9 test of the files sink (docs/parquet.md, "Exactly once"):
# `weir broker` in its own process, EVENTS click events, and
# pipelines/clicks-to-lake.yaml (Kafka → Parquet partitioned by dt/country) under
# `weir run`, killed with SIGKILL at random moments KILLS times and restarted
# each time while the events arrive; a last run drains the input. Then the visible Parquet files, read
# with DuckDB and pyarrow (tests/parquet/lake_readback.py), must hold every
# expected row exactly once: no re-emit allowance (files are not the broker).
#   tests/crash/crash-test-parquet.sh [EVENTS] [KILLS] [PARALLELISM] [CHECKPOINT_MS]
#   WEIR_CRASH_RUN_SECONDS="MIN SPAN"  each killed run lasts MIN + [0, SPAN) s (default "6 8": a restart
#                                      waits up to 6 s for the killed member's session, then 3 s to join)
#   WEIR_FILES_SINK_TEST_RENAME_DELAY_MS=N  wait N ms between each commit and its renames (fault
#                                      injection: kills then often land after a commit, before
#                                      its files are visible, and restores must finish the renames)
#   KEEP=1                             keep the work directory (printed)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-200000}"; KILLS="${2:-20}"; PAR="${3:-2}"; CP="${4:-2000}"
WEIR="${WEIR:-.build/debug/weir}"
PIPELINE=pipelines/clicks-to-lake.yaml
read -r RUN_MIN RUN_SPAN <<< "${WEIR_CRASH_RUN_SECONDS:-6 8}"
W="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT
P=16   # the embedded broker keeps at most 5 MiB per partition
"$WEIR" broker --topic input-topic:$P --topic clicks-dlq:$P --topic clicks-to-lake-state:$P > "$W/bs.txt" &
for _ in $(seq 50); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
# Events keep arriving during the kill phase (a rate that ends it at about 80%),
# so kills land before, during and after checkpoints, renames and restores.
RATE=$(awk -v e="$EVENTS" -v k="$KILLS" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{printf "%d", e / (0.8 * k * (m + r / 2)) + 1}')
"$WEIR" generate --bootstrap "$BS" --topic input-topic --events "$EVENTS" --rate "$RATE" --file "$W/events.jsonl" > /dev/null &
gen=$!
sed -e "s/^parallelism:.*//" -e "s|path: lake/clicks/|path: $W/lake/|" "$PIPELINE" > "$W/pipeline.yaml"
echo "parallelism: $PAR" >> "$W/pipeline.yaml"
grep -q "path: $W/lake/" "$W/pipeline.yaml" || { echo "the pipeline's path was not rewritten"; exit 1; }
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=crash
echo "parquet crash test: $EVENTS events at $RATE/s, $KILLS kills, parallelism $PAR, checkpoint ${CP} ms ($BS)"
pending_kills=0
for k in $(seq "$KILLS"); do
  "$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --log-level warning >> "$W/run.log" 2>&1 &
  pid=$!
  sleep "$(awk -v s="$RANDOM" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{srand(s); printf "%.2f", m + rand()*r}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # A kill that left pending files hit a checkpoint between its files' rename to
  # pending and their rename to visible: the restore must decide by the marker.
  if [ -n "$(find "$W/lake/.weir-staging" -name '*.pending' 2>/dev/null | head -1)" ]; then
    pending_kills=$((pending_kills + 1)); printf 'p'
  else
    printf '.'
  fi
done
echo
wait "$gen"
staged=$(find "$W/lake/.weir-staging" -type f 2>/dev/null | wc -l)
visible=$(find "$W/lake" -name '*.parquet' -not -path '*/.weir-staging/*' | wc -l)
echo "after the kills: $visible visible part files, $staged staged (in progress or pending); $pending_kills of $KILLS kills were followed by staged pending files"
"$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --drain-idle-ms 8000 --log-level warning >> "$W/run.log" 2>&1 || {
  echo "final run failed"; tail -20 "$W/run.log"; exit 1; }
# What the pipeline must write, computed here from the events (not by Weir).
python3 - "$W/events.jsonl" "$W/expected.jsonl" <<'PY'
import json, sys
n = 0
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        try:
            e = json.loads(line)
        except ValueError:
            continue   # malformed on purpose: dead-lettered
        if not isinstance(e.get("duration_ms"), int) or e["duration_ms"] < 0:
            continue
        out.write(json.dumps({"event": e["event"], "user_id": e["user_id"], "country": e["country"], "host": e["page"]["host"].lower(),
                              "duration_ms": e["duration_ms"], "amount": e["amount"], "ts": e["ts"]}) + "\n")
        n += 1
print(f"expected rows: {n}")
PY
python3 tests/parquet/lake_readback.py "$W/lake" "$W/expected.jsonl"
