#!/usr/bin/env python3
"""Reads a files sink's lake back and compares it with the rows expected.

  lake_readback.py LAKE EXPECTED.jsonl [--format parquet|json] [--timestamps ts,...]

EXPECTED.jsonl holds one JSON object per expected row (its keys are the
columns compared; timestamp columns as epoch milliseconds). The visible files
(`**/*.parquet` or `**/*.jsonl`, never the hidden staging directory) must
hold exactly those rows, each exactly once (as a multiset), read with DuckDB
(hive_partitioning) and, for Parquet, with pyarrow and fastparquet file by file. Hive
partition columns `dt` and `hour`, when present, must be the UTC date and
hour of the column `ts`; a directory `name=value` of a column the file holds
too (`country=DE`) must equal that column in each of the file's rows (read by
pyarrow). Exits non-zero with a diff summary otherwise.
"""
import argparse, collections, datetime, glob, json, os, sys, urllib.parse


def key(row, cols):
    return tuple(None if row.get(c) is None else (round(row[c], 9) if isinstance(row[c], float) else row[c]) for c in cols)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lake")
    ap.add_argument("expected")
    ap.add_argument("--format", default="parquet")
    ap.add_argument("--timestamps", default="ts")
    a = ap.parse_args()
    expected = [json.loads(l) for l in open(a.expected) if l.strip()]
    cols = sorted({k for r in expected for k in r}) if expected else []
    ts_cols = [c for c in a.timestamps.split(",") if c]
    want = collections.Counter(key(r, cols) for r in expected)
    ext = "parquet" if a.format == "parquet" else "jsonl"
    files = [f for f in glob.glob(os.path.join(a.lake, "**", "*." + ext), recursive=True) if "/." not in f[len(a.lake):]]
    staged = [f for f in glob.glob(os.path.join(a.lake, ".weir-staging", "**", "*"), recursive=True) if os.path.isfile(f)]
    problems = []

    import duckdb
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if files:
        reader = "read_parquet" if a.format == "parquet" else "read_json_auto"
        rel = con.execute(f"SELECT * FROM {reader}(?, hive_partitioning = true, union_by_name = true)", [files])
        names = [d[0] for d in rel.description]
        got_rows = [dict(zip(names, r)) for r in rel.fetchall()]
    else:
        got_rows = []
    for r in got_rows:
        for c in ts_cols:
            if isinstance(r.get(c), datetime.datetime):
                r[c] = int(r[c].timestamp() * 1000 + 0.5) if r[c].microsecond % 1000 == 0 else r[c].timestamp() * 1000
        if "ts" in r and isinstance(r["ts"], int):
            t = datetime.datetime.fromtimestamp(r["ts"] / 1000, datetime.timezone.utc)
            if "dt" in r and str(r["dt"]) != t.date().isoformat():
                problems.append(f"dt={r['dt']} but ts {r['ts']} is {t.date()}")
            if "hour" in r and int(r["hour"]) != t.hour:
                problems.append(f"hour={r['hour']} but ts {r['ts']} is hour {t.hour}")
    got = collections.Counter(key(r, cols) for r in got_rows)
    if got != want:
        missing, extra = want - got, got - want
        problems.append(f"DuckDB: {sum(got.values())} rows, expected {sum(want.values())}; "
                        f"{sum(missing.values())} missing (e.g. {list(missing)[:3]}), {sum(extra.values())} extra or repeated (e.g. {list(extra)[:3]})")

    if a.format == "parquet":
        import pyarrow.parquet as pq
        arrow = collections.Counter()
        for f in files:
            dirs = [c.split("=", 1) for c in os.path.relpath(os.path.dirname(f), a.lake).split(os.sep) if "=" in c]
            for r in pq.read_table(f).to_pylist():
                for name, value in dirs:
                    if name in r and str(r[name]) != urllib.parse.unquote(value):
                        problems.append(f"{f}: {name}={value} but a row's {name} is {r[name]!r}")
                for c in ts_cols:
                    if isinstance(r.get(c), datetime.datetime):
                        r[c] = int(r[c].timestamp() * 1000 + 0.5)
                arrow[key(r, cols)] += 1
        if arrow != want:
            problems.append(f"pyarrow: {sum(arrow.values())} rows, expected {sum(want.values())}")
        # fastparquet, in pandas' object-string mode (see readback.py for why), file by file.
        import warnings
        import pandas
        warnings.filterwarnings("ignore", message=".*infer_string.*")
        pandas.set_option("future.infer_string", False)
        import fastparquet
        fp = collections.Counter()
        for f in files:
            df = fastparquet.ParquetFile(f).to_pandas()
            for rec in df.to_dict("records"):
                r = {}
                for c, v in rec.items():
                    if v is None or (isinstance(v, float) and v != v):
                        r[c] = None
                    elif hasattr(v, "value") and c in ts_cols:   # pandas Timestamp (ns)
                        r[c] = v.value // 1_000_000
                    elif hasattr(v, "item"):
                        r[c] = v.item()
                    else:
                        r[c] = v
                fp[key(r, cols)] += 1
        if fp != want:
            problems.append(f"fastparquet: {sum(fp.values())} rows, expected {sum(want.values())}")

    print(f"lake_readback: {len(files)} visible files, {sum(got.values())} rows (expected {sum(want.values())}), "
          f"{len(staged)} staged files left, {len(problems)} problems")
    for p in problems[:20]:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
