#!/usr/bin/env bash
# Partitions handed over between live instances (issue 9's deterministic
# reproduction): two instances `a` and `b` of one group start together on
# EVENTS events already in the topic; 0.3 s after `b` processes its first
# record it is stopped gracefully (SIGTERM), so `a`, far ahead in its own
# partitions, takes over `b`'s partitions at their early checkpoints. Every
# window must still be exact and no record late.
#   tests/scaleout/handover.sh [EVENTS] [SIGNAL]
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-350000}"; SIG="${2:-TERM}"
start_broker
generate "$EVENTS"
pipeline 1
echo "handover: $EVENTS events, b stopped with SIG$SIG 0.3 s after its first record ($BS)"
LOG_LEVEL=info start a --checkpoint-interval 500
LOG_LEVEL=info start b --checkpoint-interval 500
wait_log b "first record processed" 60
sleep 0.3
stop b "$SIG"
# a takes over b's partitions (a rebalance: ~3 s on the embedded broker) and reads on
sleep "${HANDOVER_SECONDS:-12}"
drain
check
