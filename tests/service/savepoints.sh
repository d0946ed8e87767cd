#!/usr/bin/env bash
# Savepoints of a `weir serve` job: one taken while it runs (weir savepoint),
# one by stopping it (weir stop --savepoint), the job restored from that over
# REST (POST /jobs?savepointPath=), stopped with a savepoint again, and that
# last savepoint restored by a plain `weir run --from-savepoint`, which reads
# the rest. Every window must be exact, no record late. Hostile savepoint
# inputs (a path out of the savepoints directory, a body of the wrong type)
# are refused with 400 and leave the job running.
source "$(dirname "$0")/lib.sh"
T0=$SECONDS
start_broker
pipeline 1
generate 100000
PA=$(free_port 18181); A=$(url "$PA")
echo "savepoints: 200000 events in 3 parts; a on $PA ($BS); savepoints under $W/savepoints"
serve a "$PA"
out=$("$WEIR" submit "$W/pipeline.yaml" --url "$A" 2>&1) || fail "submit: $out"
echo "$out"
wait_reads "$PA" 20000 60 || fail "the job does not read"

# savepoint_path OUTPUT: the path of "Savepoint completed. Path: P".
savepoint_path() { sed -n 's/^Savepoint completed\. Path: //p' <<< "$1" | tail -1; }
# status URL [CURL ARGS...]: the HTTP status of a request; its body in $W/body.
status() { local u="$1"; shift; curl -s -o "$W/body" -w '%{http_code}' "$@" "$u"; }
expect_400() {  # WHAT STATUS
  [ "$2" = 400 ] || fail "$1: status $2, expected 400: $(cat "$W/body")"
  echo "refused with 400: $1: $(cat "$W/body")"
}

# 1. A savepoint while the job runs.
t=$SECONDS
out=$("$WEIR" savepoint clicks-per-user sp1 --url "$A" 2>&1) || fail "weir savepoint: $out"
P1=$(savepoint_path "$out")
[ -n "$P1" ] || fail "no savepoint path in: $out"
[ -f "$P1/_manifest.json" ] || fail "no _manifest.json in $P1: $(ls -la "$P1" 2>&1)"
case "$P1" in "$W/savepoints/sp1/"*) ;; *) fail "savepoint 1 at $P1, not under $W/savepoints/sp1";; esac
echo "savepoint 1 in $((SECONDS - t)) s: $P1 (after $(read_records "$PA") records)"
[ "$(state "$PA")" = RUNNING ] || fail "the job is $(state "$PA") after a savepoint, not RUNNING"

# Hostile inputs, while the job runs.
expect_400 "POST /jobs?savepointPath=../../etc" \
  "$(status "$A/jobs?savepointPath=../../etc" -XPOST --data-binary @"$W/pipeline.yaml" -H 'Content-Type: application/yaml')"
expect_400 "POST /jobs/clicks-per-user/savepoints target-directory /etc" \
  "$(status "$A/jobs/clicks-per-user/savepoints" -XPOST -H 'Content-Type: application/json' --data '{"target-directory":"/etc"}')"
expect_400 "POST /jobs/clicks-per-user/stop {\"drain\":\"yes\"}" \
  "$(status "$A/jobs/clicks-per-user/stop" -XPOST -H 'Content-Type: application/json' --data '{"drain":"yes"}')"
expect_400 "POST /jobs?savepointPath=/etc" \
  "$(status "$A/jobs?savepointPath=/etc" -XPOST --data-binary @"$W/pipeline.yaml" -H 'Content-Type: application/yaml')"
sleep 1
[ "$(state "$PA")" = RUNNING ] || fail "the job is $(state "$PA") after the refused requests, not RUNNING"

# A savepoint over REST, followed by its request id.
code=$(status "$A/jobs/clicks-per-user/savepoints" -XPOST -H 'Content-Type: application/json' --data '{"target-directory":"sp-rest"}')
[ "$code" = 202 ] || fail "POST /jobs/clicks-per-user/savepoints: status $code: $(cat "$W/body")"
RID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request-id"])' "$W/body") || fail "no request-id in $(cat "$W/body")"
for _ in $(seq 120); do
  curl -s "$A/jobs/clicks-per-user/savepoints/$RID" > "$W/op.json"
  grep -q '"COMPLETED"' "$W/op.json" && break; sleep 0.5
done
LOC=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["status"]["id"]=="COMPLETED", j; print(j["operation"]["location"])' "$W/op.json") \
  || fail "the REST savepoint $RID did not complete: $(cat "$W/op.json")"
case "$LOC" in "$W/savepoints/sp-rest/"*) ;; *) fail "the REST savepoint is at $LOC, not under $W/savepoints/sp-rest";; esac
[ -f "$LOC/_manifest.json" ] || fail "no _manifest.json in the REST savepoint $LOC"
echo "savepoint over REST (request $RID): $LOC"
[ -z "$(ls /etc | grep '^savepoint-' || true)" ] || fail "a savepoint was written to /etc"

# 2. Stop with a savepoint.
generate 50000
t=$SECONDS
out=$("$WEIR" stop clicks-per-user --savepoint sp2 --url "$A" 2>&1) || fail "weir stop: $out"
P2=$(savepoint_path "$out")
[ -n "$P2" ] && [ -f "$P2/_manifest.json" ] || fail "no savepoint from weir stop: $out"
wait_state "$PA" FINISHED 30 || fail "the stopped job is not FINISHED"
echo "stopped with savepoint 2 in $((SECONDS - t)) s: $P2"

# 3. Restored over REST from savepoint 2 (a path relative to the savepoints directory).
code=$(status "$A/jobs?savepointPath=sp2/$(basename "$P2")" -XPOST --data-binary @"$W/pipeline.yaml" -H 'Content-Type: application/yaml')
[ "$code" = 200 ] || fail "restore over REST: status $code: $(cat "$W/body")"
grep -Eq '"jobid":"[0-9a-f]{32}"' "$W/body" || fail "restore over REST: no jobid in $(cat "$W/body")"
echo "restored over REST: $(cat "$W/body")"
wait_state "$PA" RUNNING 20 || fail "the restored job does not run"
generate 50000
wait_reads "$PA" 49999 60 || fail "the restored job does not read the new events"
echo "the restored job read $(read_records "$PA")"

# 4. Stop again; the last savepoint restored by a plain `weir run`.
out=$("$WEIR" stop clicks-per-user --savepoint sp3 --url "$A" 2>&1) || fail "weir stop (2): $out"
P3=$(savepoint_path "$out")
[ -n "$P3" ] && [ -f "$P3/_manifest.json" ] || fail "no savepoint from the second weir stop: $out"
wait_state "$PA" FINISHED 30 || fail "the job stopped again is not FINISHED"
echo "stopped with savepoint 3: $P3"
stop a TERM
t=$SECONDS
WEIR_INSTANCE_ID=restore "$RUN" run "$W/pipeline.yaml" --from-savepoint "$P3" --drain-idle-ms 8000 --log-level warning \
  >> "$W/restore.log" 2>&1 || { tail -20 "$W/restore.log"; fail "weir run --from-savepoint $P3 failed"; }
echo "weir run --from-savepoint drained in $((SECONDS - t)) s"
check
echo "savepoints: passed in $((SECONDS - T0)) s"
