#!/usr/bin/env python3
"""The pyarrow side of scripts/bench-parquet.sh: builds the benchmark's click rows
as in-memory Arrow arrays (the same pure function of the row number as
Sources/parquet-bench/ClickGenerator.swift), then times only pq.write_table.

Usage: bench-parquet.py ROWS OUT.parquet [zstd level]
Prints one JSON line like parquet-bench's."""
import json
import sys
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


def mix(x):
    """splitmix64's finaliser on uint64 arrays (wrapping arithmetic)."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def table(rows):
    users = pa.array([f"user-{i}" for i in range(200_000)])
    events = pa.array(["view", "click", "add_to_cart", "purchase", "search", "logout"])
    pages = pa.array([f"/product/{i}" for i in range(5_000)])
    countries = pa.array(["US", "DE", "FR", "GB", "NL", "ES", "IT", "PL", "SE", "NO",
                          "DK", "FI", "JP", "KR", "BR", "MX", "CA", "AU", "IN", "ZA"])
    i = np.arange(rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        r = mix(i)
    u = lambda shift: r >> np.uint64(shift)
    return pa.table({
        "user_id": pc.take(users, pa.array((r % np.uint64(200_000)).astype(np.int64))),
        "event": pc.take(events, pa.array((u(20) % np.uint64(6)).astype(np.int64))),
        "page": pc.take(pages, pa.array((u(28) % np.uint64(5_000)).astype(np.int64))),
        "country": pc.take(countries, pa.array((u(42) % np.uint64(20)).astype(np.int64))),
        "amount": pa.array((u(8) % np.uint64(100_000)).astype(np.float64) / 100.0),
        "ts": pa.array(np.int64(1_700_000_000_000) + i.astype(np.int64) * 7 + (u(50) % np.uint64(1000)).astype(np.int64),
                       pa.timestamp("ms", tz="UTC")),
        "quantity": pa.array(((u(33) % np.uint64(10)) + np.uint64(1)).astype(np.int32)),
        "mobile": pa.array((u(63) == np.uint64(1))),
    })


def main():
    rows, out = int(sys.argv[1]), sys.argv[2]
    level = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    t = table(rows)
    cpu, wall = time.process_time(), time.monotonic()
    pq.write_table(t, out, compression="zstd", compression_level=level)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    size = pq.ParquetFile(out).metadata.serialized_size and __import__("os").path.getsize(out)
    print(json.dumps({"writer": f"pyarrow {pa.__version__}", "rows": rows, "cpu_s": cpu, "wall_s": wall,
                      "bytes": size, "rows_per_cpu_s": rows / cpu}))


if __name__ == "__main__":
    main()
