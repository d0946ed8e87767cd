# Shared by the service tests (sourced): tests/scaleout/lib.sh (the embedded
# broker, `pipeline`, `generate`, `stop`, `drain`, `check`) plus `weir serve`
# instances of one service group and helpers to read their REST API.
source "$(dirname "${BASH_SOURCE[0]}")/../scaleout/lib.sh"
mkdir -p "$W/empty" "$W/savepoints"

# free_port BASE: the first port from BASE on that nothing listens on.
free_port() {
  python3 - "$1" <<'PY'
import socket, sys
p = int(sys.argv[1])
while True:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        p += 1
PY
}

# serve NAME PORT: a `weir serve` instance (no pipelines of its own: jobs come
# over REST and the jobs topic) in the background, logging to $W/NAME.log,
# recorded in PIDS[NAME]; returns once it says where its REST API is.
serve() {
  local name="$1" port="$2" before
  before=$(grep -c "REST API at" "$W/$name.log" 2>/dev/null || true)
  WEIR_INSTANCE_ID="$name" WEIR_SAVEPOINTS_DIR="$W/savepoints" \
    "$RUN" serve --pipelines "$W/empty" --port "$port" --address 127.0.0.1 --log-level "${LOG_LEVEL:-info}" >> "$W/$name.log" 2>&1 &
  PIDS[$name]=$!
  for _ in $(seq 300); do
    [ "$(grep -c "REST API at" "$W/$name.log" 2>/dev/null || true)" -gt "${before:-0}" ] && return 0
    kill -0 "${PIDS[$name]}" 2>/dev/null || { echo "serve $name exited before its REST API was up"; tail -20 "$W/$name.log"; return 1; }
    sleep 0.1
  done
  echo "serve $name: no 'REST API at' within 30 s"; tail -20 "$W/$name.log"; return 1
}

url() { echo "http://127.0.0.1:$1"; }

# job_field PORT PYEXPR: evaluates PYEXPR over j, GET /jobs/clicks-per-user's JSON
# (prints nothing when the instance does not answer or the job is unknown).
job_field() {
  curl -s --max-time 5 "$(url "$1")/jobs/clicks-per-user" 2>/dev/null | python3 -c "
import json, sys
try: j = json.load(sys.stdin)
except Exception: sys.exit(0)
try: print($2)
except Exception: pass" 2>/dev/null || true
}
state() { job_field "$1" 'j["state"]'; }
# read_records PORT: the job's first vertex's read-records on that instance (0 if none yet).
read_records() { local r; r=$(job_field "$1" 'j["vertices"][0]["metrics"]["read-records"]'); echo "${r:-0}"; }

# wait_state PORT STATE SECONDS: until GET /jobs/clicks-per-user says STATE.
wait_state() {
  local s=""
  for _ in $(seq $(( $3 * 4 ))); do
    s=$(state "$1"); [ "$s" = "$2" ] && return 0; sleep 0.25
  done
  echo "FAIL: job on port $1 is '${s:-?}', not $2, after $3 s"; return 1
}

# wait_reads PORT MIN SECONDS: until the instance's read-records exceeds MIN.
wait_reads() {
  local r=0
  for _ in $(seq $(( $3 * 4 ))); do
    r=$(read_records "$1"); [ "$r" -gt "$2" ] && return 0; sleep 0.25
  done
  echo "FAIL: read-records on port $1 is $r, not > $2, after $3 s"; return 1
}

fail() { echo "FAIL: $*"; exit 1; }
