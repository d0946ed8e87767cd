#!/usr/bin/env bash
# Browser tests of the web UI (issue 11): an embedded broker, 5,000 click
# events (every 200th malformed), `weir serve` running clicks-per-user, then
# tests/ui/test_ui.py in headless Chromium (Debian's chromium, Playwright from
# PyPI) against the UI the binary embeds.
#   tests/ui/run.sh [pytest args…]
# WEIR (binary, default .build/debug/weir), EVENTS (5000), WEIR_UI_ARTIFACTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
WEIR="${WEIR:-.build/debug/weir}"
EVENTS="${EVENTS:-5000}"
export WEIR_UI_ARTIFACTS="${WEIR_UI_ARTIFACTS:-$PWD/.build/ui-artifacts}"
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
python3 -c "import playwright" 2>/dev/null || python3 -m pip install -q "playwright==1.65.3"
W="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT
"$WEIR" broker --topic input-topic:4 --topic output-topic:4 --topic clicks-dlq:4 --topic clicks-late:4 \
  --topic clicks-per-user-state:4 --topic ui-out:4 --registry-dir "$W/registry" > "$W/bs.txt" 2>"$W/broker.log" &
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
"$WEIR" generate --bootstrap "$BS" --events "$EVENTS" >/dev/null
mkdir "$W/pipelines"; cp pipelines/clicks-per-user.yaml "$W/pipelines/"
WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=ui WEIR_SAVEPOINTS_DIR="$W/savepoints" "$WEIR" serve --pipelines "$W/pipelines" \
  --port 0 --log-level warning > "$W/serve.out" 2>"$W/serve.err" &
for _ in $(seq 300); do grep -q "REST API at" "$W/serve.out" 2>/dev/null && break; sleep 0.1; done
API=$(grep -o 'http://[0-9.:]*' "$W/serve.out" | head -1)
[ -n "$API" ] || { echo "weir serve did not start"; cat "$W/serve.err"; exit 1; }
curl -sf "$API/" | grep -q 'id="main"' || { echo "weir serve does not serve the UI at $API/"; exit 1; }
BASE="$API/"
echo "UI at $BASE (broker $BS)"
# The job has read every event before the tests look at it.
for _ in $(seq 600); do
  n=$(curl -sf "$API/jobs/clicks-per-user" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vertices"][0]["metrics"]["read-records"])' 2>/dev/null || echo 0)
  [ "$n" = "$EVENTS" ] && break; sleep 0.2
done
WEIR_UI_BASE="$BASE" WEIR_UI_JOB=clicks-per-user WEIR_UI_RECORDS="$EVENTS" WEIR_UI_BOOTSTRAP="$BS" WEIR_UI_SINK_TOPIC=ui-out \
  python3 -m pytest -v -p no:cacheprovider tests/ui/test_ui.py "$@"
