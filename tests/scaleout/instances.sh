#!/usr/bin/env bash
# Results do not depend on how many instances run (issue 12): the same input
# (EVENTS click events on 16 partitions, written once) is processed by
# pipelines/clicks-per-user.yaml run by 1, 2 and 3 `weir run` instances of one
# consumer group (distinct WEIR_INSTANCE_IDs), one group, input, output and
# state topic per instance count, all on one `weir broker`. Each count's input
# (the same seed, so the same events) is written only once all its instances
# hold partitions of one settled assignment: written earlier, the instances that
# joined first could finish it before a slow starter joined, which then had
# nothing to do (seen in CI on 2 loaded cores). Each group drains the input by
# itself (--drain-idle-ms: every instance exits once idle, firing its open
# windows). Then:
#   - each output passes the crash test's exact check (tests/crash/check_windows.py:
#     0 wrong rows, 0 missing windows) and its late-data topic is empty;
#   - the sets of (key, window_start, window_end, value) are identical across
#     the instance counts;
#   - every instance of every group processed records (the work was shared).
#   tests/scaleout/instances.sh [EVENTS] [COUNTS] [PARALLELISM]
# PERTURB=1 changes one row of the last count's output before the checks (a
# self-test: the script must then fail). DRAIN_MS="4000 8000 ..." gives the
# instances different --drain-idle-ms (default 8000 each): an instance that
# drains and leaves early hands its partitions to the others mid-drain.
# START_GAP=S starts the instances S seconds apart (late joiners, as on a
# loaded machine: the input is still written only once the group settled).
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-100000}"; COUNTS="${2:-1 2 3}"; PAR="${3:-1}"
T0=$SECONDS
topics=()
for n in $COUNTS; do
  topics+=(--topic "in-$n:$P" --topic "out-$n:$P" --topic "dlq-$n:$P" --topic "late-$n:$P" --topic "clicks-per-user-$n-state:$P")
done
"$WEIR" broker "${topics[@]}" > "$W/bs.txt" 2>"$W/broker.log" &
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
export WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS"
echo "instances: $EVENTS events on $P partitions, run by $COUNTS instance(s) of parallelism $PAR ($BS)"

# settled NAME...: waits (up to 90 s) until every instance logged an assignment
# and the latest ones of all of them add up to the input's $P partitions (one
# generation of the group: during a rebalance the sum differs or one is missing).
settled() {
  local name line sum missing
  for _ in $(seq 450); do
    sum=0; missing=0
    for name in "$@"; do
      line=$(grep ' assigned' "$W/$name.log" 2>/dev/null | tail -1 || true)
      [ -n "$line" ] || { missing=1; break; }
      sum=$((sum + $(echo "$line" | grep -o '"in-[0-9]*\[[0-9]*\]"' | wc -l)))
    done
    [ "$missing" -eq 0 ] && [ "$sum" -eq "$P" ] && return 0
    sleep 0.2
  done
  echo "FAIL: the instances $* did not settle on one assignment of $P partitions within 90 s"
  for name in "$@"; do tail -3 "$W/$name.log"; done
  return 1
}

