#!/usr/bin/env bash
# Weir's JSON filter/map and JSON window pipelines vs the C baseline (rdkafka-pipe), same machine,
# same run, each on its own mock broker process so both pay the same broker cost.
#   scripts/bench-pipe.sh [EVENTS] [PARTITIONS]
# PARTITIONS defaults to what EVENTS need: the mock broker keeps at most 5 MiB per
# partition and drops older records (a bench event is ~120 bytes; one partition
# per 30,000 events fills each to ~3.6 MB), at least 16. `weir bench` refuses too
# few partitions at once; the C baseline would wait for the dropped records.
# WEIR=path uses that binary and skips the release build (tests/bench/smoke.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000000}"; P="${2:-$(( N / 30000 + 1 > 16 ? N / 30000 + 1 : 16 ))}"
SHARED="${SHARED:-$(cd .. && pwd)/shared}"
WORK="$(mktemp -d)"; trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
# bootstrap FILE: the broker's address, its first line, once written (a loaded
# machine can take more than a second to start one: a fixed sleep gave "" and a timeout)
bootstrap() {
  for _ in $(seq 100); do [ -s "$1" ] && { head -1 "$1"; return 0; }; sleep 0.1; done
  echo "bench-pipe: no broker address in $1 after 10 s" >&2; return 1
}
cp -r "$SHARED/baseline" "$WORK/baseline"            # shared/ may be read-only
make -s -C "$WORK/baseline" >/dev/null
if [ -z "${WEIR:-}" ]; then
  swift build -c release --product weir >/dev/null
  WEIR=.build/release/weir
fi

echo "== C baseline: rdkafka-pipe (consume -> yajl SAX -> avro-c -> txn produce)"
"$WORK/baseline/mock-broker" 1 in:$P out:$P > "$WORK/bs1.txt" &
BS=$(bootstrap "$WORK/bs1.txt")
"$WORK/baseline/rdkafka-pipe" fill "$BS" in "$N"
"$WORK/baseline/rdkafka-pipe" run "$BS" in out "$N" 100000
kill %1; wait %1 2>/dev/null || true

echo "== Weir: pipelines/bench-filter-map.yaml (consume -> yajl SAX projection -> filter/map -> JSON -> txn produce)"
"$WEIR" broker --topic bench-in:$P --topic bench-out:$P > "$WORK/bs2.txt" & B2=$!
BS=$(bootstrap "$WORK/bs2.txt")
"$WEIR" bench pipelines/bench-filter-map.yaml --bootstrap "$BS" --events "$N" --parallelism "${PARALLELISM:-1}"
kill $B2; wait $B2 2>/dev/null || true

echo "== Weir: pipelines/bench-windows.yaml (consume -> yajl SAX projection -> keyed 1-minute windows, 4 aggregates -> JSON -> txn produce)"
"$WEIR" broker --topic bench-in:$P --topic bench-out:$P --topic bench-windows-state:$P > "$WORK/bs3.txt" &
BS=$(bootstrap "$WORK/bs3.txt")
"$WEIR" bench pipelines/bench-windows.yaml --bootstrap "$BS" --events "$N" --parallelism "${PARALLELISM:-1}"
