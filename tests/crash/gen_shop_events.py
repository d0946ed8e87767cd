#!/usr/bin/env python3
"""Shop events for the CEP crash test (tests/crash/crash-test-cep.sh), written to
Kafka at a steady rate while the job is killed and restarted, and to a JSON-lines
file in the same order (the input of the reference run).

Event times rise by 1-999 ms per event across all users, so every partition's
times only rise and nothing is late; with USERS users a user sees an event about
every USERS/2 s of event time, so 1 h funnels (pipelines/abandoned-carts.yaml)
both complete and time out many times over the run. Each event is keyed by its
user (the pipeline's source is keyedBy user).

usage: gen_shop_events.py BOOTSTRAP TOPIC EVENTS RATE OUT.jsonl [USERS] [SEED]
"""
import json
import random
import sys
import time

from confluent_kafka import Producer


def main():
    if len(sys.argv) < 6:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    bootstrap, topic, events, rate, out = sys.argv[1:6]
    events, rate = int(events), max(1, int(rate))
    users = int(sys.argv[6]) if len(sys.argv) > 6 else 400
    rng = random.Random(int(sys.argv[7]) if len(sys.argv) > 7 else 14)
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20})
    ts = 1_700_000_000_000
    start = time.monotonic()
    with open(out, "w") as f:
        for i in range(events):
            ts += rng.randint(1, 999)
            user = f"u{rng.randrange(users)}"
            kind = rng.choices(("view", "cart", "buy"), weights=(5, 3, 2))[0]
            value = json.dumps({"event": kind, "user": user, "product": f"p{rng.randrange(3)}", "ts": ts},
                               separators=(",", ":"))
            f.write(value + "\n")
            while True:
                try:
                    p.produce(topic, key=user, value=value)
                    break
                except BufferError:
                    p.poll(0.05)
            p.poll(0)
            # Pace by wall clock so input keeps arriving through the kill phase.
            ahead = (i + 1) / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
    if p.flush(60) != 0:
        print("gen_shop_events: records left unsent", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
