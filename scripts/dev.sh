#!/usr/bin/env bash
# Set up and run: install the Debian packages, build, and run the example
# pipeline on the embedded broker with generated events.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product weir
PIPELINE="${1:-pipelines/clicks-per-user.yaml}"
EVENTS="${2:-10000}"
exec .build/release/weir dev "$PIPELINE" --generate "$EVENTS"
