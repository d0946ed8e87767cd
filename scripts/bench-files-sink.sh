#!/usr/bin/env bash
# The files sink in a release build: `weir run` over a JSON-lines file of
# click rows → Parquet ZSTD (pipelines-like: select, partitionBy dt), timed
# as rows per CPU-second of the whole process (reading, decoding, the steps
# and the sink), and whether it allocates per record: heaptrack counts the
# allocation calls of two runs, N and 2N rows; (calls(2N) - calls(N)) / N is
# what each extra row costs.
#
#   scripts/bench-files-sink.sh [rows=2000000] [heaptrack rows=200000]
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000000}
small=${2:-200000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi
weir=$WEIR
echo "machine: $(nproc) cores, load $(uptime | sed 's/.*load average: //')"

gen() {   # N rows of clicks as JSON lines (the generator is not timed)
  python3 - "$1" "$2" <<'PY'
import json, random, sys
n, out = int(sys.argv[1]), open(sys.argv[2], "w")
r = random.Random(7)
events, countries = ["click", "view", "scroll", "buy", "cart", "leave"], [f"C{i}" for i in range(20)]
for i in range(n):
    out.write(json.dumps({"user_id": f"user-{r.randrange(200000)}", "event": events[i % 6], "page": f"/p/{r.randrange(5000)}",
                          "country": countries[r.randrange(20)], "amount": r.randrange(100000) / 100,
                          "ts": 1796000000000 + i * 10, "quantity": r.randrange(10), "mobile": i % 3 == 0},
                         separators=(",", ":")) + "\n")
PY
}

pipeline() {   # $1 input, $2 lake
  cat > "$dir/p.yaml" <<YAML
name: bench-lake
source: {file: {path: $1}}
steps:
  - filter: "quantity >= 0"
  - select: {user_id: user_id, event: event, page: page, country: country, amount: amount, ts: ts, quantity: quantity, mobile: mobile}
sink:
  files:
    path: $2
    format: parquet
    partitionBy: [{dt: "date(ts)"}]
    compression: zstd
    columns: {user_id: string, event: string, page: string, country: string, amount: double, ts: timestamp-millis, quantity: int32, mobile: boolean}
YAML
}

gen "$rows" "$dir/in.jsonl"
pipeline "$dir/in.jsonl" "$dir/lake"
for run in 1 2 3; do
  rm -rf "$dir/lake"
  /usr/bin/time -f "%U %S %e %M" -o "$dir/time" "$weir" run "$dir/p.yaml" >/dev/null 2>"$dir/err" || { cat "$dir/err"; exit 1; }
  read -r user sys wall rss < "$dir/time"
  python3 -c "import sys; u,s,w,m,n=map(float,sys.argv[1:]); print(f'run $run: {n:,.0f} rows, {u+s:.2f} CPU-s ({u:.2f} user, {s:.2f} sys), {w:.2f} s wall, max RSS {m/1024:.0f} MiB: {n/(u+s):,.0f} rows/CPU-s')" "$user" "$sys" "$wall" "$rss" "$rows"
done
python3 - "$dir/lake" "$rows" <<'PY'
import sys, duckdb
n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{sys.argv[1]}/**/*.parquet')").fetchone()[0]
print(f"DuckDB reads {n:,} rows back" + ("" if n == int(sys.argv[2]) else f" (expected {int(sys.argv[2]):,}!)"))
sys.exit(0 if n == int(sys.argv[2]) else 1)
PY

if command -v heaptrack >/dev/null; then
  calls() {   # allocation calls of one run over $1 rows
    gen "$1" "$dir/h.jsonl"; rm -rf "$dir/hlake"; pipeline "$dir/h.jsonl" "$dir/hlake"
    heaptrack -o "$dir/ht-$1" "$weir" run "$dir/p.yaml" >/dev/null 2>&1
    heaptrack_print "$dir"/ht-"$1".* 2>/dev/null | sed -n 's/^calls to allocation functions: \([0-9]*\).*/\1/p'
  }
  a=$(calls "$small"); b=$(calls $((small * 2)))
  python3 -c "import sys; a,b,n=map(int,sys.argv[1:]); print(f'heaptrack: {a:,} allocation calls for {n:,} rows, {b:,} for {2*n:,}: {(b-a)/n:.4f} per extra row')" "$a" "$b" "$small"
fi
