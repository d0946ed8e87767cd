#!/usr/bin/env bash
# CEP: Weir's `pattern` step vs Flink 2.3's MATCH_RECOGNIZE (PyFlink, streaming
# mode, parallelism 1) on the same machine, in the same run, on the same input
# files (scripts/bench-cep/gen.py: 10,000 users, kinds a/b/c, event times
# rising 1 ms per event). The pattern, in both: per user, `a` then at once `b`
# then at once `c`, within one minute, skip past the last event, 2 s watermark.
#
#   scripts/bench-cep.sh                   # 250k and 1M events, 1 round
#   RUNS=3 SIZES="250000 1000000" scripts/bench-cep.sh
#   FLINK=0 WEIR=.build/debug/weir SIZES="2000 8000" scripts/bench-cep.sh   # Weir only (a smoke run)
#
# As scripts/bench-flink.sh measures windows: CPU seconds (user+sys) of each
# whole Weir run (/usr/bin/time) and of Flink's JVM from job submission to its
# end (flink_match.py); events per CPU-second end to end and at steady state
# (marginal CPU between the two sizes, which leaves out start-up and the JIT's
# warm-up); peak RSS; Weir's allocation calls per record at steady state
# (LD_PRELOAD malloc counter, the marginal between the two sizes); the partial
# matches alive at the peak (Weir's run summary, sampled every 65,536 records).
# The smallest size's matches are compared row for row (user, a_ts, c_ts)
# between Weir and Flink (filesystem sink) before anything is timed.
#
# Env: RUNS (1), SIZES ("250000 1000000"), FLINK (1), FLINK_VENV (/tmp/flinkenv),
#      WEIR (default: a release build, `swift build -c release --product weir`),
#      SCRATCH (.build-bench), WORK (a fresh temp dir; kept when set), QUIET_WAIT (60 s).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS="${RUNS:-1}"
SIZES="${SIZES:-250000 1000000}"
FLINK="${FLINK:-1}"
FLINK_VENV="${FLINK_VENV:-/tmp/flinkenv}"
QUIET_WAIT="${QUIET_WAIT:-60}"
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; else WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT; fi
if [ -z "${WEIR:-}" ]; then
  SCRATCH="${SCRATCH:-.build-bench}"
  echo "== build (release)"
  swift build -c release --product weir --scratch-path "$SCRATCH" 2>&1 | tail -1
  WEIR="$ROOT/$SCRATCH/release/weir"
fi
read -r first last <<< "$(echo "$SIZES" | awk '{print $1, $NF}')"

cat > "$WORK/bench-cep.yaml" <<'YAML'
name: bench-cep
source:
  file: {path: events.jsonl}
  format: json
time:
  eventTime: {field: ts, format: epochMillis}
  watermark: {maxOutOfOrderness: 2s}
steps:
  - keyBy: [user_id]
  - pattern:
      stages:
        - {name: a, where: "kind == 'a'"}
        - {name: b, contiguity: next, where: "kind == 'b'"}
        - {name: c, contiguity: next, where: "kind == 'c'"}
      within: 1m
      afterMatch: skipPastLastEvent
      measures: {a_ts: first(a.ts), c_ts: last(c.ts)}
sink:
  file: {path: out.jsonl}
YAML

echo "== input: scripts/bench-cep/gen.py N (the files Flink reads too)"
for n in $SIZES; do python3 scripts/bench-cep/gen.py "$n" "$WORK/events_$n.jsonl"; done

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
wait_quiet() {  # other processes < 10% of one core over 2 s, or give up after QUIET_WAIT
  local t0=$SECONDS b0 b1
  while :; do
    b0=$(busy); sleep 2; b1=$(busy)
    [ $((b1 - b0)) -lt 20 ] && return 0
    [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ] && { echo "   (machine not idle after ${QUIET_WAIT}s, running anyway)" >&2; return 0; }
  done
}
weir_run() {  # input, output -> one JSON line of measurements
  local b0 b1
  wait_quiet
  b0=$(busy)
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" \
    "$WEIR" run "$WORK/bench-cep.yaml" --input "$1" --output "$2" 2> "$WORK/weir_run.txt"
  b1=$(busy)
  read -r wall user sys rss < "$WORK/time.txt"
  peak=$(sed -n 's/.*at most \([0-9]*\) partial matches alive.*/\1/p' "$WORK/weir_run.txt")
  matches=$(sed -n 's/.*pattern: \([0-9]*\) matches.*/\1/p' "$WORK/weir_run.txt")
  other=$(awk -v b="$((b1 - b0))" -v u="$user" -v s="$sys" -v hz="$(getconf CLK_TCK)" 'BEGIN { o = b / hz - u - s; printf "%.2f", (o < 0 ? 0 : o) }')
  echo "{\"system\": \"weir\", \"wall_s\": $wall, \"cpu_s\": $(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}'), \"rss_kib\": $rss, \"peak_partial_matches\": ${peak:-null}, \"matches\": ${matches:-null}, \"other_cpu_s\": $other}"
}
flink_run() {  # input, extra args -> flink_match.py's RESULT json
  local input=$1; shift
  wait_quiet
  "$FLINK_VENV/bin/python" scripts/bench-cep/flink_match.py --input "$input" "$@" > "$WORK/flink_run.txt" 2>&1 || {
    echo "flink_match.py failed:" >&2; tail -30 "$WORK/flink_run.txt" >&2; return 1; }
  sed -n 's/^RESULT //p' "$WORK/flink_run.txt"
}

