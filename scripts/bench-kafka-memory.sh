#!/usr/bin/env bash
# Peak RSS and throughput of a Kafka job with librdkafka's buffer settings
# (issue 17): 1M generated click events on `weir broker`, then
# pipelines/clicks-per-user.yaml under `weir run --parallelism 1` (release
# build), once per variant, each under its own job name (own group, state and
# output topics) on the same broker and the same input.
#   scripts/bench-kafka-memory.sh [EVENTS] [ROUNDS]
# Variants (each a set of librdkafka properties given as WEIR_KAFKA_PROPERTY_*,
# which override Weir's defaults):
#   weir      Weir's defaults (config/weir.yaml's kafka.consumer / kafka.producer)
#   librdkafka librdkafka 2.0.2's own defaults, restored explicitly
# plus any given in VARIANTS="name:prop=value,prop=value ..." (e.g.
# VARIANTS="q16:queued.max.messages.kbytes=16384").
# Prints, per run: peak RSS (MiB), records/s from first to last record, CPU s.
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"; ROUNDS="${2:-3}"
P=$(( N / 20000 + 1 > 16 ? N / 20000 + 1 : 16 ))   # ~210 B per event, at most ~4.2 MB per partition
WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
W=$WEIR

declare -a NAMES=(weir librdkafka)
declare -A PROPS=(
  [weir]=""
  [librdkafka]="queued.max.messages.kbytes=65536,queued.min.messages=100000,fetch.max.bytes=52428800,max.partition.fetch.bytes=1048576,queue.buffering.max.kbytes=1048576,queue.buffering.max.messages=100000,batch.size=1000000"
)
for v in ${VARIANTS:-}; do NAMES+=("${v%%:*}"); PROPS[${v%%:*}]="${v#*:}"; done

topics=(--topic "input-topic:$P")
for name in "${NAMES[@]}"; do for r in $(seq "$ROUNDS"); do
  j="mem-$name-$r"
  topics+=(--topic "$j-out:$P" --topic "$j-dlq:$P" --topic "$j-late:$P" --topic "$j-state:$P")
done; done
"$W" broker "${topics[@]}" > "$WORK/bs.txt" 2>"$WORK/broker.log" &
for _ in $(seq 100); do [ -s "$WORK/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$WORK/bs.txt")
"$W" generate --bootstrap "$BS" --topic input-topic --events "$N" >/dev/null
echo "bench-kafka-memory: $N events on $P partitions, clicks-per-user at parallelism 1, $ROUNDS round(s), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %5s %10s %12s %7s\n' variant round "RSS MiB" "records/s" "CPU s"
# Rounds interleave the variants, so machine noise falls on all of them alike.
for r in $(seq "$ROUNDS"); do
  for name in "${NAMES[@]}"; do
    j="mem-$name-$r"
    sed -e "s/^name: clicks-per-user$/name: $j/" -e "s/topic: output-topic/topic: $j-out/" \
        -e "s/topic: clicks-dlq/topic: $j-dlq/" -e "s/topic: clicks-late/topic: $j-late/" \
        pipelines/clicks-per-user.yaml > "$WORK/$j.yaml"
    env=(WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=mem LOG_LEVEL=info)
    IFS=',' read -ra kv <<< "${PROPS[$name]}"
    for p in "${kv[@]}"; do
      [ -n "$p" ] || continue
      key="${p%%=*}"; env+=("WEIR_KAFKA_PROPERTY_$(echo "$key" | tr 'a-z.' 'A-Z_')=${p#*=}")
    done
    env "${env[@]}" /usr/bin/time -f "%M %U %S" -o "$WORK/$j.time" \
      "$W" run "$WORK/$j.yaml" --parallelism 1 --checkpoint-interval 1000 --drain-idle-ms 2000 > "$WORK/$j.log" 2>&1 \
      || { echo "FAIL: $j"; tail -5 "$WORK/$j.log"; exit 1; }
    read -r kb user sys < "$WORK/$j.time"
    rate=$(grep -o 'records_per_s=[0-9]*' "$WORK/$j.log" | tail -1 | cut -d= -f2)
    processed=$(grep -o 'processed=[0-9]*' "$WORK/$j.log" | tail -1 | cut -d= -f2)
    [ "${processed:-0}" -eq "$N" ] || { echo "FAIL: $j processed ${processed:-0} of $N"; exit 1; }
    printf '%-12s %5s %10.1f %12s %7.2f\n' "$name" "$r" "$(echo "$kb / 1024" | bc -l)" "${rate:-?}" "$(echo "$user + $sys" | bc -l)"
  done
done
