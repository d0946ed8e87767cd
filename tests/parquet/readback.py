#!/usr/bin/env python3
"""Reads every Parquet file WeirParquet wrote into a directory with three
independent readers (pyarrow, DuckDB, fastparquet) and checks that each returns
exactly the rows written, and that pyarrow's view of the metadata shows the
compression, row groups, statistics and key-value metadata as configured.

Each `<name>.parquet` has a `<name>.expect.json` beside it, written by the Swift
test at the same time: {"schema": [...], "rows": [...], "expect": {...}}.

Usage: readback.py DIR   (exit 0 when every check passed)
"""
import datetime
import decimal
import glob
import json
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", message=".*infer_string.*")

import duckdb
import pandas

# fastparquet 2026.9 under pandas 3's default Arrow-backed strings drops the
# PLAIN pages of a string column chunk that starts with dictionary pages (the
# dictionary fallback, which pyarrow's own files have too): read with pandas'
# object strings, the mode fastparquet has always used. Must precede its import.
pandas.set_option("future.infer_string", False)
import fastparquet  # noqa: E402
import pyarrow.parquet as pq

EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
PRIMITIVES = {"boolean", "int32", "int64", "float", "double", "string", "binary", "date",
              "timestamp_millis", "timestamp_micros", "decimal"}

failures = []


def fail(msg):
    failures.append(msg)


def is_null(v):
    if v is None:
        return True
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return True
    except ImportError:
        pass
    return False


def expected_value(field, v):
    """The expect.json encoding of a value -> a canonical Python value."""
    if v is None:
        return None
    t = field["type"]
    if t == "list":
        return [expected_value(field["element"], e) for e in v]
    if t == "group":
        return {c["name"]: expected_value(c, v.get(c["name"])) for c in field["children"]}
    if t in ("float", "double"):
        if isinstance(v, dict):
            return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}[v["f"]]
        return float(v)
    if t == "binary":
        return bytes.fromhex(v)
    if t == "decimal":
        return decimal.Decimal(f"{int(v)}E-{field['scale']}")  # exact: no context rounding
    return v


def actual_value(field, v, lossy=False):
    """A reader's value -> the canonical form of expected_value. `lossy`: the
    reader (fastparquet/pandas) may turn decimals into floats."""
    if is_null(v):
        return None
    t = field["type"]
    if t == "list":
        return [actual_value(field["element"], e, lossy) for e in list(v)]
    if t == "group":
        return {c["name"]: actual_value(c, v.get(c["name"]), lossy) for c in field["children"]}
    if t in ("float", "double"):
        return float(v)
    if isinstance(v, float) and math.isnan(v) and t not in ("float", "double"):
        return None  # pandas' NaN for a null in a numeric column
    if t == "boolean":
        return bool(v)
    if t in ("int32", "int64"):
        return int(v)
    if t == "string":
        return str(v)
    if t == "binary":
        return bytes(v)
    if t == "date":
        if lossy and (isinstance(v, int) or type(v).__name__.startswith("int")):
            return int(v)  # fastparquet leaves list elements as stored (days)
        if hasattr(v, "value") and not isinstance(v, datetime.date):  # numpy/pandas datetime64
            import pandas as pd
            v = pd.Timestamp(v).date()
        if isinstance(v, datetime.datetime):
            v = v.date()
        return (v - EPOCH_DATE).days
    if t in ("timestamp_millis", "timestamp_micros"):
        if lossy and (isinstance(v, int) or type(v).__name__.startswith("int")):
            return int(v)  # fastparquet leaves list elements as stored (in the unit)
        micros = to_micros(v)
        return micros // 1000 if t == "timestamp_millis" else micros
    if t == "decimal":
        if isinstance(v, (bytes, bytearray)) or type(v).__name__ == "bytes_":
            # fastparquet hands FIXED_LEN_BYTE_ARRAY decimals over undecoded
            v = decimal.Decimal(f"{int.from_bytes(bytes(v), 'big', signed=True)}E-{field['scale']}")
        if isinstance(v, float) or lossy:
            return float(v)
        return decimal.Decimal(v)
    raise ValueError(f"unknown type {t}")


