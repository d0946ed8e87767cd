#!/usr/bin/env bash
# Multi-instance chaos (issue 9): three `weir run` instances of one group on
# the embedded broker; every 2-6 s one running instance is killed (SIGKILL or
# SIGTERM at random) and each instance that is down restarts with probability
# 2/3 (at least one always runs), ROUNDS times, while part of the input is
# still being written; then every instance is killed and one drains the rest.
# Every window must be exact (identical re-emits allowed on the embedded
# broker) and no record late.
#   tests/scaleout/chaos.sh [EVENTS] [ROUNDS] [CHECKPOINT_MS] [SEED]
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-200000}"; ROUNDS="${2:-20}"; CP="${3:-1000}"; SEED="${4:-$RANDOM}"
RANDOM=$SEED
start_broker
generate $((EVENTS / 2))
generate $((EVENTS - EVENTS / 2)) --rate 4000 &
GENPID=$!
pipeline 1
NAMES=(a b c)
echo "chaos: $EVENTS events, $ROUNDS rounds, checkpoint ${CP} ms, seed $SEED ($BS)"
for n in "${NAMES[@]}"; do start "$n" --checkpoint-interval "$CP"; done
kills=0; terms=0
for round in $(seq "$ROUNDS"); do
  sleep "$(awk -v r="$RANDOM" 'BEGIN{printf "%.2f", 2 + (r % 4000) / 1000}')"
  up=(); for n in "${NAMES[@]}"; do running "$n" && up+=("$n"); done
  victim="${up[$((RANDOM % ${#up[@]}))]}"
  if (( RANDOM % 2 )); then stop "$victim" KILL; kills=$((kills + 1)); s=K; else stop "$victim" TERM; terms=$((terms + 1)); s=T; fi
  for n in "${NAMES[@]}"; do
    running "$n" || { (( RANDOM % 3 )) && start "$n" --checkpoint-interval "$CP"; } || true
  done
  up=(); for n in "${NAMES[@]}"; do running "$n" && up+=("$n"); done
  [ ${#up[@]} -gt 0 ] || { start "${NAMES[0]}" --checkpoint-interval "$CP"; up=("${NAMES[0]}"); }
  printf '%s%s' "$s" "${#up[@]}"
done
echo
echo "stopped $kills with SIGKILL and $terms with SIGTERM"
wait "$GENPID"
drain --checkpoint-interval "$CP"
check
