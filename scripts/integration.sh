#!/usr/bin/env bash
# The integration suite against a real Kafka (tests/integration/): builds the
# weir image, starts docker-compose.yml (Kafka in KRaft mode, Confluent's schema
# registry, weir serve, Prometheus, Grafana) under the project name weir-it,
# runs tests/integration/run-all.sh against it, and tears the stack down.
#
#   scripts/integration.sh [--quick]
#
# Needs: a Docker engine with Compose v2 (`docker compose`; `up --wait`), ports
# 8081, 8085, 9090, 9094 and 3000 free, python3 with confluent-kafka and
# fastavro (scripts/install-deps.sh), and a weir binary on the host for
# generate/consume and the kill -9 tests ($WEIR, default .build/debug/weir).
# KEEP_STACK=1 leaves the stack running afterwards; KAFKA_VERSION and
# CONFLUENT_VERSION choose the images' versions (docker-compose.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "integration: error: $*" >&2; exit 1; }

command -v docker >/dev/null || die "docker not found: the integration suite needs a Docker engine with Compose v2"
docker info >/dev/null 2>&1 || die "no Docker engine reachable ('docker info' failed): start one, or run where one runs"
docker compose version >/dev/null 2>&1 || die "Docker Compose v2 ('docker compose') not found (docker-compose v1 has no 'up --wait')"
WEIR="${WEIR:-.build/debug/weir}"
[ -x "$WEIR" ] || die "no weir binary at $WEIR (swift build, or set WEIR)"
python3 -c 'import confluent_kafka, fastavro, yaml' 2>/dev/null \
  || die "python3 needs confluent-kafka, fastavro and PyYAML (scripts/install-deps.sh)"

PROJECT=weir-it
COMPOSE="docker compose -p $PROJECT -f docker-compose.yml"
teardown() {
  local rc=$?
  if [ -n "${KEEP_STACK:-}" ]; then
    echo "integration: the stack keeps running ($COMPOSE down -v to remove it)"
  else
    echo "integration: tearing the stack down"
    $COMPOSE logs --no-color --tail 50 weir > /tmp/weir-it-weir.log 2>&1 || true
    $COMPOSE down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  exit $rc
}
trap teardown EXIT

T0=$SECONDS
echo "integration: building the image (docker compose build weir)"
$COMPOSE build weir
echo "integration: starting kafka, schema-registry, weir, prometheus, grafana"
$COMPOSE up -d --wait --wait-timeout 300 kafka schema-registry weir prometheus grafana \
  || { $COMPOSE ps; $COMPOSE logs --no-color --tail 40; die "the stack did not become healthy"; }
echo "integration: stack up after $((SECONDS - T0)) s"

export COMPOSE WEIR IMAGE=weir:latest BOOTSTRAP=localhost:9094 REGISTRY=http://localhost:8085 NETWORK="${PROJECT}_default"
rc=0
tests/integration/run-all.sh "$@" || rc=$?
echo "integration: $((SECONDS - T0)) s in all"
exit $rc
