#!/usr/bin/env bash
# Every figure issue 17 names, from one run on one machine, as ratios against
# their baselines (Flink, the C pipeline of shared/baseline, librdkafka's own
# settings, pyarrow), one after the other so they share the machine's state:
#   bench-flink.sh (windows: steady state at p=1 and p=2, the 1M file job end to end),
#   bench-checkpoint.sh, bench-kafka-memory.sh 1M, bench-pipe.sh, bench-cep.sh,
#   bench-parquet.sh 10M; then scripts/bench-all/table.py prints the table for
#   docs/performance.md, with the machine, the commit and the load.
#   scripts/bench-all.sh            # ~60-80 min on 2 cores, Flink included
# Env: WEIR (a weir binary, used as is; default: release build), FLINK (1; 0 leaves
#      Flink out), LOGS (directory for each script's output; a temp dir, kept and
#      printed), RUNS (1, for bench-flink and bench-cep), FLINK_SIZES ("1000000
#      5000000"), and the scripts' own variables.
set -euo pipefail
cd "$(dirname "$0")/.."
LOGS="${LOGS:-$(mktemp -d)}"; mkdir -p "$LOGS"
FLINK="${FLINK:-1}"; RUNS="${RUNS:-1}"
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
export WEIR
{
  echo "Machine: $(nproc) cores, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(free -g | awk '/^Mem:/{print $2}') GB;" \
       "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); started $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)."
} > "$LOGS/machine.txt"
status=0
run() {
  local name="$1"; shift
  echo "== $name: $*"
  local t0=$SECONDS
  if "$@" > "$LOGS/$name.txt" 2>&1; then echo "   done in $((SECONDS - t0)) s"; else
    echo "   FAILED after $((SECONDS - t0)) s:"; tail -5 "$LOGS/$name.txt" | sed 's/^/   | /'; status=1; fi
}
run bench-flink env RUNS="$RUNS" SIZES="${FLINK_SIZES:-1000000 5000000}" FLINK="$FLINK" scripts/bench-flink.sh
run bench-checkpoint scripts/bench-checkpoint.sh
run bench-kafka-memory scripts/bench-kafka-memory.sh 1000000 1
run bench-pipe scripts/bench-pipe.sh
run bench-cep env RUNS="$RUNS" FLINK="$FLINK" scripts/bench-cep.sh
run bench-parquet scripts/bench-parquet.sh 10000000 3 1
echo "Ended $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)." >> "$LOGS/machine.txt"
echo
python3 scripts/bench-all/table.py "$LOGS"
echo
echo "logs: $LOGS"
exit "$status"
