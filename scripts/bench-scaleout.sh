#!/usr/bin/env bash
# Scale-out on one machine (issue 12, "Speed"): the windowed Kafka benchmark
# (pipelines/bench-windows.yaml: JSON -> 1-minute tumbling windows per user,
# four aggregates -> JSON, exactly-once, checkpoint every 1 s) run by
#   1x2: one `weir run` instance of parallelism 2,
#   2x2: two `weir run` instances of parallelism 2 (one consumer group), and,
#   1x4: as a control, one instance of parallelism 4 (as many tasks as 2x2),
# in turn (the order rotates every round), ROUNDS rounds, each round on a
# fresh `weir broker` process (the embedded broker) holding the same EVENTS
# bench events on PARTITIONS partitions (written, and measured once in-process,
# by `weir bench`, whose figure is printed too).
#
# Each configuration is timed like `weir bench`: from the first record
# processed by any instance to the last record processed by any instance
# (log lines time-stamped as they arrive; the last record = the instance's
# "input drained" line minus --drain-idle-ms, to about 50 ms). CPU is user +
# sys of the weir processes (/usr/bin/time, start-up included); the broker's
# CPU over the same run is read from /proc.
#   scripts/bench-scaleout.sh [EVENTS] [ROUNDS] [PARTITIONS]
# CONFIGS="1x2 2x2" leaves the control out (the first one is the base of the
# ratios). A run with a rebalance during it (an instance that missed the first
# group join) is flagged and left out of the medians.
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
# The mock broker keeps at most 5 MiB per partition (~130 bytes an event): 1M
# events need more than 16 partitions (with 16 the oldest records are dropped
# and the run stalls); the default 2M on 128 is ~2 MiB each. Runs of 1M events
# (1.5-3.5 s each) scattered more than these (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000000}"; ROUNDS="${2:-4}"; P="${3:-128}"
read -ra CONFIGS <<< "${CONFIGS:-1x2 2x2 1x4}"
D=8000   # --drain-idle-ms: above the embedded broker's rebalance wait (5 s), so a task that missed the first join still gets its partitions before the others drain
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
W="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT

stamp() { while IFS= read -r l; do printf '%s %s\n' "$EPOCHREALTIME" "$l"; done; }
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # clock ticks
TICK=$(getconf CLK_TCK)

start_broker() {
  local t=(--topic "bench-in:$P" --topic "bench-out:$P" --topic "bench-windows-state:$P") c
  for c in "${CONFIGS[@]}"; do t+=(--topic "bw-$c-state:$P"); done
  rm -f "$W/bs.txt"
  "$WEIR" broker "${t[@]}" > "$W/bs.txt" 2>"$W/broker.log" &
  BROKER=$!
  for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
  BS=$(head -1 "$W/bs.txt")
}

# run_config KxP ROUND: the benchmark by K instances of parallelism P (a job
# name of its own, so its own group and state); appends a result line.
run_config() {
  local c="$1" r="$2" k="${1%%x*}" par="${1#*x}" pids=() i pid
  sed -e "s/^name: bench-windows$/name: bw-$c/" -e "s/^parallelism:.*/parallelism: $par/" pipelines/bench-windows.yaml > "$W/bw-$c.yaml"
  local b0; b0=$(cpu_of "$BROKER")
  local t0=$EPOCHREALTIME
  for i in $(seq "$k"); do
    WEIR_INSTANCE_ID="bw-$c-$i" WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" \
      /usr/bin/time -f "%e %U %S" -o "$W/r$r-$c-$i.time" \
      "$WEIR" run "$W/bw-$c.yaml" --checkpoint-interval 1000 --drain-idle-ms "$D" --log-level info \
      2> >(stamp > "$W/r$r-$c-$i.log") &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || { echo "an instance of $c failed"; tail -5 "$W"/r$r-$c-*.log; exit 1; }; done
  local b1; b1=$(cpu_of "$BROKER")
  sleep 0.2   # the stamp readers flush
  python3 - "$N" "$D" "$c" "$r" "$t0" "$EPOCHREALTIME" "$(( b1 - b0 ))" "$TICK" "$par" "$W"/r$r-$c-*.log <<'PY' | tee -a "$W/results.txt"
import re, sys
n, d, c, r = int(sys.argv[1]), int(sys.argv[2]) / 1000, sys.argv[3], sys.argv[4]
t0, t1, bticks, tick, par = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
firsts, lasts, processed, assigns, cpu = [], [], 0, [], 0.0
for log in sys.argv[10:]:
    a = 0
    for line in open(log):
        ts = float(line.split(" ", 1)[0])
        if "first record processed" in line: firsts.append(ts)
        if "input drained" in line:
            lasts.append(ts - d); processed += int(re.search(r"processed=(\d+)", line).group(1))
        if " assigned" in line: a += 1
    assigns.append(a)
    e, u, s = open(log[:-4] + ".time").read().split()[-3:]
    cpu += float(u) + float(s)
secs = max(lasts) - min(firsts)
spans = " ".join(f"{f - min(firsts):.2f}..{l - min(firsts):.2f}" for f, l in zip(firsts, lasts))
note = "" if processed == n and all(a == par for a in assigns) else \
    f"  (REBALANCED during the run: assignments per instance {assigns}, {par} = one per task; records processed {processed})"
print(f"RESULT round {r} {c}: {n / secs:.0f} events/s ({secs:.3f} s first to last record), "
      f"{n / cpu:.0f} events/CPU-s (weir {cpu:.2f} CPU-s, start-up included: ~{cpu / secs:.2f} cores while processing), "
      f"broker {bticks / tick:.2f} CPU-s = {bticks / tick / (t1 - t0):.2f} cores over the {t1 - t0:.1f} s run; "
      f"per instance, first..last record (s): {spans}{note}")
PY
}

