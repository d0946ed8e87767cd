#!/usr/bin/env bash
# Avro through Confluent's schema registry: click events written as
# Confluent-framed Avro by confluent-kafka's AvroSerializer (the writer schema,
# pipelines/schemas/click.avsc, registered in the real registry), read by Weir
# (the writer schema fetched from the registry), 1-minute windows per user,
# written as Avro (Weir registers the derived schema), the job killed with
# kill -9 KILLS times on the way; the output read back by confluent-kafka's
# AvroDeserializer with read_committed and checked exactly, no re-emit allowed.
#   tests/integration/avro-registry.sh [EVENTS] [KILLS]
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-50000}"; KILLS="${2:-3}"
NAME="it-avro-$ID"
it_pipeline pipelines/clicks-per-user.yaml "$NAME" keyed 2 avro avro
# The events (and the reference's copy) from weir generate, via a scratch topic.
create_topics 1 "$NAME-scratch"
"$WEIR" generate --bootstrap "$BOOTSTRAP" --topic "$NAME-scratch" --events "$EVENTS" --file "$W/events.jsonl" >/dev/null
python3 tests/integration/avro_io.py produce --bootstrap "$BOOTSTRAP" --registry "$REGISTRY" \
  --topic "$NAME-in" --schema pipelines/schemas/click.avsc "$W/events.jsonl"
subjects=$(curl -s "$REGISTRY/subjects")
grep -q "\"$NAME-in-value\"" <<<"$subjects" || fail "the input schema is not in the registry: $subjects"
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" WEIR_INSTANCE_ID="$NAME"
echo "avro: $EVENTS events as Avro, $KILLS kills, registry $REGISTRY"
for _ in $(seq "$KILLS"); do
  "$WEIR" run "$W/$NAME.yaml" --schema-registry "$REGISTRY" --checkpoint-interval 1000 --log-level warning >> "$W/run.log" 2>&1 &
  pid=$!
  sleep "$(awk -v s="$RANDOM" 'BEGIN{srand(s); printf "%.2f", 6 + rand()*8}')"
  kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  printf '.'
done
echo
"$WEIR" run "$W/$NAME.yaml" --schema-registry "$REGISTRY" --checkpoint-interval 1000 --drain-idle-ms 8000 \
  --log-level warning >> "$W/run.log" 2>&1 || { tail -20 "$W/run.log"; fail "the draining run failed"; }
subjects=$(curl -s "$REGISTRY/subjects")
grep -q "\"$NAME-out-value\"" <<<"$subjects" || fail "Weir did not register the output schema: $subjects"
python3 tests/integration/avro_io.py consume --bootstrap "$BOOTSTRAP" --registry "$REGISTRY" --topic "$NAME-out" > "$W/out.tsv"
check_exact "$W/events.jsonl" "$W/out.tsv" "$NAME-late" || fail "the Avro output is not exact"
