#!/usr/bin/env bash
# A rolling restart (issue 9), as Kubernetes does one: three `weir run`
# instances of one group while input flows; each in turn is stopped with
# SIGTERM (it checkpoints and leaves the group), restarted, and given time
# to rejoin before the next, PASSES times over all three; at the end all three
# are stopped with SIGTERM and one instance drains the rest. Every window must
# be exact, emitted once (no identical re-emit either: no SIGKILL here), and
# no record late.
#   tests/scaleout/rolling-restart.sh [EVENTS] [PASSES]
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-150000}"; PASSES="${2:-2}"
start_broker
generate $((EVENTS * 2 / 3))   # a backlog: instances are at different points of it when they hand partitions over
generate $((EVENTS - EVENTS * 2 / 3)) --rate 2000 &
GENPID=$!
pipeline 1
echo "rolling restart: $EVENTS events, $PASSES passes over 3 instances ($BS)"
for n in a b c; do start "$n" --checkpoint-interval 1000; done
sleep 3.5   # the group join; then the first stop comes while the backlog is read
for pass in $(seq "$PASSES"); do
  for n in a b c; do
    stop "$n" TERM
    start "$n" --checkpoint-interval 1000
    sleep 5   # the rejoin: 3 s on the embedded broker, then processing
    printf '%s' "$n"
  done
done
echo
wait "$GENPID"
for n in a b c; do stop "$n" TERM; done   # scaled down as Kubernetes does: no transaction left open
drain --checkpoint-interval 1000
STRICT=1 check   # nothing lost, nothing counted twice: not even an identical row emitted twice
