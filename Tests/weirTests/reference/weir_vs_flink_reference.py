#!/usr/bin/env python3
"""Weir's output for the Flink workload, in two checks against ref_check.py.

  weir_vs_flink_reference.py csv WEIR_OUT.jsonl CSV_DIR
      writes Weir's rows in the Flink filesystem sink's CSV shape, so that
      ref_check.py --flink-out CSV_DIR compares them with its own rules;
  weir_vs_flink_reference.py exact WEIR_OUT.jsonl EXPECTED.csv
      EXPECTED.csv is ref_check.py's --expected-out (window_start,window_end,
      user,count,sum,min,max; sums in exact integer cents printed with two
      decimals). Every Weir row must be there once and equal it exactly: the
      printed sum, minimum and maximum must be exactly those decimals.
Exit 1 on any difference.
"""
import datetime
import json
import os
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


_formatted = {}


def fmt_ts(ms):
    """UTC `YYYY-MM-DD HH:MM:SS` as ref_check.py writes it (few distinct window bounds: memoized)."""
    t = _formatted.get(ms)
    if t is None:
        t = _formatted[ms] = (EPOCH + datetime.timedelta(milliseconds=ms)).strftime("%Y-%m-%d %H:%M:%S")
    return t


def cents(text):
    """A decimal's exact value in cents, or None when it is not a whole number of cents."""
    if "e" in text or "E" in text:
        return None
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) > 2 or not whole.lstrip("-").isdigit():
        return None
    sign = -1 if whole.startswith("-") else 1
    return sign * (abs(int(whole)) * 100 + int(frac.ljust(2, "0")))


def rows(path):
    with open(path) as f:
        for line in f:
            yield json.loads(line, parse_float=str)


def to_csv(weir_out, csv_dir):
    os.makedirs(csv_dir, exist_ok=True)
    n = 0
    with open(os.path.join(csv_dir, "part-weir.csv"), "w") as csv:
        for o in rows(weir_out):
            csv.write("%s,%s,%s,%d,%s,%s,%s\n" % (fmt_ts(o["window_start"]), fmt_ts(o["window_end"]), o["user_id"],
                                                  o["cnt"], o["total"], o["min_amount"], o["max_amount"]))
            n += 1
    print("weir: wrote %d rows as CSV to %s" % (n, csv_dir))
    return 0


def exact(weir_out, expected_csv):
    expected = {}
    with open(expected_csv) as f:
        for line in f:
            ws, we, user, cnt, total, mn, mx = line.rstrip("\n").split(",")
            expected[(ws, user)] = (we, int(cnt), cents(total), cents(mn), cents(mx))
    n, dup, bad, seen = 0, 0, [], set()
    for o in rows(weir_out):
        n += 1
        k = (fmt_ts(o["window_start"]), o["user_id"])
        if k in seen:
            dup += 1
        seen.add(k)
        got = (fmt_ts(o["window_end"]), o["cnt"], cents(o["total"]), cents(o["min_amount"]), cents(o["max_amount"]))
        if expected.get(k) != got:
            bad.append((k, expected.get(k), o))
    missing = len(expected.keys() - seen)
    print("weir: rows=%d duplicates=%d missing=%d exact_mismatches=%d" % (n, dup, missing, len(bad)))
    for b in bad[:5]:
        print("  MISMATCH", b)
    ok = n == len(expected) and dup == 0 and missing == 0 and not bad
    print("EXACT", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    mode = sys.argv[1]
    sys.exit(to_csv(sys.argv[2], sys.argv[3]) if mode == "csv" else exact(sys.argv[2], sys.argv[3]))
