#!/usr/bin/env bash
# Weir vs Apache Flink 2.3 on the same machine, in the same run, on the same
# input files: shared/bench/flink's workload (gen.py, seed 42: 10,000 users,
# ms timestamps out of order by < 2 s; 2 s watermark, 1-minute tumbling
# windows per user_id, COUNT/SUM/MIN/MAX of amount).
#
#   scripts/bench-flink.sh                 # 1M, 5M and 20M events, 3 rounds
#   RUNS=5 SIZES="1000000 5000000" scripts/bench-flink.sh
#
# Flink: shared/bench/flink/run.sh (installs apache-flink==2.3.0 into a venv,
# Java 17), blackhole sink, parallelism 1 and 2. Weir: release build,
# `weir run pipelines/bench-windows-file.yaml` (file source -> windows -> file
# sink). Rounds alternate the systems: each round runs Flink (both
# configurations, every size), then Weir (every size), so both see the same
# machine minutes. Every run waits for a quiet machine first (run.sh's rule).
# Reported: wall time including start-up, CPU seconds (user+sys), events per
# CPU-second end to end and at steady state (marginal CPU between two sizes:
# the two largest, where Flink's JIT warm-up and start-up are paid, and the
# two smallest), peak RSS; Weir's allocations per record (LD_PRELOAD malloc
# counter) over the whole run and in steady state; Weir's first-size output
# checked by ref_check.py (and Flink's, by run.sh).
#
# Env: RUNS (3), SIZES ("1000000 5000000 20000000"), SHARED (../shared),
#      FLINK_VENV, QUIET_WAIT (180 s; 0 runs at once), SCRATCH (.build-bench:
#      swift build scratch path), WORK (a fresh temp dir; kept when set),
#      WEIR (a weir binary: used as is, no release build; tests/bench/smoke.sh),
#      FLINK (1; 0 runs Weir's half only, with no Flink job: the smoke test,
#      where one PyFlink job takes ~30 s on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUNS="${RUNS:-3}"
SIZES="${SIZES:-1000000 5000000 20000000}"
SHARED="${SHARED:-$(cd .. && pwd)/shared}"
QUIET_WAIT="${QUIET_WAIT:-180}"
SCRATCH="${SCRATCH:-.build-bench}"
FLINK="${FLINK:-1}"
if [ -n "${WORK:-}" ]; then mkdir -p "$WORK"; else WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT; fi
cp -r "$SHARED/bench/flink" "$WORK/flink"            # shared/ may be read-only
DATA="$WORK/data"; mkdir -p "$DATA"
RES="$WORK/weir.jsonl"; : > "$RES"
FLINK_RES="$WORK/flink.jsonl"; : > "$FLINK_RES"

if [ -n "${WEIR:-}" ]; then
  WEIR=$(realpath "$WEIR")
else
  echo "== build (release)"
  swift build -c release --product weir --scratch-path "$SCRATCH" 2>&1 | tail -1
  WEIR="$ROOT/$SCRATCH/release/weir"
fi

echo "== input: gen.py N --seed 42 (the files Flink reads too)"
for n in 1000 $SIZES; do
  [ -e "$DATA/events_$n.jsonl" ] || python3 "$WORK/flink/gen.py" "$n" "$DATA/events_$n.jsonl" --seed 42
done

first=${SIZES%% *}
flink() {  # run.sh with the given env; its log in $WORK/flink.txt. A failed run.sh fails the
  # script (pipefail); only grep finding no line to show is not a failure.
  env DATA="$DATA" CONFIGS="1:file 2:file" QUIET_WAIT="$QUIET_WAIT" MAX_OTHER_CPU=1000000 "$@" \
    bash "$WORK/flink/run.sh" 2>&1 | tee -a "$WORK/flink.txt" | { grep -E "CHECK|marginal|machine not idle" || true; }
}
if [ "$FLINK" = 1 ]; then
  echo "== Flink correctness: ${first} events, filesystem sink, ref_check.py (run.sh)"
  flink SIZES="$first" CHECK=1 REPEAT=0
else
  echo "== Flink left out (FLINK=$FLINK): Weir's half only"
fi

wait_quiet() {  # run.sh's rule: other processes < 10% of one core over 2 s, or give up after QUIET_WAIT
  local t0=$SECONDS b0 b1
  [ "$QUIET_WAIT" -gt 0 ] || return 0   # 0: no wait at all (not even one 2 s sample)
  while :; do
    b0=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat); sleep 2
    b1=$(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat)
    [ $((b1 - b0)) -lt 20 ] && return 0
    [ $((SECONDS - t0)) -ge "$QUIET_WAIT" ] && { echo "   (machine not idle after ${QUIET_WAIT}s, running anyway)"; return 0; }
  done
}

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }

