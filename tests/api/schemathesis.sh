#!/usr/bin/env bash
# schemathesis (PyPI) against the OpenAPI document `weir serve` serves
# (issue 10): every operation with generated and mutated input; passes when
# no answer is a server error and every answer conforms to the document
# (status code, content type, body schema).
#   tests/api/schemathesis.sh [MAX_EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/../.."
WEIR="${WEIR:-.build/debug/weir}"
N="${1:-40}"
W="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT
"$WEIR" broker --topic input-topic:4 --topic output-topic:4 --topic clicks-dlq:4 --topic clicks-late:4 \
  --topic clicks-per-user-state:4 > "$W/bs.txt" 2>"$W/broker.log" &
for _ in $(seq 100); do [ -s "$W/bs.txt" ] && break; sleep 0.1; done
BS=$(head -1 "$W/bs.txt")
"$WEIR" generate --bootstrap "$BS" --events 2000 >/dev/null
mkdir "$W/pipelines"; cp pipelines/clicks-per-user.yaml "$W/pipelines/"
WEIR_KAFKA_BOOTSTRAP_SERVERS="$BS" WEIR_INSTANCE_ID=schemathesis WEIR_SAVEPOINTS_DIR="$W/savepoints" "$WEIR" serve --pipelines "$W/pipelines" --port 0 \
  --log-level warning > "$W/serve.out" 2>"$W/serve.err" &
for _ in $(seq 300); do grep -q "REST API at" "$W/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$W/serve.out" | head -1)
[ -n "$URL" ] || { echo "weir serve did not start"; cat "$W/serve.err"; exit 1; }
# Readiness first: /readyz answers 503 while the job joins its group (by design).
for _ in $(seq 300); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.1; done
echo "schemathesis against $URL/openapi.json ($N examples per operation)"
schemathesis run "$URL/openapi.json" --base-url "$URL" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --hypothesis-max-examples "$N" --hypothesis-derandomize --workers 2 --no-color
