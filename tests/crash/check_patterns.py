#!/usr/bin/env python3
"""Compares what the killed-and-restarted pattern job wrote to its topics with
what the reference run (the same pipeline over the same events as a file job:
no Kafka, no checkpoint, no crash) wrote. Each row is (key, JSON value); rows of
abandoned-carts.yaml carry the user and the event times of its stages, so every
match and every timed-out funnel is one distinct row.

Pass = every expected row is present as often as expected, and no other row.
On the embedded broker, extra identical copies of an expected row are tolerated
and counted (`weir consume` sees records of transactions that were aborted by
the kill; the window crash test has the same allowance); --strict allows none.

usage: check_patterns.py [--strict] NAME EXPECTED.jsonl GOT.tsv [NAME EXPECTED.jsonl GOT.tsv ...]
"""
import json
import sys
from collections import Counter


def canon(value):
    return json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))


def expected_rows(path):
    # The file job writes values only; the key of an abandoned-carts row is its user.
    rows = Counter()
    with open(path) as f:
        for line in f:
            if line.strip():
                v = json.loads(line)
                rows[(v["user"], canon(line))] += 1
    return rows


def got_rows(path):
    rows = Counter()
    with open(path) as f:
        for line in f:
            if line.strip():
                k, v = line.rstrip("\n").split("\t", 1)
                rows[(k, canon(v))] += 1
    return rows


def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    if not args or len(args) % 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    ok = True
    for i in range(0, len(args), 3):
        name, exp, got = args[i], expected_rows(args[i + 1]), got_rows(args[i + 2])
        missing = exp - got
        unexpected = Counter({r: n for r, n in got.items() if r not in exp})
        reemits = sum(n - exp[r] for r, n in got.items() if r in exp and n > exp[r])
        print(f"{name}: expected rows {sum(exp.values())}; rows emitted {sum(got.values())}; "
              f"identical re-emits {reemits}; unexpected rows {sum(unexpected.values())}; "
              f"missing rows {sum(missing.values())}")
        if not exp:
            print(f"  {name}: the reference run gave no rows: the input tests nothing")
            ok = False
        for r in list(missing)[:5]:
            print("  MISSING", r)
        for r in list(unexpected)[:5]:
            print("  UNEXPECTED", r)
        if missing or unexpected or (strict and reemits):
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
