#!/usr/bin/env bash
# Two `weir serve` instances of one service group on one broker: a job
# submitted to one runs on both (the jobs topic), the partitions are spread
# over them; one is killed with SIGKILL and restarted and takes the job up
# again; a cancel sent to it ends the job on both. Then the rest of the input
# is drained and every window must be exact, no record late.
#   tests/service/two-instances.sh [BACKLOG] [STREAMED] [RATE]
source "$(dirname "$0")/lib.sh"
BACKLOG="${1:-100000}"; STREAMED="${2:-90000}"; RATE="${3:-2000}"
T0=$SECONDS
start_broker
pipeline 1
generate "$BACKLOG"
PA=$(free_port 18181); PB=$(free_port $((PA + 1)))
echo "two instances: $BACKLOG events, then $STREAMED at $RATE/s; a on $PA, b on $PB ($BS)"
serve a "$PA"
serve b "$PB"
generate "$STREAMED" --rate "$RATE" &   # the last generate call: its events file is what check reads with the others
GENPID=$!

out=$("$WEIR" submit "$W/pipeline.yaml" --url "$(url "$PA")" 2>&1) || fail "submit: $out"
echo "$out"
echo "$out" | grep -Eq "^Job has been submitted with JobID [0-9a-f]{32} \(clicks-per-user\)\.$" || fail "unexpected submit answer: $out"

# b learns the job from the jobs topic.
t=$SECONDS; listed=""
while [ $((SECONDS - t)) -lt 15 ]; do
  listed=$("$WEIR" list --url "$(url "$PB")" 2>&1 || true)
  echo "$listed" | grep -q " : clicks-per-user (RUNNING)" && break
  sleep 0.5
done
echo "$listed" | grep -q " : clicks-per-user (RUNNING)" || fail "weir list on b does not show the job RUNNING within 15 s: $listed"
echo "b lists the job RUNNING after $((SECONDS - t)) s"

# Both instances hold partitions and read.
t=$SECONDS
until [ "$(read_records "$PA")" -gt 0 ] && [ "$(read_records "$PB")" -gt 0 ]; do
  [ $((SECONDS - t)) -lt 40 ] || fail "not both instances read within 40 s: a read $(read_records "$PA"), b read $(read_records "$PB")"
  sleep 0.5
done
echo "both read after $((SECONDS - t)) s: a $(read_records "$PA"), b $(read_records "$PB")"

# Each instance knows the service group's two instances (heartbeats in the jobs topic).
for p in "$PA" "$PB"; do
  group=$(curl -sf "$(url "$p")/overview" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["taskmanagers"], ",".join(i["id"] for i in o["instances"]))')
  [ "$group" = "2 a,b" ] || fail "/overview on port $p shows instances '$group', not '2 a,b'"
done
echo "both show the group's instances: a,b"

# 1,000 concurrent hostile requests to a while both process: all answered 2xx/4xx, the job runs on
# (and the exact check at the end shows nothing was lost).
python3 tests/service/hostile.py "$(url "$PA")" clicks-per-user || fail "hostile requests got a 5xx or no answer"
[ "$(state "$PA")" = RUNNING ] || fail "a shows the job $(state "$PA") after the hostile requests, not RUNNING"

# b dies mid-stream and comes back under the same name and port.
kill -0 "$GENPID" 2>/dev/null || echo "warning: the input stream ended before b was killed"
stop b KILL
echo "b killed (SIGKILL) at a read $(read_records "$PA")"
sleep 1
[ "$(state "$PA")" = RUNNING ] || fail "a shows the job $(state "$PA") after b was killed, not RUNNING"
serve b "$PB"
t=$SECONDS
wait_state "$PB" RUNNING 20 || fail "restarted b does not run the job"
echo "restarted b shows the job RUNNING after $((SECONDS - t)) s"
wait_reads "$PB" 0 40 || fail "restarted b does not read records again"
echo "restarted b reads again after $((SECONDS - t)) s: b $(read_records "$PB"), a $(read_records "$PA")"

# A cancel sent to b ends the job on both instances.
out=$("$WEIR" cancel clicks-per-user --url "$(url "$PB")" 2>&1) || fail "cancel: $out"
echo "$out"
t=$SECONDS
wait_state "$PB" CANCELED 30 || fail "b does not show the job CANCELED"
wait_state "$PA" CANCELED $((30 - (SECONDS - t))) || fail "a does not show the job CANCELED within 30 s of the cancel"
echo "CANCELED on both after $((SECONDS - t)) s"
"$WEIR" list --url "$(url "$PA")" | grep -q "clicks-per-user" && fail "weir list (running jobs) on a still shows the job"
"$WEIR" list -a --url "$(url "$PA")" | grep -q " : clicks-per-user (CANCELED)" || fail "weir list -a on a does not show the job CANCELED"

# The cancel is in the jobs topic: b, restarted, knows the job as CANCELED and does not run it again.
stop b TERM
serve b "$PB"
wait_state "$PB" CANCELED 15 || fail "restarted after the cancel, b does not know the job as CANCELED"
sleep 2
[ "$(state "$PB")" = CANCELED ] || fail "restarted after the cancel, b shows the job $(state "$PB")"
echo "b restarted after the cancel keeps the job CANCELED"

stop a TERM; stop b TERM
wait "$GENPID"
drain
check
echo "two-instances: passed in $((SECONDS - T0)) s"