echo "== correctness: $first events, Weir's matches vs Flink's, row for row"
weir_run "$WORK/events_$first.jsonl" "$WORK/weir_$first.jsonl" > /dev/null
[ -s "$WORK/weir_$first.jsonl" ] || { echo "FAIL: Weir found no match in $first events"; cat "$WORK/weir_run.txt"; exit 1; }
if [ "$FLINK" = 1 ]; then
  flink_run "$WORK/events_$first.jsonl" --sink filesystem --output "$WORK/flink_out" > /dev/null
  python3 - "$WORK/weir_$first.jsonl" "$WORK/flink_out" <<'PY'
import csv, json, os, sys
weir = sorted((r["user_id"], r["a_ts"], r["c_ts"]) for r in map(json.loads, open(sys.argv[1])))
flink = []
for root, _, files in os.walk(sys.argv[2]):
    for f in files:
        if not f.startswith("."):
            flink += [(u, int(a), int(c)) for u, a, c in csv.reader(open(os.path.join(root, f)))]
flink.sort()
print(f"   Weir {len(weir)} matches, Flink {len(flink)}: {'the same' if weir == flink else 'DIFFERENT'}")
sys.exit(0 if weir == flink else 1)
PY
fi

RES="$WORK/results.jsonl"; : > "$RES"
for r in $(seq "$RUNS"); do
  for n in $SIZES; do
    if [ "$FLINK" = 1 ]; then
      echo "== round $r: Flink, $n events"
      flink_run "$WORK/events_$n.jsonl" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(system="flink", n=int(sys.argv[1]), run=int(sys.argv[2]), cpu_s=d["jvm_cpu_job_s"]); print(json.dumps(d))' "$n" "$r" | tee -a "$RES"
    fi
    echo "== round $r: Weir, $n events"
    weir_run "$WORK/events_$n.jsonl" /dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(n=int(sys.argv[1]), run=int(sys.argv[2])); print(json.dumps(d))' "$n" "$r" | tee -a "$RES"
  done
done

echo "== Weir allocations (malloc/calloc/realloc/memalign calls, LD_PRELOAD counter)"
so="$WORK/malloc_count.so"
cc -O2 -shared -fPIC -o "$so" scripts/malloc-count/malloc_count.c
allocs() {
  LD_PRELOAD="$so" WEIR_MALLOC_COUNT_OUT="$WORK/allocs.txt" "$WEIR" run "$WORK/bench-cep.yaml" --input "$1" --output /dev/null 2>/dev/null
  cat "$WORK/allocs.txt"
}
echo "{\"allocs_first\": $(allocs "$WORK/events_$first.jsonl"), \"allocs_last\": $(allocs "$WORK/events_$last.jsonl"), \"first\": $first, \"last\": $last}" | tee "$WORK/allocs.json"

echo "== summary"
python3 - "$RES" "$WORK/allocs.json" <<'PY'
import json, statistics as st, sys
res = [json.loads(l) for l in open(sys.argv[1])]
allocs = json.load(open(sys.argv[2]))
sizes = sorted({r["n"] for r in res})
print("| system | events | CPU s (median) | events per CPU-s end to end | peak RSS MiB | matches | partial matches alive at peak | runs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
med = {}
for system in ("flink", "weir"):
    for n in sizes:
        rr = [r for r in res if r["system"] == system and r["n"] == n]
        if not rr:
            continue
        cpu = st.median(r["cpu_s"] for r in rr)
        med[(system, n)] = cpu
        rss = max((r["rss_kib"] / 1024 if system == "weir" else r["jvm_peak_rss_mib"]) for r in rr)
        print("| %s | %d | %.2f | %.0f k | %.0f | %s | %s | %d |" % (
            "Weir" if system == "weir" else "Flink MATCH_RECOGNIZE p=1", n, cpu, n / cpu / 1e3, rss,
            "-" if rr[0].get("matches") is None else rr[0]["matches"],
            "-" if rr[0].get("peak_partial_matches") is None else rr[0]["peak_partial_matches"], len(rr)))
if len(sizes) >= 2:
    a, b = sizes[0], sizes[-1]
    rates = {}
    for system in ("flink", "weir"):
        if (system, a) in med and (system, b) in med and med[(system, b)] > med[(system, a)]:
            rates[system] = (b - a) / (med[(system, b)] - med[(system, a)])
            print("steady state (%d -> %d events): %s %.0f k events per CPU-second" % (a, b, system, rates[system] / 1e3))
    if len(rates) == 2:
        print("Weir / Flink at steady state: %.2fx" % (rates["weir"] / rates["flink"]))
    per = (allocs["allocs_last"] - allocs["allocs_first"]) / (allocs["last"] - allocs["first"])
    print("Weir allocation calls per record at steady state: %.3f (%d over %d events, %d over %d)" % (
        per, allocs["allocs_first"], allocs["first"], allocs["allocs_last"], allocs["last"]))
PY