fail=0
for n in $COUNTS; do
  # This count's own job name (so group, state topic and transactional ids), output, dead-letter and late topics.
  sed -e "s/^name: clicks-per-user$/name: clicks-per-user-$n/" -e "s/topic: input-topic/topic: in-$n/" -e "s/topic: output-topic/topic: out-$n/" \
      -e "s/topic: clicks-dlq/topic: dlq-$n/" -e "s/topic: clicks-late/topic: late-$n/" -e "s/^parallelism:.*//" \
      pipelines/clicks-per-user.yaml > "$W/pipeline.yaml"
  echo "parallelism: $PAR" >> "$W/pipeline.yaml"
  cp "$W/pipeline.yaml" "$W/pipeline-$n.yaml"
  t=$SECONDS
  names=()
  for i in $(seq "$n"); do
    names+=("n$n-i$i")
    idle=$(echo "${DRAIN_MS:-8000}" | awk -v i="$i" '{print (i <= NF) ? $i : $NF}')
    [ "$i" -eq 1 ] || sleep "${START_GAP:-0}"
    LOG_LEVEL=info start "n$n-i$i" --checkpoint-interval 1000 --drain-idle-ms "$idle"
  done
  settled "${names[@]}" || fail=1
  "$WEIR" generate --bootstrap "$BS" --topic "in-$n" --events "$EVENTS" --seed 42 --file "$W/events-in-$n.jsonl" >/dev/null
  if [ -f "$W/events.jsonl" ]; then
    cmp -s "$W/events.jsonl" "$W/events-in-$n.jsonl" || { echo "FAIL: in-$n got other events than the first count's input"; fail=1; }
  else
    cp "$W/events-in-$n.jsonl" "$W/events.jsonl"
  fi
  for name in "${names[@]}"; do
    pid="${PIDS[$name]}"
    for _ in $(seq 1800); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: $name did not drain and exit within 180 s"; tail -5 "$W/$name.log"; stop "$name" KILL; fail=1; continue
    fi
    rc=0; wait "$pid" || rc=$?
    unset "PIDS[$name]"
    [ "$rc" -eq 0 ] || { echo "FAIL: $name exited with status $rc"; tail -10 "$W/$name.log"; fail=1; }
  done
  per=""; sum=0
  for name in "${names[@]}"; do
    p=$(grep -o 'processed=[0-9]*' "$W/$name.log" | tail -1 | cut -d= -f2 || true)
    a=$(grep -c ' assigned' "$W/$name.log" || true)
    per+=" $name ${p:-0} (assignments: $a)"; sum=$((sum + ${p:-0}))
    [ "${p:-0}" -gt 0 ] || { echo "FAIL: $name processed no record: the work was not shared"; tail -8 "$W/$name.log" | cut -c1-400; fail=1; }
  done
  echo "$n instance(s): drained in $((SECONDS - t)) s; records processed:$per; total $sum"
  "$WEIR" consume --bootstrap "$BS" --topic "out-$n" --idle-ms 3000 > "$W/out-$n.tsv"
  "$WEIR" consume --bootstrap "$BS" --topic "late-$n" --idle-ms 2000 > "$W/late-$n.tsv"
done

if [ -n "${PERTURB:-}" ]; then
  last="${COUNTS##* }"
  python3 - "$W/out-$last.tsv" <<'PY'
import json, sys
path = sys.argv[1]
lines = open(path).read().splitlines(keepends=True)
k, v = lines[0].rstrip("\n").split("\t", 1)
r = json.loads(v); r["clicks"] += 1
lines[0] = k + "\t" + json.dumps(r, separators=(",", ":")) + "\n"
open(path, "w").writelines(lines)
print(f"PERTURB: one row of {path} changed: {k} window {r['window_start']} clicks {r['clicks'] - 1} -> {r['clicks']}")
PY
fi

for n in $COUNTS; do
  printf '%s instance(s), exact check: ' "$n"
  python3 tests/crash/check_windows.py "$W/events.jsonl" "$W/out-$n.tsv" || fail=1
  late=$(grep -c . "$W/late-$n.tsv" || true)
  echo "  late records: $late"
  [ "$late" -eq 0 ] || { echo "  LATE $(head -3 "$W/late-$n.tsv")"; fail=1; }
done

# The sets of (key, window, value) across the counts.
args=(); for n in $COUNTS; do args+=("$n" "$W/out-$n.tsv"); done
python3 - "${args[@]}" <<'PY' || fail=1
import json, sys
a = sys.argv[1:]
sets = {}
for n, path in zip(a[0::2], a[1::2]):
    rows = set(); count = 0
    for line in open(path):
        if not line.strip():
            continue
        k, v = line.rstrip("\n").split("\t", 1)
        r = json.loads(v)
        rows.add((k, r["window_start"], r["window_end"], json.dumps(r, sort_keys=True)))
        count += 1
    sets[n] = rows
    print(f"{n} instance(s): {count} rows, {len(rows)} distinct (key, window, value)")
first, base = next(iter(sets.items()))
ok = True
for n, rows in sets.items():
    if n == first:
        continue
    only_a, only_b = base - rows, rows - base
    same = not only_a and not only_b
    print(f"{first} vs {n} instance(s): {'identical' if same else 'DIFFERENT'} "
          f"({len(base & rows)} shared, {len(only_a)} only with {first}, {len(only_b)} only with {n})")
    for x in sorted(only_a)[:3]:
        print(f"  only with {first}:", x[0], x[3])
    for x in sorted(only_b)[:3]:
        print(f"  only with {n}:", x[0], x[3])
    ok = ok and same
sys.exit(0 if ok else 1)
PY
echo "instances: $([ "$fail" -eq 0 ] && echo PASS || echo FAIL) in $((SECONDS - T0)) s"
exit "$fail"
