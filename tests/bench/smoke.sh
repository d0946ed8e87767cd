#!/usr/bin/env bash
# Every benchmark script under scripts/ run once on a small input (issue 17):
# the benchmarks are for measuring, not for CI, so the test command only checks
# that each runs to completion and prints its figures. Each script uses the
# given binaries (WEIR, PARQUET_BENCH) instead of its own release build, runs
# under a timeout, must exit 0, and its output must match every pattern given
# for it (the lines with its numbers: a script that prints nothing useful fails).
#   WEIR=path tests/bench/smoke.sh          (WEIR defaults to .build/debug/weir)
# PARQUET_BENCH defaults to .build/debug/parquet-bench, built (debug) if missing.
# Adding a benchmark script is one `smoke` line below. scripts/bench-all.sh is
# not run here (it only runs the others at full size); its table parser is, over
# these logs.
set -euo pipefail
cd "$(dirname "$0")/../.."
WEIR=$(realpath "${WEIR:-.build/debug/weir}")   # absolute: some scripts start weir in a temp dir
[ -x "$WEIR" ] || { echo "smoke: no weir binary at $WEIR (set WEIR)"; exit 1; }
export WEIR
if [ -z "${PARQUET_BENCH:-}" ]; then
  PARQUET_BENCH=.build/debug/parquet-bench
  [ -x "$PARQUET_BENCH" ] || swift build --product parquet-bench >/dev/null
fi
PARQUET_BENCH=$(realpath "$PARQUET_BENCH"); export PARQUET_BENCH
LOGS=$(mktemp -d); trap 'rm -rf "$LOGS"' EXIT

passed=0; failed=0; summary=()
# smoke NAME TIMEOUT_S PATTERNS COMMAND...: PATTERNS are extended regexes joined
# by " && ", each of which must match a line of the command's output.
smoke() {
  local name=$1 limit=$2 patterns=$3 rc=0 ok=1 t0=$SECONDS p rest; shift 3
  echo "== $name: $*"
  # timeout signals the whole process group, so brokers a script left running die too
  timeout -k 10 "$limit" "$@" > "$LOGS/$name.txt" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    ok=0; [ "$rc" -eq 124 ] && echo "   FAIL: no result within ${limit} s" || echo "   FAIL: exit code $rc"
  fi
  rest=$patterns
  while [ -n "$rest" ]; do
    p=${rest%% && *}; if [ "$p" = "$rest" ]; then rest=""; else rest=${rest#* && }; fi
    # the first matching line shows the figure it reports
    grep -Em1 -- "$p" "$LOGS/$name.txt" | sed 's/^/   > /' || { ok=0; echo "   FAIL: no line matches /$p/"; }
  done
  if [ "$ok" -eq 1 ]; then
    passed=$((passed + 1)); summary+=("ok    $((SECONDS - t0)) s  $name")
  else
    failed=$((failed + 1)); summary+=("FAIL  $((SECONDS - t0)) s  $name")
    echo "   last lines of its output:"; tail -15 "$LOGS/$name.txt" | sed 's/^/   | /'
  fi
}

smoke bench-cep 90 '^\| Weir \| 16000 \| [0-9.]+ && steady state \(4000 -> 16000 events\): weir [0-9]+ k && allocation calls per record at steady state: [0-9.]+' \
  env FLINK=0 QUIET_WAIT=0 SIZES="4000 16000" scripts/bench-cep.sh
smoke bench-checkpoint 90 'processed=20000 records_per_s=[0-9]+ && pause_p99_ms=[0-9.]+' \
  scripts/bench-checkpoint.sh 20000 2000 500
smoke bench-files-sink 90 '^run 1: 20,000 rows, .* rows/CPU-s && DuckDB reads 20,000 rows back && heaptrack: [0-9,]+ allocation calls' \
  scripts/bench-files-sink.sh 20000 5000
smoke bench-flink 90 '^\| Weir \| 2000 \| [0-9.]+ && ^\| Weir 1 thread \| 2000 \| [0-9.]+ && Weir allocations: [0-9]+ calls' \
  env FLINK=0 RUNS=1 SIZES=2000 QUIET_WAIT=0 scripts/bench-flink.sh
smoke bench-kafka-memory 90 '^weir +1 +[0-9.]+ +[0-9]+ && ^librdkafka +1 +[0-9.]+ +[0-9]+' \
  scripts/bench-kafka-memory.sh 20000 1
smoke bench-parquet 90 'rows per CPU-second: weir [0-9,]+, pyarrow [0-9,]+ && same rows in both files.*: yes' \
  scripts/bench-parquet.sh 20000 3 1
smoke bench-pipe 90 '^PIPE .*=> [0-9]+ msgs/s && ^BENCH weir bench-filter-map .*=> [0-9]+ events/s && ^BENCH weir bench-windows .*=> [0-9]+ events/s' \
  scripts/bench-pipe.sh 20000
smoke bench-rebalance 120 'kill to last: min [0-9.]+' \
  scripts/bench-rebalance.sh 1
smoke bench-scaleout 120 'RESULT round 1 1x2: [0-9]+ events/s && RESULT round 1 2x2: [0-9]+ events/s' \
  env CONFIGS="1x2 2x2" scripts/bench-scaleout.sh 20000 1 8
smoke bench-serve 120 'serve/run = [0-9.]+ && GET /metrics: [0-9]+ requests, p50 [0-9.]+ ms && median: listening [0-9]+ ms' \
  scripts/bench-serve.sh all --events 20000 --partitions 4 --rounds 1 --jobs 2 --requests 50

# scripts/bench-all.sh runs six of them at full size and reads their figures with
# scripts/bench-all/table.py: it must find Weir's figure in each of these logs too.
echo "== bench-all's table over these logs: scripts/bench-all/table.py --smoke"
if python3 scripts/bench-all/table.py "$LOGS" --smoke > "$LOGS/table.txt" 2>&1; then
  passed=$((passed + 1)); summary+=("ok    0 s  bench-all (table.py)"); sed 's/^/   > /' "$LOGS/table.txt"
else
  failed=$((failed + 1)); summary+=("FAIL  0 s  bench-all (table.py)"); sed 's/^/   | /' "$LOGS/table.txt"
fi

echo "== benchmark smoke test: $passed passed, $failed failed ($SECONDS s)"
printf '   %s\n' "${summary[@]}"
[ "$failed" -eq 0 ]