def to_micros(v):
    import pandas as pd
    if isinstance(v, pd.Timestamp):
        return int(v.asm8.astype("datetime64[us]").astype("int64"))
    if isinstance(v, datetime.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=datetime.timezone.utc)
        d = v - EPOCH
        return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
    if hasattr(v, "astype"):  # numpy datetime64
        return int(pd.Timestamp(v).value // 1000)
    raise ValueError(f"not a timestamp: {v!r}")


def same(a, b):
    """Equality with NaN equal to NaN and float decimals compared approximately."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, float) and isinstance(b, decimal.Decimal):
        return math.isclose(a, float(b), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(a, decimal.Decimal) and isinstance(b, decimal.Decimal):
        return a == b and a.as_tuple().exponent == b.as_tuple().exponent
    return type(a) is type(b) and a == b


# pandas' datetime64[ns] (fastparquet's dates and timestamps) spans 1677...2262.
PANDAS_DAYS = 106_000


def beyond_pandas(field, w):
    t = field["type"]
    if t == "list":
        return any(beyond_pandas(field["element"], e) for e in (w or []))
    if w is None:
        return False
    if t == "date":
        return abs(w) > PANDAS_DAYS
    if t == "timestamp_millis":
        return abs(w) > PANDAS_DAYS * 86_400_000
    if t == "timestamp_micros":
        return abs(w) > PANDAS_DAYS * 86_400_000_000
    return False


def fastparquet_unreliable(field):
    """fastparquet drops the trailing zero bytes of PLAIN FIXED_LEN_BYTE_ARRAY
    decimals inside lists (numpy 'S' strings strip them); pyarrow's and DuckDB's
    reading of the same files is exact."""
    return field["type"] == "list" and field["element"]["type"] == "decimal" and field["element"]["precision"] > 18


def compare_rows(reader, name, schema, expected, actual_rows, lossy=False, fields=None):
    fields = fields or schema
    if len(actual_rows) != len(expected):
        fail(f"{name}: {reader} read {len(actual_rows)} rows, wrote {len(expected)}")
        return
    for i, (want, got) in enumerate(zip(expected, actual_rows)):
        for f in fields:
            w = expected_value(f, want.get(f["name"]))
            if lossy and (beyond_pandas(f, w_raw := want.get(f["name"])) or fastparquet_unreliable(f)):
                continue
            g = actual_value(f, got.get(f["name"]), lossy)
            if lossy and w is None and isinstance(g, float) and math.isnan(g):
                continue  # pandas holds a null float as NaN
            if not same(g, w):
                fail(f"{name}: {reader} row {i} field {f['name']}: read {g!r}, wrote {w!r}")
                return


def stat_key(field, v):
    if field["type"] == "string":
        return v.encode("utf-8")  # strings order as unsigned bytes
    return v


def check_metadata(name, path, spec):
    schema, rows, expect = spec["schema"], spec["rows"], spec.get("expect", {})
    md = pq.ParquetFile(path).metadata
    if md.num_rows != len(rows):
        fail(f"{name}: metadata num_rows {md.num_rows}, wrote {len(rows)}")
    if "min_row_groups" in expect and md.num_row_groups < expect["min_row_groups"]:
        fail(f"{name}: {md.num_row_groups} row groups, expected at least {expect['min_row_groups']}")
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    for k, v in expect.get("key_value", {}).items():
        if kv.get(k) != v:
            fail(f"{name}: key-value {k} is {kv.get(k)!r}, expected {v!r}")
    encodings = set()
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for c in range(rg.num_columns):
            col = rg.column(c)
            encodings.update(col.encodings)
            if "compression" in expect and col.compression != expect["compression"]:
                fail(f"{name}: column {col.path_in_schema} compression {col.compression}, expected {expect['compression']}")
    for e in expect.get("encodings", []):
        if e not in encodings:
            fail(f"{name}: encoding {e} not used (used: {sorted(encodings)})")
    # Statistics of top-level primitive columns, merged over row groups, against
    # min/max/null count computed here from the rows written.
    for ci, f in enumerate(schema):
        if f["type"] not in PRIMITIVES or f["type"] == "binary" or md.num_row_groups == 0:
            continue
        values = [expected_value(f, r.get(f["name"])) for r in rows]
        nulls = sum(v is None for v in values)
        present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
        col_index = [i for i in range(md.num_columns) if md.schema.column(i).path == f["name"]][0]
        got_nulls, mins, maxs = 0, [], []
        for g in range(md.num_row_groups):
            st = md.row_group(g).column(col_index).statistics
            if st is None:
                fail(f"{name}: no statistics for {f['name']}")
                break
            got_nulls += st.null_count
            if st.has_min_max:
                mins.append(actual_value(f, st.min))
                maxs.append(actual_value(f, st.max))
        if got_nulls != nulls:
            fail(f"{name}: {f['name']} null_count {got_nulls}, expected {nulls}")
        if not present:
            if mins:
                fail(f"{name}: {f['name']} has min/max but no non-NaN value")
            continue
        want_min = min(present, key=lambda v: stat_key(f, v))
        want_max = max(present, key=lambda v: stat_key(f, v))
        got_min = min(mins, key=lambda v: stat_key(f, v)) if mins else None
        got_max = max(maxs, key=lambda v: stat_key(f, v)) if maxs else None
        if not (same(got_min, want_min) or (want_min == 0 and got_min == 0)) or \
           not (same(got_max, want_max) or (want_max == 0 and got_max == 0)):
            fail(f"{name}: {f['name']} min/max {got_min!r}/{got_max!r}, expected {want_min!r}/{want_max!r}")


def read_pyarrow(path):
    return pq.read_table(path).to_pylist()


def read_duckdb(path):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.execute("SELECT * FROM read_parquet(?)", [path])
    names = [d[0] for d in rel.description]
    rows = [dict(zip(names, r)) for r in rel.fetchall()]
    codecs = {r[0] for r in con.execute("SELECT DISTINCT compression FROM parquet_metadata(?)", [path]).fetchall()}
    con.close()
    return rows, codecs


def fastparquet_fields(schema):
    """fastparquet reads flat primitive columns and lists of primitives. Records
    (groups) it flattens to `a.b` columns and then reads the statistics of the
    wrong column for the nullability of the others, so files with records are
    left to pyarrow and DuckDB."""
    if any(f["type"] == "group" for f in schema):
        return []
    return schema


def read_fastparquet(path, fields):
    pf = fastparquet.ParquetFile(path)
    df = pf.to_pandas(columns=[f["name"] for f in fields])
    return df.to_dict("records") if len(df) else []


def main():
    directory = sys.argv[1]
    files = sorted(glob.glob(os.path.join(directory, "*.parquet")))
    if not files:
        print(f"readback: no files in {directory}")
        return 1
    checked = {"pyarrow": 0, "duckdb": 0, "fastparquet": 0}
    for path in files:
        name = os.path.basename(path)
        with open(path[: -len(".parquet")] + ".expect.json") as f:
            spec = json.load(f)
        schema, rows = spec["schema"], spec["rows"]
        before = len(failures)
        try:
            check_metadata(name, path, spec)
            compare_rows("pyarrow", name, schema, rows, read_pyarrow(path))
            checked["pyarrow"] += 1
            drows, codecs = read_duckdb(path)
            compare_rows("duckdb", name, schema, rows, drows)
            want_codec = spec.get("expect", {}).get("compression")
            if want_codec and rows and codecs != {want_codec}:
                fail(f"{name}: duckdb sees compression {codecs}, expected {want_codec}")
            checked["duckdb"] += 1
            fields = fastparquet_fields(schema)
            if fields and not spec.get("expect", {}).get("skip_fastparquet"):
                compare_rows("fastparquet", name, schema, rows, read_fastparquet(path, fields), lossy=True, fields=fields)
                checked["fastparquet"] += 1
        except Exception as e:  # a reader refusing the file is a failure, not a crash
            fail(f"{name}: {type(e).__name__}: {e}")
        status = "ok" if len(failures) == before else "FAILED"
        print(f"{status} {name} ({len(rows)} rows)")
    for f in failures[:50]:
        print("FAIL", f)
    print(f"readback: {len(files)} files; read by pyarrow {checked['pyarrow']}, duckdb {checked['duckdb']}, "
          f"fastparquet {checked['fastparquet']}; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
