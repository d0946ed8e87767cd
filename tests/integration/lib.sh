# Shared by the integration tests (sourced): a real Kafka, Confluent's schema
# registry and the weir image, as scripts/integration.sh starts them from
# docker-compose.yml. Each test uses its own topics, consumer groups and jobs
# topic (names with a fresh id), so tests never see each other's records.
#
# Environment (scripts/integration.sh sets it):
#   COMPOSE    the compose command for the stack ("docker compose -p weir-it -f docker-compose.yml")
#   BOOTSTRAP  Kafka as seen from the host (localhost:9094)
#   REGISTRY   the schema registry as seen from the host (http://localhost:8085)
#   NETWORK    the stack's Docker network (weir-it_default), for extra weir containers
#   IMAGE      the weir image (weir:latest)
#   WEIR       a weir binary on the host for generate, consume and the crash tests (.build/debug/weir)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${COMPOSE:?run through scripts/integration.sh (COMPOSE is not set)}"
BOOTSTRAP="${BOOTSTRAP:-localhost:9094}"
REGISTRY="${REGISTRY:-http://localhost:8085}"
NETWORK="${NETWORK:-weir-it_default}"
IMAGE="${IMAGE:-weir:latest}"
WEIR="${WEIR:-.build/debug/weir}"
ID="$(date +%s)$((RANDOM % 1000))"
W="$(mktemp -d)"
CONTAINERS=()
trap 'for c in "${CONTAINERS[@]:-}"; do [ -n "$c" ] && docker rm -f "$c" >/dev/null 2>&1 || true; done;
      kill -9 $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true;
      [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"' EXIT

fail() { echo "FAIL: $*"; exit 1; }

# kafka_topics ARGS...: Kafka's own kafka-topics.sh inside the broker's container.
kafka_topics() { $COMPOSE exec -T kafka /opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka:9092 "$@"; }

# create_topics PARTITIONS NAME...: creates the topics (one replica: one broker).
create_topics() {
  local p="$1"; shift
  for t in "$@"; do
    kafka_topics --create --if-not-exists --topic "$t" --partitions "$p" --replication-factor 1 >/dev/null \
      || fail "could not create topic $t"
  done
}

# it_pipeline SOURCE NAME [repartition|keyed] [PARALLELISM] [FORMAT_IN] [FORMAT_OUT]:
# $W/NAME.yaml, the SOURCE pipeline renamed NAME, reading NAME-in and writing
# NAME-out (dead letters NAME-dlq, late data NAME-late). `repartition` drops the
# source's keyedBy, so keyBy goes through the internal repartition topic.
it_pipeline() {
  local src="$1" name="$2" mode="${3:-keyed}" par="${4:-2}" fin="${5:-}" fout="${6:-}"
  python3 - "$src" "$name" "$mode" "$par" "$fin" "$fout" "$W/$name.yaml" <<'PY'
import sys, yaml
src, name, mode, par, fin, fout, out = sys.argv[1:]
p = yaml.safe_load(open(src))
p["name"] = name
p["source"]["kafka"]["topic"] = f"{name}-in"
if mode == "repartition":
    p["source"]["kafka"].pop("keyedBy", None)
p["sink"]["kafka"]["topic"] = f"{name}-out"
if "deadLetter" in p: p["deadLetter"] = {"topic": f"{name}-dlq"}
if "lateData" in p: p["lateData"] = {"topic": f"{name}-late"}
if fin: p["source"]["format"] = fin
if fout: p["sink"]["format"] = fout
p["parallelism"] = int(par)
yaml.safe_dump(p, open(out, "w"), sort_keys=False)
PY
  "$WEIR" validate "$W/$name.yaml" > "$W/$name.validate" 2>&1 || { cat "$W/$name.validate"; fail "the test pipeline $name is invalid"; }
  create_topics 16 "$name-in" "$name-out" "$name-dlq" "$name-late"
}

# consume TOPIC: its committed records (read_committed) as key<TAB>value lines.
consume() { "$WEIR" consume --bootstrap "$BOOTSTRAP" --topic "$1" --idle-ms 5000; }

# check_exact EVENTS.jsonl OUT.tsv LATE_TOPIC: every window exact, none twice
# (--strict: a real Kafka hides aborted transactions from read_committed), none late.
check_exact() {
  local late ok=0
  python3 tests/crash/check_windows.py --strict "$1" "$2" || ok=1
  late=$(consume "$3" | grep -c . || true)
  echo "late records: $late"
  [ "$late" -eq 0 ] || ok=1
  return $ok
}

# http_code URL: the status code of a GET (000 when nothing answers).
http_code() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$1" || true; }

# wait_http URL CODE SECONDS
wait_http() {
  local c=""
  for _ in $(seq $(( $3 * 2 ))); do c=$(http_code "$1"); [ "$c" = "$2" ] && return 0; sleep 0.5; done
  echo "$1 answered ${c:-nothing}, not $2, within $3 s"; return 1
}

# records_in URL: the sum of weir_records_in_total on one weir serve.
records_in() { curl -s -m 5 "$1/metrics" | awk '/^weir_records_in_total\{/ {s += $2} END {printf "%d", s}'; }
