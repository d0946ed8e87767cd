#!/usr/bin/env bash
# pipelines/abandoned-carts.yaml (a `pattern` step with a timedOut topic) under
# `weir run` on `weir broker`: shop events written with Confluent's Python
# client, then the rows read back from both topics. Proves the Kafka path of
# pattern matches and timed-out partial matches (the unit tests run them through
# PipelineTestDriver without a broker):
#   - ann's view -> cart -> buy within the hour: one row in funnel-purchases;
#   - bob's buy comes an hour after his view: his funnel (view, cart) times out to
#     abandoned-funnels; cat carts another product: (view) times out;
#   - a later event of another user on each partition moves the watermark past
#     those timeouts; at the end of the bounded run (--drain-idle-ms) the input
#     has ended, so their own open funnels time out too, as at the end of a
#     bounded input in Flink;
#   - nothing goes to late data or dead letters.
#   tests/cep/pattern-on-kafka.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
WEIR="${WEIR:-.build/debug/weir}"
W="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT
T0=$SECONDS
P=2
"$WEIR" broker --topic shop-events:$P --topic funnel-purchases:$P --topic abandoned-funnels:$P \
  --topic shop-events-dlq:$P --topic shop-events-late:$P --topic abandoned-carts-state:$P > "$W/bs.txt" 2>"$W/broker.log" &
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
python3 - "$BS" <<'PY'
import json, sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1]})
H = 3_600_000
# Event time is per partition: cat's events (partition 0) come before ann's, or
# ann's later times would make them late.
events = [
    ("cat", {"event": "view", "user": "cat", "product": "p3", "ts": 0}),
    ("cat", {"event": "cart", "user": "cat", "product": "p4", "ts": 1_000}),
    ("ann", {"event": "view", "user": "ann", "product": "p1", "ts": 0}),
    ("ann", {"event": "cart", "user": "ann", "product": "p1", "ts": 60_000}),
    ("ann", {"event": "buy", "user": "ann", "product": "p1", "ts": 120_000}),
    ("bob", {"event": "view", "user": "bob", "product": "p2", "ts": 0}),
    ("bob", {"event": "cart", "user": "bob", "product": "p2", "ts": 60_000}),
    ("bob", {"event": "buy", "user": "bob", "product": "p2", "ts": H}),
]
# Both partitions move past every timeout (the watermark is the slower partition's).
for part in range(2):
    events.append((f"tick{part}", {"event": "view", "user": f"tick{part}", "product": "x", "ts": 3 * H}))
for key, value in events:
    part = int(key[-1]) if key.startswith("tick") else {"ann": 0, "bob": 1, "cat": 0}[key]
    p.produce("shop-events", key=key, value=json.dumps(value), partition=part)
p.flush(30)
PY
WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=cep "$WEIR" run pipelines/abandoned-carts.yaml --parallelism 1 \
  --checkpoint-interval 500 --drain-idle-ms 3000 --log-level warning > "$W/run.log" 2>&1 \
  || { echo "FAIL: weir run exited with $?"; tail -20 "$W/run.log"; exit 1; }
"$WEIR" consume --bootstrap "$BS" --topic funnel-purchases --idle-ms 2000 > "$W/purchases.tsv"
"$WEIR" consume --bootstrap "$BS" --topic abandoned-funnels --idle-ms 2000 > "$W/abandoned.tsv"
for t in shop-events-late shop-events-dlq; do
  "$WEIR" consume --bootstrap "$BS" --topic $t --idle-ms 1500 > "$W/$t.tsv"
  [ ! -s "$W/$t.tsv" ] || { echo "FAIL: records in $t:"; cat "$W/$t.tsv"; exit 1; }
done
python3 - "$W/purchases.tsv" "$W/abandoned.tsv" <<'PY'
import json, sys
def rows(path):
    out = set()
    for line in open(path):
        if line.strip():
            k, v = line.rstrip("\n").split("\t", 1)
            out.add((k, json.dumps(json.loads(v), sort_keys=True)))
    return out
def want(*pairs):
    return {(k, json.dumps(v, sort_keys=True)) for k, v in pairs}
purchases = want(("ann", {"user": "ann", "product": "p1", "viewed_at": 0, "carted_at": 60000, "bought_at": 120000}))
abandoned = want(("bob", {"user": "bob", "product": "p2", "viewed_at": 0, "carted_at": 60000, "bought_at": None}),
                 ("cat", {"user": "cat", "product": "p3", "viewed_at": 0, "carted_at": None, "bought_at": None}),
                 *[(f"tick{i}", {"user": f"tick{i}", "product": "x", "viewed_at": 10800000, "carted_at": None, "bought_at": None}) for i in range(2)])
ok = True
for name, got, exp in (("funnel-purchases", rows(sys.argv[1]), purchases), ("abandoned-funnels", rows(sys.argv[2]), abandoned)):
    if got != exp:
        ok = False
        print(f"FAIL {name}: missing {sorted(exp - got)}, unexpected {sorted(got - exp)}")
    else:
        print(f"{name}: {len(got)} row(s) as expected")
sys.exit(0 if ok else 1)
PY
echo "pattern-on-kafka: PASS in $((SECONDS - T0)) s"
