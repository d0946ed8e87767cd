#!/usr/bin/env bash
# Multi-instance chaos (issues 9 and 12): three `weir run` instances of one
# group on the embedded broker while input flows; every 2-6 s one running
# instance, chosen at random, is killed with SIGKILL, and then the number
# running is set to a target that takes the values 1, 2 and 3 in a random
# order every three rounds: down instances chosen at random restart, or
# running ones are stopped with SIGTERM. ROUNDS rounds (so ROUNDS SIGKILLs);
# the second half of the input is written at a rate that lasts about as long
# as the rounds. Then every instance is killed and one drains the rest. Every
# window must be exact (identical re-emits allowed on the embedded broker)
# and no record late.
#   tests/scaleout/chaos.sh [EVENTS] [ROUNDS] [CHECKPOINT_MS] [SEED]
source "$(dirname "$0")/lib.sh"
EVENTS="${1:-200000}"; ROUNDS="${2:-20}"; CP="${3:-1000}"; SEED="${4:-$RANDOM}"
RANDOM=$SEED
start_broker
generate $((EVENTS / 2))
STREAMED=$((EVENTS - EVENTS / 2))
RATE=$(( STREAMED / (ROUNDS * 5) > 500 ? STREAMED / (ROUNDS * 5) : 500 ))   # a round: 4 s on average, and the stops
generate "$STREAMED" --rate "$RATE" &
GENPID=$!
pipeline 1
NAMES=(a b c)
echo "chaos: $EVENTS events ($STREAMED of them at $RATE/s), $ROUNDS rounds, checkpoint ${CP} ms, seed $SEED ($BS)"
for n in "${NAMES[@]}"; do start "$n" --checkpoint-interval "$CP"; done
up() { UP=(); DOWN=(); for n in "${NAMES[@]}"; do if running "$n"; then UP+=("$n"); else DOWN+=("$n"); fi; done; }
PERMS=("1 2 3" "1 3 2" "2 1 3" "2 3 1" "3 1 2" "3 2 1")
kills=0; terms=0; restarts=0; declare -A COUNTS=([1]=0 [2]=0 [3]=0)
for round in $(seq "$ROUNDS"); do
  sleep "$(awk -v r="$RANDOM" 'BEGIN{printf "%.2f", 2 + (r % 4000) / 1000}')"
  (( (round - 1) % 3 )) || read -ra TARGETS <<< "${PERMS[$((RANDOM % 6))]}"
  target="${TARGETS[$(( (round - 1) % 3 ))]}"
  up; stop "${UP[$((RANDOM % ${#UP[@]}))]}" KILL; kills=$((kills + 1)); s=K
  up; while [ "${#UP[@]}" -gt "$target" ]; do stop "${UP[$((RANDOM % ${#UP[@]}))]}" TERM; terms=$((terms + 1)); s+=T; up; done
  while [ "${#UP[@]}" -lt "$target" ]; do start "${DOWN[$((RANDOM % ${#DOWN[@]}))]}" --checkpoint-interval "$CP"; restarts=$((restarts + 1)); up; done
  COUNTS[${#UP[@]}]=$(( ${COUNTS[${#UP[@]}]} + 1 ))
  printf '%s%s ' "$s" "${#UP[@]}"
done
echo
echo "stopped $kills with SIGKILL and $terms with SIGTERM, $restarts restarts; rounds ending with 1/2/3 running: ${COUNTS[1]}/${COUNTS[2]}/${COUNTS[3]}"
kill -0 "$GENPID" 2>/dev/null && echo "input still flowing at the last round" || echo "warning: the input stream ended before the last round"
wait "$GENPID"
drain --checkpoint-interval "$CP"
check