for r in $(seq 1 "$RUNS"); do
  if [ "$FLINK" = 1 ]; then
    echo "== round $r: Flink (run.sh: blackhole sink, p=1 and p=2, every size)"
    flink SIZES="$SIZES" CHECK=0 REPEAT=1
    # run.sh starts its results anew each call and reuses log names: keep this round's,
    # with the whole driver's CPU (time -v of the python process) read from its log now.
    python3 - "$DATA" "$r" >> "$FLINK_RES" <<'EOF'
import json, os, re, sys
data, r = sys.argv[1], int(sys.argv[2])
for line in open(os.path.join(data, "results.jsonl")):
    d = json.loads(line)
    text = open(os.path.join(data, "log_%s.txt" % d["label"])).read()
    d["driver_cpu_s"] = float(re.search(r"User time \(seconds\): ([0-9.]+)", text).group(1)) + \
        float(re.search(r"System time \(seconds\): ([0-9.]+)", text).group(1))
    d["round"] = r
    print(json.dumps(d))
EOF
  fi
  echo "== round $r: Weir (weir run pipelines/bench-windows-file.yaml, file sink, every size; decoding on a second thread, then --single-thread)"
  for mode in two one; do
    flag=""; [ "$mode" = one ] && flag="--single-thread"
    for n in $SIZES; do
      wait_quiet
      b0=$(busy)
      /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.txt" \
        "$WEIR" run pipelines/bench-windows-file.yaml $flag --input "$DATA/events_$n.jsonl" --output "$WORK/weir_$n.jsonl" 2> "$WORK/weir_run.txt"
      b1=$(busy)
      read -r wall user sys rss < "$WORK/time.txt"
      rows=$(wc -l < "$WORK/weir_$n.jsonl")
      [ "$mode" = two ] && cp "$WORK/weir_$n.jsonl" "$WORK/weir2_$n.jsonl"
      # machine-wide busy jiffies minus ours: CPU other processes used meanwhile
      other=$(awk -v b="$((b1 - b0))" -v u="$user" -v s="$sys" -v hz="$(getconf CLK_TCK)" 'BEGIN { o = b / hz - u - s; printf "%.2f", (o < 0 ? 0 : o) }')
      echo "{\"n\": $n, \"run\": $r, \"threads\": \"$mode\", \"wall_s\": $wall, \"user_s\": $user, \"sys_s\": $sys, \"rss_kib\": $rss, \"rows\": $rows, \"other_cpu_s\": $other}" | tee -a "$RES"
      # both modes must write the same rows, byte for byte
      [ "$mode" = one ] && { cmp -s "$WORK/weir_$n.jsonl" "$WORK/weir2_$n.jsonl" || { echo "Weir's two modes wrote different output for $n events" >&2; exit 1; }; }
    done
  done
done

echo "== Weir correctness: ${first} events, ref_check.py on Weir's rows (Flink's CSV shape) and exactly to the cent"
python3 Tests/weirTests/reference/weir_vs_flink_reference.py csv "$WORK/weir_$first.jsonl" "$WORK/weir-csv" >/dev/null
python3 "$WORK/flink/ref_check.py" "$DATA/events_$first.jsonl" --flink-out "$WORK/weir-csv" --expected-out "$WORK/expected.csv" | grep -E "compare|CHECK"
python3 Tests/weirTests/reference/weir_vs_flink_reference.py exact "$WORK/weir_$first.jsonl" "$WORK/expected.csv"

echo "== Weir allocations (malloc/calloc/realloc/memalign calls, LD_PRELOAD counter)"
so="$WORK/malloc_count.so"
cc -O2 -shared -fPIC -o "$so" scripts/malloc-count/malloc_count.c
allocs() {  # input file -> allocation calls of a whole weir run
  LD_PRELOAD="$so" WEIR_MALLOC_COUNT_OUT="$WORK/allocs.txt" "$WEIR" run pipelines/bench-windows-file.yaml \
    --input "$1" --output /dev/null 2>/dev/null
  cat "$WORK/allocs.txt"
}
# Steady state: the first minute of events (existing keys and windows), then the same lines 20 times;
# the watermark never passes the minute's end until the input ends, so the extra records only update state.
head -n 16000 "$DATA/events_$first.jsonl" > "$WORK/minute.jsonl"
minute=$(wc -l < "$WORK/minute.jsonl")   # fewer than 16000 when the first size is smaller
for i in $(seq 20); do cat "$WORK/minute.jsonl"; done > "$WORK/minute20.jsonl"
a_empty=$(allocs /dev/null)
a_first=$(allocs "$DATA/events_$first.jsonl")
a_min=$(allocs "$WORK/minute.jsonl")
a_min20=$(allocs "$WORK/minute20.jsonl")
echo "{\"allocs_empty\": $a_empty, \"allocs_first\": $a_first, \"first_n\": $first, \"allocs_minute\": $a_min, \"allocs_minute20\": $a_min20, \"steady_records\": $((19 * minute))}" | tee "$WORK/allocs.json"

