#!/usr/bin/env bash
# All tests: unit tests and the end-to-end tests on the embedded broker.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
