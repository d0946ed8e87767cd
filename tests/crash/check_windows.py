#!/usr/bin/env python3
"""Independent reference for the crash test: 1-minute tumbling windows per
user_id over click events (count and sum of amount, exact in integer cents),
compared with every row Weir emitted.

Pass = every expected (user, window) is present, and every emitted row for a
(user, window) equals the expected value (no loss, no double counting). On the
embedded broker identical re-emits of a correct row are tolerated (it shows
records of unfinished transactions); their number is reported. With --strict
(a real Kafka read with read_committed: aborted transactions are invisible
there) every (user, window) must be emitted exactly once: a re-emit fails.

usage: check_windows.py [--strict] EVENTS.jsonl OUTPUT.tsv
"""
import json
import sys
from collections import defaultdict
from decimal import Decimal

def main():
    args = sys.argv[1:]
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    events, output = args
    expected = defaultdict(lambda: [0, 0])  # (user, window_start) -> [count, cents]
    with open(events) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue  # malformed on purpose: Weir dead-letters these
            if e.get("event") != "click":
                continue
            ws = e["ts"] // 60000 * 60000
            slot = expected[(e["user_id"], ws)]
            slot[0] += 1
            slot[1] += int(Decimal(str(e["amount"])) * 100)

    seen = defaultdict(int)
    wrong = []
    rows = 0
    with open(output) as f:
        for line in f:
            if not line.strip():
                continue
            _, value = line.rstrip("\n").split("\t", 1)
            r = json.loads(value)
            rows += 1
            key = (r["user_id"], r["window_start"])
            want = expected.get(key)
            got = (r["clicks"], int(Decimal(repr(r["amount"])) * 100))
            if want is None or got != (want[0], want[1]) or r["window_end"] != key[1] + 60000:
                wrong.append((key, got, want))
            seen[key] += 1

    missing = [k for k in expected if k not in seen]
    reemits = sum(n - 1 for n in seen.values())
    print(f"expected windows: {len(expected)}; rows emitted: {rows}; identical re-emits: {reemits}; "
          f"wrong rows: {len(wrong)}; missing windows: {len(missing)}")
    for w in wrong[:10]:
        print("  WRONG", w)
    for m in missing[:10]:
        print("  MISSING", m, expected[m])
    if strict and reemits:
        print(f"  RE-EMITTED (--strict: none allowed): {reemits} rows, e.g. "
              f"{[k for k, n in seen.items() if n > 1][:5]}")
        return 1
    return 0 if not wrong and not missing else 1

if __name__ == "__main__":
    sys.exit(main())
