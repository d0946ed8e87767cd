#!/usr/bin/env bash
# A `weir serve` instance stopped with SIGTERM while its job reads: it must
# drain (finish its batch, checkpoint, leave the group) and exit 0 within
# 30 s; restarted under the same id it runs the job again without a new
# submit (the definition is in the jobs topic). Then the rest is drained and
# every window must be exact, none counted twice, no record late.
#   tests/service/sigterm-restart.sh [BACKLOG] [STREAMED] [RATE]
source "$(dirname "$0")/lib.sh"
BACKLOG="${1:-100000}"; STREAMED="${2:-60000}"; RATE="${3:-3000}"
T0=$SECONDS
start_broker
pipeline 1
generate "$BACKLOG"
PA=$(free_port 18181)
echo "sigterm-restart: $BACKLOG events, then $STREAMED at $RATE/s; a on $PA ($BS)"
serve a "$PA"
generate "$STREAMED" --rate "$RATE" &   # the last generate call
GENPID=$!
out=$("$WEIR" submit "$W/pipeline.yaml" --url "$(url "$PA")" 2>&1) || fail "submit: $out"
echo "$out"
wait_reads "$PA" 10000 60 || fail "the job does not read"
before=$(read_records "$PA")

# SIGTERM mid-stream: exit 0 within 30 s.
pid=${PIDS[a]}
t=$(date +%s.%N)
kill -TERM "$pid"
for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  tail -20 "$W/a.log"; fail "a still runs 30 s after SIGTERM"
fi
rc=0; wait "$pid" || rc=$?
unset "PIDS[a]"
took=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t" "$(date +%s.%N)")
echo "SIGTERM at $before records read: a exited with status $rc after $took s"
[ "$rc" -eq 0 ] || { tail -20 "$W/a.log"; fail "a exited with status $rc after SIGTERM, not 0"; }

# Restarted under the same id: the job comes back from the jobs topic.
serve a "$PA"
t=$SECONDS
wait_state "$PA" RUNNING 20 || fail "the restarted instance does not run the job"
echo "restarted a runs the job again after $((SECONDS - t)) s, without a new submit"
if kill -0 "$GENPID" 2>/dev/null; then
  wait_reads "$PA" 0 40 || fail "the restarted instance does not read"
  echo "restarted a reads again: $(read_records "$PA")"
else
  echo "warning: the input stream ended before the restart; not waiting for reads"
fi
wait "$GENPID"
stop a TERM
drain
check
echo "sigterm-restart: passed in $((SECONDS - T0)) s"