echo "== summary"
python3 - "$FLINK_RES" "$RES" "$WORK/allocs.json" <<'EOF'
import json, statistics as st, sys
flink = [json.loads(l) for l in open(sys.argv[1])]
weir = [json.loads(l) for l in open(sys.argv[2])]
allocs = json.load(open(sys.argv[3]))

def wall(text):
    parts = [float(x) for x in text.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))

sizes = sorted({w["n"] for w in weir})
med = st.median
rows = []
WEIRS = (("Weir", "two"), ("Weir 1 thread", "one"))
for n in sizes:
  for label, mode in WEIRS:
    ww = [w for w in weir if w["n"] == n and w.get("threads", "two") == mode]
    if not ww:
        continue
    cpu = [w["user_s"] + w["sys_s"] for w in ww]
    rows.append((label, n, med(w["wall_s"] for w in ww), min(w["wall_s"] for w in ww), med(cpu), min(cpu),
                 None, max(w["rss_kib"] for w in ww) / 1024, len(ww), max(w["other_cpu_s"] for w in ww)))
  for p in (1, 2):
        ff = [f for f in flink if f["sink"] == "blackhole" and f["n"] == n and f["parallelism"] == p]
        if not ff:
            continue
        # whole run: the JVM (its own CPU counter) plus the python driver (time -v of the python process)
        tot = [f["jvm_cpu_total_s"] + f["driver_cpu_s"] for f in ff]
        rows.append(("Flink p=%d" % p, n, med(wall(f["proc_wall"]) for f in ff), min(wall(f["proc_wall"]) for f in ff),
                     med(tot), min(tot), med(f["jvm_cpu_job_s"] for f in ff),
                     max(f["jvm_peak_rss_mib"] for f in ff), len(ff), max(f.get("other_cpu_job_s", 0) for f in ff)))

print("| system | events | wall s, median (min) | CPU s, median (min) | events per CPU-s (median) | Flink job CPU s | peak RSS MiB | runs | max CPU-s of other processes during a run |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, n, wm, wmin, cm, cmin, job, rss, k, other in rows:
    print("| %s | %d | %.2f (%.2f) | %.2f (%.2f) | %.2f M | %s | %.0f | %d | %.1f |" % (
        name, n, wm, wmin, cm, cmin, n / cm / 1e6, "%.2f" % job if job is not None else "-", rss, k, other))

def marginal(name, a, b):
    pts = {r[1]: r for r in rows if r[0] == name}
    if a not in pts or b not in pts or pts[b][4] <= pts[a][4]:
        return None
    return (b - a) / (pts[b][4] - pts[a][4])

print()
pairs = []
if len(sizes) >= 2:
    pairs.append((sizes[-2], sizes[-1]))
if len(sizes) >= 3:
    pairs.append((sizes[0], sizes[1]))
for label, _ in WEIRS:
  for a, b in pairs:
    w = marginal(label, a, b)
    for p in (1, 2):
        f = marginal("Flink p=%d" % p, a, b)
        if f and w:
            print("steady state (%d -> %d events, median CPU): %s %.2f M events/CPU-s, Flink p=%d %.2f M events/CPU-s: %.1fx" % (
                a, b, label, w / 1e6, p, f / 1e6, w / f))
for label, _ in WEIRS:
  for n in sizes:
    wr = [r for r in rows if r[0] == label and r[1] == n]
    if not wr:
        continue
    wr = wr[0]
    for fr in [r for r in rows if r[0].startswith("Flink") and r[1] == n]:
        print("%d events, %s vs %s: events/CPU-s %.1fx, wall %.1fx, peak RSS %.0fx" % (
            n, fr[0], label, fr[4] / wr[4], fr[2] / wr[2], fr[7] / wr[7]))
extra = allocs["allocs_minute20"] - allocs["allocs_minute"]
print()
print("Weir allocations: %d calls for %d events = %.4f per event (start-up alone: %d calls); steady state: %d calls for %d more records of existing windows = %.4f per record" % (
    allocs["allocs_first"], allocs["first_n"], (allocs["allocs_first"] - allocs["allocs_empty"]) / allocs["first_n"],
    allocs["allocs_empty"], extra, allocs["steady_records"], extra / allocs["steady_records"]))
EOF
