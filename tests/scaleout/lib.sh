# Shared by the scale-out tests (sourced): an embedded broker in its own
# process with the crash test's 16-partition topics, `weir run` instances of
# one consumer group (distinct WEIR_INSTANCE_IDs), and the exact check of the
# output against an independent reference (tests/crash/check_windows.py),
# with no record sent to late data.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
WEIR="${WEIR:-.build/debug/weir}"
RUN="${WEIR_RUN:-$WEIR}"   # the binary under test for `weir run` (the others only set up and read)
W="$(mktemp -d)"
declare -A PIDS=()
trap 'kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT
P=16   # the embedded broker keeps at most 5 MiB per partition

# start_broker: `weir broker` with the pipeline's topics; sets BS.
start_broker() {
  "$WEIR" broker --topic input-topic:$P --topic output-topic:$P --topic clicks-dlq:$P --topic clicks-late:$P \
    --topic clicks-per-user-state:$P > "$W/bs.txt" 2>"$W/broker.log" &
  for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
  BS=$(head -1 "$W/bs.txt")
  export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS"
}

# pipeline PARALLELISM: pipelines/clicks-per-user.yaml with that parallelism, in $W/pipeline.yaml.
pipeline() {
  sed "s/^parallelism:.*//" pipelines/clicks-per-user.yaml > "$W/pipeline.yaml"
  echo "parallelism: $1" >> "$W/pipeline.yaml"
}

# generate EVENTS [--rate N ...]: events into input-topic, also in $W/events-K.jsonl for
# the reference. Each call continues the event times of the calls before it (--after).
GEN=0; GENERATED=0
generate() {
  local n="$1"; shift
  GEN=$((GEN + 1))
  "$WEIR" generate --bootstrap "$BS" --topic input-topic --events "$n" --seed "$((41 + GEN))" --after "$GENERATED" \
    --file "$W/events-$GEN.jsonl" "$@" >/dev/null
  GENERATED=$((GENERATED + n))
}

# start NAME [ARGS...]: a `weir run` instance in the background, logging to $W/NAME.log.
start() {
  local name="$1"; shift
  WEIR_INSTANCE_ID="$name" "$RUN" run "$W/pipeline.yaml" --log-level "${LOG_LEVEL:-warning}" "$@" >> "$W/$name.log" 2>&1 &
  PIDS[$name]=$!
}

# stop NAME SIGNAL: signals an instance and waits for it to exit.
stop() {
  local pid="${PIDS[$1]:-}"
  [ -n "$pid" ] || return 0
  kill "-$2" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "PIDS[$1]"
}

running() { [ -n "${PIDS[$1]:-}" ]; }

# wait_log NAME PATTERN SECONDS: until the instance's log shows PATTERN.
wait_log() {
  for _ in $(seq $(( $3 * 20 ))); do grep -q "$2" "$W/$1.log" 2>/dev/null && return 0; sleep 0.05; done
  echo "no '$2' in $1's log within $3 s"; tail -5 "$W/$1.log"; return 1
}

# drain: stops every instance with SIGKILL, then one instance reads the rest of the input.
drain() {
  for n in "${!PIDS[@]}"; do stop "$n" KILL; done
  WEIR_INSTANCE_ID=drain "$RUN" run "$W/pipeline.yaml" --drain-idle-ms 8000 --log-level warning "$@" >> "$W/drain.log" 2>&1 || {
    echo "the draining run failed"; tail -20 "$W/drain.log"; return 1; }
}

# check: the output topic against the reference, and nothing in late data.
# STRICT=1: no row emitted twice either (check_windows.py --strict).
check() {
  cat "$W"/events-*.jsonl > "$W/events.jsonl"
  "$WEIR" consume --bootstrap "$BS" --topic output-topic --idle-ms 3000 > "$W/out.tsv"
  "$WEIR" consume --bootstrap "$BS" --topic clicks-late --idle-ms 3000 > "$W/late.tsv"
  local late; late=$(grep -c . "$W/late.tsv" || true)
  local ok=0
  python3 tests/crash/check_windows.py ${STRICT:+--strict} "$W/events.jsonl" "$W/out.tsv" || ok=1
  echo "late records: $late"
  if [ "$late" -ne 0 ]; then echo "  LATE $(head -3 "$W/late.tsv")"; ok=1; fi
  local warned; warned=$(cat "$W"/*.log | grep -c "late data" || true)
  [ "$late" -eq 0 ] || echo "late-data warnings logged: $warned"
  return $ok
}
