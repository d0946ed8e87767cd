#!/usr/bin/env bash
# A rolling restart of weir serve replicas as Kubernetes does one, with the
# image itself: REPLICAS containers of the weir image (distinct
# WEIR_INSTANCE_ID, one service group: their own jobs topic) run a
# clicks-per-user job (parallelism 2) while input flows; in turn each gets
# `docker stop` (SIGTERM to weir as PID 1, SIGKILL only after 45 s, the
# StatefulSet's grace period), must exit 0 before that, is started again and
# must be ready (/readyz 200) before the next one goes, PASSES times. Then the
# rest is drained and every window must be exact, none emitted twice
# (read_committed), none late.
#   tests/integration/rolling-restart.sh [BACKLOG] [STREAMED] [RATE] [REPLICAS] [PASSES]
source "$(dirname "$0")/lib.sh"
BACKLOG="${1:-100000}"; STREAMED="${2:-90000}"; RATE="${3:-1500}"; REPLICAS="${4:-2}"; PASSES="${5:-2}"
NAME="it-roll-$ID"
it_pipeline pipelines/clicks-per-user.yaml "$NAME" keyed 2
mkdir -p "$W/pipelines"; cp "$W/$NAME.yaml" "$W/pipelines/"
chmod 755 "$W" "$W/pipelines"; chmod 644 "$W/pipelines/$NAME.yaml"   # the image runs as uid 10001

"$WEIR" generate --bootstrap "$BOOTSTRAP" --topic "$NAME-in" --events "$BACKLOG" --seed 42 --file "$W/events-1.jsonl" >/dev/null

replica() { echo "$NAME-r$1"; }
run_replica() {   # run_replica K: a weir serve container of the image, its REST API on a free host port
  local c; c=$(replica "$1")
  docker run -d --name "$c" --network "$NETWORK" \
    -e WEIR_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -e WEIR_INSTANCE_ID="$c" -e WEIR_JOBS_TOPIC="$NAME-jobs" \
    -v "$W/pipelines:/etc/weir/pipelines:ro" -p 127.0.0.1::8081 "$IMAGE" >/dev/null
  CONTAINERS+=("$c")
}
url_of() { echo "http://$(docker port "$(replica "$1")" 8081/tcp | head -1)"; }

for k in $(seq 0 $((REPLICAS - 1))); do run_replica "$k"; done
for k in $(seq 0 $((REPLICAS - 1))); do wait_http "$(url_of "$k")/readyz" 200 120 || fail "replica $k not ready"; done
echo "rolling restart: $REPLICAS replicas of $IMAGE, $BACKLOG events then $STREAMED at $RATE/s, $PASSES passes"
"$WEIR" generate --bootstrap "$BOOTSTRAP" --topic "$NAME-in" --events "$STREAMED" --rate "$RATE" --seed 43 \
  --after "$BACKLOG" --file "$W/events-2.jsonl" >/dev/null &
GENPID=$!
sleep 5
for pass in $(seq "$PASSES"); do
  for k in $(seq 0 $((REPLICAS - 1))); do
    c=$(replica "$k")
    t=$SECONDS
    docker stop -t 45 "$c" >/dev/null
    code=$(docker inspect -f '{{.State.ExitCode}}' "$c")
    echo "pass $pass: $c stopped with SIGTERM in $((SECONDS - t)) s, exit status $code"
    [ "$code" = 0 ] || { docker logs --tail 20 "$c"; fail "$c exited with $code after SIGTERM (137: killed after the grace period)"; }
    docker start "$c" >/dev/null
    wait_http "$(url_of "$k")/readyz" 200 120 || { docker logs --tail 20 "$c"; fail "$c not ready after its restart"; }
  done
done
wait "$GENPID"
for k in $(seq 0 $((REPLICAS - 1))); do
  docker stop -t 45 "$(replica "$k")" >/dev/null
done
# The rest of the input, by one more instance of the same job (its group and state).
docker run --rm --network "$NETWORK" -e WEIR_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -e WEIR_INSTANCE_ID="$NAME-drain" \
  -v "$W/pipelines:/etc/weir/pipelines:ro" "$IMAGE" run "/etc/weir/pipelines/$NAME.yaml" --drain-idle-ms 8000 \
  --log-level warning > "$W/drain.log" 2>&1 || { tail -20 "$W/drain.log"; fail "the draining run failed"; }
cat "$W"/events-*.jsonl > "$W/events.jsonl"
consume "$NAME-out" > "$W/out.tsv"
check_exact "$W/events.jsonl" "$W/out.tsv" "$NAME-late" || fail "the output after the rolling restart is not exact"
