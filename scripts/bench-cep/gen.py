#!/usr/bin/env python3
"""Input of the CEP benchmark (scripts/bench-cep.sh): N events as JSON lines
{"user_id":"u123","kind":"b","ts":...}, USERS users, kinds a/b/c equally
likely, event times rising 1 ms per event from 2023-11-14 (so 10,000 users
see an event each ~10 s of event time, about 6 per one-minute `within`).
Deterministic for a seed.

usage: gen.py N OUT.jsonl [--users 10000] [--seed 14]
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--users", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=14)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    ts = 1_700_000_000_000
    kinds = "abc"
    with open(a.out, "w") as f:
        lines = []
        for _ in range(a.n):
            ts += 1
            lines.append('{"user_id":"u%d","kind":"%s","ts":%d}\n' % (rng.randrange(a.users), kinds[rng.randrange(3)], ts))
            if len(lines) == 65536:
                f.writelines(lines)
                lines.clear()
        f.writelines(lines)


if __name__ == "__main__":
    main()
