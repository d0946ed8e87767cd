#!/usr/bin/env bash
# Installs the Debian packages Weir builds on (librdkafka, avro-c, yajl, zstd, snappy) and the
# browser the UI tests drive (chromium), if missing.
set -euo pipefail
need=()
for pkg in librdkafka-dev libavro-dev libyajl-dev libzstd-dev libsnappy-dev pkg-config openssl curl chromium python3-venv; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# javac for the CEP oracle (Flink's own NFA, compiled against the apache-flink wheel's jars).
command -v javac >/dev/null || need+=(default-jdk-headless)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6 (https://swift.org/install)" >&2; exit 1; }
# Python packages for the interop tests (Confluent's own client and serializers) and the
# Parquet readers of tests/parquet (pyarrow, DuckDB, fastparquet), pinned.
PY_PKGS=("confluent-kafka==2.3.0" "fastavro==1.9.7" "requests==2.32.3" "jsonschema==4.26.0" "prometheus-client==0.21.1"
         "schemathesis==3.39.16" "pytest==8.4.2" "playwright==1.65.3"
         "pyarrow==26.0.1" "duckdb==2.0.0" "fastparquet==2026.9.0" "pandas==3.1.1" "pytz==2026.6")
if ! python3 - "${PY_PKGS[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    if version(name) != want:
        sys.exit(1)
PY
then
  python3 -m pip install -q "${PY_PKGS[@]}"
fi
# Flink's own CEP library for the CEP oracle (Tests/WeirEngineTests/CEP/FlinkOracleTests.swift):
# the apache-flink wheel carries flink-cep's jars; a venv of its own (~850 MB) keeps its
# pinned dependencies away from the packages above.
FLINK_VENV=${FLINK_VENV:-/tmp/flinkenv}
# A failed install does not stop the other tests: FlinkOracleTests then fails, saying why.
if ! "$FLINK_VENV/bin/python" -c 'import pyflink' >/dev/null 2>&1; then
  { python3 -m venv "$FLINK_VENV" && "$FLINK_VENV/bin/pip" install -q "apache-flink==2.3.0"; } \
    || echo "install-deps: apache-flink could not be installed into $FLINK_VENV; the CEP oracle test will fail" >&2
fi
