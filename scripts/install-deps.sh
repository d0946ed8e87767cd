#!/usr/bin/env bash
# Installs the Debian packages Weir builds on (librdkafka, avro-c, yajl), if missing.
set -euo pipefail
need=()
for pkg in librdkafka-dev libavro-dev libyajl-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: install Swift 6 (https://swift.org/install)" >&2; exit 1; }