echo "bench-scaleout: $N events, $P partitions, $ROUNDS rounds of ${CONFIGS[*]}, $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg); binary $WEIR"
for r in $(seq "$ROUNDS"); do
  start_broker
  echo "== round $r ($BS); load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$WEIR" bench pipelines/bench-windows.yaml --bootstrap "$BS" --events "$N" --parallelism 2 | tee -a "$W/results.txt" | sed 's/^/  /'
  k=$(( (r - 1) % ${#CONFIGS[@]} ))
  for c in "${CONFIGS[@]:$k}" "${CONFIGS[@]:0:$k}"; do run_config "$c" "$r" | sed 's/^/  /'; done
  kill "$BROKER"; wait "$BROKER" 2>/dev/null || true
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$W/results.txt" "${CONFIGS[@]}" <<'PY'
import re, statistics, sys
configs = sys.argv[2:]
ok = {c: {} for c in configs}; flagged = {c: {} for c in configs}; inproc = []
for line in open(sys.argv[1]):
    m = re.match(r"RESULT round (\d+) (\S+): (\d+) events/s .*?, (\d+) events/CPU-s", line)
    if m:
        (flagged if "REBALANCED" in line else ok)[m.group(2)][int(m.group(1))] = (int(m.group(3)), int(m.group(4)))
    m = re.search(r"BENCH weir .*=> (\d+) events/s", line)
    if m: inproc.append(int(m.group(1)))
base = configs[0]
print(f"\nevents/s (events per CPU-s), by round; * = rebalanced during the run, left out of the medians")
print("round " + "".join(f"{c:>22}" for c in configs) + "".join(f"{c + '/' + base:>10}" for c in configs[1:]))
for r in sorted(set().union(*[set(ok[c]) | set(flagged[c]) for c in configs])):
    cells, vals = "", {}
    for c in configs:
        v, star = (ok[c][r], " ") if r in ok[c] else (flagged[c].get(r), "*")
        vals[c] = v[0] if v and star == " " else None
        cells += f"{v[0]:>11,d} ({v[1]:>7,d}){star}" if v else f"{'-':>22}"
    print(f"{r:5d} " + cells + "".join(f"{vals[c] / vals[base]:>10.2f}" if vals[c] and vals[base] else f"{'-':>10}" for c in configs[1:]))
med = {c: (statistics.median(v[0] for v in ok[c].values()), statistics.median(v[1] for v in ok[c].values())) if ok[c] else None for c in configs}
print("median" + "".join(f"{med[c][0]:>11,.0f} ({med[c][1]:>7,.0f}) " if med[c] else f"{'-':>22}" for c in configs)
      + "".join(f"{med[c][0] / med[base][0]:>10.2f}" if med[c] and med[base] else f"{'-':>10}" for c in configs[1:]))
print("runs left out (rebalanced): " + ", ".join(f"{c} {len(flagged[c])}" for c in configs)
      + f"; in-process `weir bench` (parallelism 2, before the runs of each round): median {statistics.median(inproc):,.0f} events/s")
PY
