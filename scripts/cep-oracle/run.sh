#!/usr/bin/env bash
# Compares Weir's CEP engine with Flink's own NFA on random patterns and inputs
# (Tests/WeirEngineTests/CEP/FlinkOracleTests.swift, FlinkCepOracle.java here).
# Installs apache-flink (its wheel carries flink-cep) into a venv once.
#   FLINK_VENV  venv (default $TMPDIR/flinkenv or /tmp/flinkenv; created if missing)
#   FLINK_PKG   pip spec (default apache-flink==2.3.0)
#   CASES, SEED number of random cases (default 20000) and the seed (default 14)
set -euo pipefail
cd "$(dirname "$0")/../.."
FLINK_VENV=${FLINK_VENV:-${TMPDIR:-/tmp}/flinkenv}
FLINK_PKG=${FLINK_PKG:-apache-flink==2.3.0}
command -v java >/dev/null || { echo "java not found (Java 17 is needed)"; exit 1; }
if ! "$FLINK_VENV/bin/python" -c 'import pyflink' 2>/dev/null; then
  python3 -m venv "$FLINK_VENV"
  "$FLINK_VENV/bin/pip" install -q "$FLINK_PKG"
fi
export FLINK_VENV
export WEIR_CEP_ORACLE_CASES=${CASES:-20000} WEIR_CEP_ORACLE_SEED=${SEED:-14}
swift test --filter FlinkOracleTests 2>&1 | grep -E "error|FlinkOracleTests:|Executed .* tests" 
