#!/usr/bin/env bash
# The kill -9 test of a pattern job (docs/cep.md, "After a crash"): `weir broker`
# in its own process, EVENTS shop events written at a steady rate
# (gen_shop_events.py), and pipelines/abandoned-carts.yaml (view -> cart -> buy
# within 1 h, completed funnels to funnel-purchases, timed-out ones to
# abandoned-funnels) under `weir run`, killed with SIGKILL KILLS times while the
# events arrive and restarted each time; a last run drains the input. The
# expected rows come from the same pipeline run as a file job over the same
# events (no Kafka, no checkpoint, no kill); check_patterns.py compares both
# topics row by row. Nothing may go to late data or dead letters.
# The pipeline runs with `afterMatch: noSkip` here (the shipped file says
# skipPastLastEvent): under a skip strategy, whether a partial match is
# reported as timed out or silently pruned depends on how far the watermark
# jumps at once (a held match released by one timeout prunes a partial match
# only if that one has not timed out in the same step), as in Flink, whose
# watermarks come every 200 ms; a restarted job reads its backlog in large
# batches, so the timed-out rows of such a run differ from an uninterrupted
# one's for reasons that are not a fault. With noSkip every partial match
# completes or times out on its own, and both topics are exact.
#   tests/crash/crash-test-cep.sh [EVENTS] [KILLS] [PARALLELISM] [CHECKPOINT_MS]
#   WEIR_CRASH_RUN_SECONDS="MIN SPAN"  each killed run lasts MIN + [0, SPAN) s (default "3 3")
#   WEIR_CRASH_STRICT=1                no re-emitted row tolerated
#   KEEP=1                             keep the work directory (printed)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS="${1:-40000}"; KILLS="${2:-20}"; PAR="${3:-1}"; CP="${4:-1000}"
WEIR="${WEIR:-.build/debug/weir}"
PIPELINE=pipelines/abandoned-carts.yaml
read -r RUN_MIN RUN_SPAN <<< "${WEIR_CRASH_RUN_SECONDS:-3 3}"
W="$(mktemp -d)"
trap 'kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT
T0=$SECONDS
P=8
"$WEIR" broker --topic shop-events:$P --topic funnel-purchases:$P --topic abandoned-funnels:$P \
  --topic shop-events-dlq:$P --topic shop-events-late:$P --topic abandoned-carts-state:$P > "$W/bs.txt" 2>"$W/broker.log" &
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
# Events keep arriving through the kill phase (a rate that ends them at about 80% of it).
RATE=$(awk -v e="$EVENTS" -v k="$KILLS" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{printf "%d", e / (0.8 * k * (m + r / 2)) + 1}')
python3 tests/crash/gen_shop_events.py "$BS" shop-events "$EVENTS" "$RATE" "$W/events.jsonl" &
gen=$!
sed -e "s/^parallelism:.*//" -e "s/afterMatch: skipPastLastEvent/afterMatch: noSkip/" "$PIPELINE" > "$W/pipeline.yaml"
grep -q "afterMatch: noSkip" "$W/pipeline.yaml" || { echo "the pipeline's afterMatch was not rewritten"; exit 1; }
echo "parallelism: $PAR" >> "$W/pipeline.yaml"
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=crash-cep
echo "cep crash test: $EVENTS events at $RATE/s, $KILLS kills, parallelism $PAR, checkpoint ${CP} ms ($BS)"
for k in $(seq "$KILLS"); do
  "$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --log-level warning >> "$W/run.log" 2>&1 &
  pid=$!
  # past the group join (3 s on the embedded broker) into processing, checkpoints and restores
  sleep "$(awk -v s="$RANDOM" -v m="$RUN_MIN" -v r="$RUN_SPAN" 'BEGIN{srand(s); printf "%.2f", m + rand()*r}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  printf '.'
done
echo
wait "$gen" || { echo "FAIL: the event generator failed"; exit 1; }
"$WEIR" run "$W/pipeline.yaml" --checkpoint-interval "$CP" --drain-idle-ms 6000 --log-level warning >> "$W/run.log" 2>&1 || {
  echo "FAIL: final run failed"; tail -20 "$W/run.log"; exit 1; }
for t in funnel-purchases abandoned-funnels shop-events-late shop-events-dlq; do
  "$WEIR" consume --bootstrap "$BS" --topic $t --idle-ms 2000 > "$W/$t.tsv"
done
for t in shop-events-late shop-events-dlq; do
  [ ! -s "$W/$t.tsv" ] || { echo "FAIL: $(wc -l < "$W/$t.tsv") records in $t, e.g.:"; head -3 "$W/$t.tsv"; exit 1; }
done
# The reference: the same pattern step as a file job over the same events in one uninterrupted run.
python3 - "$W/pipeline.yaml" "$W" <<'PY'
import sys, yaml
p = yaml.safe_load(open(sys.argv[1])); w = sys.argv[2]
p["source"] = {"file": {"path": f"{w}/events.jsonl"}, "format": "json"}
p["sink"] = {"file": {"path": f"{w}/ref-purchases.jsonl"}, "format": "json"}
p["steps"][-1]["pattern"]["timedOut"] = {"file": f"{w}/ref-abandoned.jsonl"}
p["deadLetter"] = {"file": f"{w}/ref-dlq.jsonl"}
p["lateData"] = {"file": f"{w}/ref-late.jsonl"}
p.pop("parallelism", None)
yaml.safe_dump(p, open(f"{w}/reference.yaml", "w"), sort_keys=False)
PY
"$WEIR" run "$W/reference.yaml" --log-level warning 2> "$W/ref.log" || { echo "FAIL: reference run failed"; cat "$W/ref.log"; exit 1; }
for f in ref-late ref-dlq; do
  [ ! -s "$W/$f.jsonl" ] || { echo "FAIL: the reference run wrote $f: the input is not what this test assumes"; exit 1; }
done
python3 tests/crash/check_patterns.py ${WEIR_CRASH_STRICT:+--strict} \
  funnel-purchases "$W/ref-purchases.jsonl" "$W/funnel-purchases.tsv" \
  abandoned-funnels "$W/ref-abandoned.jsonl" "$W/abandoned-funnels.tsv"
echo "cep crash test: PASS in $((SECONDS - T0)) s"
