#!/usr/bin/env bash
# Writes the same click rows (user_id, event, page, country: strings; amount:
# double; ts: timestamp millis UTC; quantity: int32; mobile: boolean) with
# WeirParquet (release build of parquet-bench) and with pyarrow from in-memory
# Arrow arrays, both ZSTD at the same level; prints rows per CPU-second, file
# sizes and their ratios, and checks with DuckDB that both files hold the same rows.
#
# Each writer runs `runs` times, alternating, and the best (least CPU) run of
# each is compared: on a shared, loaded machine the CPU time of one run varies
# by half, and the least disturbed runs are the fairest pair.
#
#   scripts/bench-parquet.sh [rows=10000000] [zstd level=3] [runs=3]
# PARQUET_BENCH=path uses that parquet-bench binary and skips the release build
# (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
level=${2:-3}
runs=${3:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -z "${PARQUET_BENCH:-}" ]; then
  swift build -c release --product parquet-bench >/dev/null
  PARQUET_BENCH=.build/release/parquet-bench
fi
echo "machine: $(nproc) cores, load $(uptime | sed 's/.*load average: //')"
for _ in $(seq "$runs"); do
  "$PARQUET_BENCH" clicks "$rows" "$dir/weir.parquet" zstd "$level" | tee -a "$dir/weir.jsonl"
  python3 scripts/bench-parquet.py "$rows" "$dir/pyarrow.parquet" "$level" | tee -a "$dir/pyarrow.jsonl"
done
python3 - "$dir/weir.jsonl" "$dir/pyarrow.jsonl" "$dir/weir.parquet" "$dir/pyarrow.parquet" <<'PY'
import json, sys, duckdb
best = lambda path: min((json.loads(l) for l in open(path)), key=lambda r: r["cpu_s"])
w, a = best(sys.argv[1]), best(sys.argv[2])
print(f"best of the runs, rows per CPU-second: weir {w['rows_per_cpu_s']:,.0f}, pyarrow {a['rows_per_cpu_s']:,.0f} "
      f"(weir/pyarrow {w['rows_per_cpu_s'] / a['rows_per_cpu_s']:.2f}x)")
print(f"file size: weir {w['bytes']:,} B, pyarrow {a['bytes']:,} B (weir/pyarrow {w['bytes'] / a['bytes']:.3f})")
con = duckdb.connect()
q = "SELECT count(*) FROM (SELECT * FROM read_parquet('{}') EXCEPT ALL SELECT * FROM read_parquet('{}'))"
diff = con.execute(q.format(sys.argv[3], sys.argv[4])).fetchone()[0] + con.execute(q.format(sys.argv[4], sys.argv[3])).fetchone()[0]
print(f"same rows in both files (DuckDB EXCEPT ALL both ways): {'yes' if diff == 0 else f'NO, {diff} differ'}")
sys.exit(1 if diff else 0)
PY
