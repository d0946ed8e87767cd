#!/usr/bin/env bash
# The compose stack as `docker compose up` gives it: the image's HEALTHCHECK
# reports healthy, weir serve runs the example job (pipelines/clicks-per-user.yaml)
# on the real Kafka and writes windows to output-topic, the compose `init`
# service's command works, Prometheus scrapes weir (with the pipeline's `job`
# label kept), Grafana has the datasource and Weir's dashboard, and the web UI is
# served.
source "$(dirname "$0")/lib.sh"
UI=http://localhost:8081
cid=$($COMPOSE ps -q weir)
[ -n "$cid" ] || fail "the weir service is not running"
health=""
for _ in $(seq 90); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$cid" 2>/dev/null || true)
  [ "$health" = healthy ] && break; sleep 1
done
[ "$health" = healthy ] || fail "the weir container's HEALTHCHECK says '$health'"
echo "weir container: healthy (the Dockerfile's HEALTHCHECK)"
wait_http "$UI/readyz" 200 60 || fail "/readyz"
echo "versions: $(curl -s "$UI/overview" | python3 -c 'import json,sys; o=json.load(sys.stdin); print({k: v for k, v in o.items() if "version" in k.lower()})')"
echo "kafka: $($COMPOSE exec -T kafka /opt/kafka/bin/kafka-topics.sh --version 2>/dev/null | head -1)"
curl -s "$UI/" | grep -qi '<html' || fail "the web UI is not served at /"

# 40,000 events = 2 minutes of event time: the first minute's windows fire.
before=$(records_in "$UI")
$COMPOSE run --rm -T init generate --bootstrap kafka:9092 --topic input-topic --events 40000 >/dev/null \
  || fail "the init service could not write events"
for _ in $(seq 120); do r=$(records_in "$UI"); [ "$r" -ge $((before + 40000)) ] && break; sleep 1; done
[ "$r" -ge $((before + 40000)) ] || fail "the example job read $((r - before)) of 40000 events"
rows=$(consume output-topic | grep -c . || true)
[ "$rows" -gt 0 ] || fail "no window in output-topic"
echo "example job: read $((r - before)) events, output-topic has $rows windows"

PROM=http://localhost:9090
for _ in $(seq 60); do
  up=$(curl -s "$PROM/api/v1/query" --data-urlencode 'query=up{job="weir"}' | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
  jobs=$(curl -s "$PROM/api/v1/query" --data-urlencode 'query=weir_job_running' | python3 -c 'import json,sys; print(" ".join(sorted(x["metric"].get("job","") for x in json.load(sys.stdin)["data"]["result"])))' 2>/dev/null || true)
  [ "$up" = 1 ] && [[ " $jobs " == *" clicks-per-user "* ]] && break; sleep 2
done
[ "$up" = 1 ] || fail "Prometheus does not scrape weir (up{job=\"weir\"} = '$up')"
[[ " $jobs " == *" clicks-per-user "* ]] || fail "weir_job_running has job labels '$jobs', not the pipeline's name (honor_labels)"
echo "prometheus: weir scraped, weir_job_running{job=\"clicks-per-user\"} present"

GRAFANA=http://localhost:3000
wait_http "$GRAFANA/api/health" 200 60 || fail "Grafana is not up"
code=$(curl -s -o /dev/null -w '%{http_code}' -u admin:admin "$GRAFANA/api/datasources/uid/prometheus")
[ "$code" = 200 ] || fail "Grafana has no provisioned Prometheus datasource (HTTP $code)"
title=$(curl -s -u admin:admin "$GRAFANA/api/dashboards/uid/weir-overview" | python3 -c 'import json,sys; print(json.load(sys.stdin)["dashboard"]["title"])' 2>/dev/null || true)
[ "$title" = Weir ] || fail "Grafana has no Weir dashboard (uid weir-overview)"
echo "grafana: datasource and dashboard '$title' provisioned"
