#!/usr/bin/env bash
# Issue 11, case 4: a member tries to fill a node's store through what it
# asks of it.  A flood of GET_RANGE (each answer an ENTRIES, content the
# exchange log keeps), one HEADS of thousands of bad heads, and a flood of
# HELLOs naming an old membership version (each would draw the document):
# the target answers within the member's budget of replies and counts the
# rest (over_budget, repeated_request, bad_heads), its store grows by a
# bounded amount, it raises no alert, and it still replicates with its
# honest peers meanwhile.  SEEN_ATTACK_LONG=1 floods ten times longer.
# Figures (peak memory, store growth, honest replication during the flood)
# are printed as "# figure" lines, not asserted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PROBE=$SEEN_BIN/seen-probe
N=3000
[ "${SEEN_ATTACK_LONG:-0}" = 1 ] && N=30000
# The most the store may grow through one flood: the burst of replies a
# peer may be owed (8 MiB), what its budget refills meanwhile, and LMDB's
# pages around them; far below what the flood asks for (N answers).
BOUND=$((24 << 20))

used() { st "$1" | grep -o '"used_bytes":[0-9]*' | head -1 | cut -d: -f2; }
hwm() { grep VmHWM "/proc/$(cat "$LAB/$1/seen-node.pid")/status" | awk '{print $2 " kB"}'; }
no_alert() {
  "$SEEN" --home "$LAB/$1" --as lead alerts --json >"$T_DIR/alerts" 2>&1 &&
    ! grep -q '"rule":"\(feed_equivocation\|xlog_[a-z_]*\)"' "$T_DIR/alerts"
}
# settled NODE: wait until the node's store stops growing (its queued
# requests served), 30 s at most.
settled() {
  local i a b
  a=$(used "$1")
  for i in $(seq 1 30); do
    sleep 1
    b=$(used "$1")
    [ "$a" = "$b" ] && return 0
    a=$b
  done
}

check "seen-probe is built" test -x "$PROBE"
lab_converged 300
expect_status 0 "seen-synth: records to import during the floods" "$SEEN_BIN/seen-synth" \
  --manifest "$MANIFEST" --out "$T_DIR/more" --households 60 --seed 23

TGT=$SC
TEP=$(lab_endpoint $TGT)
TCURVE=$(id_key "$LAB/$TGT" curve_pk)
TSIGN=$(id_key "$LAB/$TGT" sign_pk)
probe() { "$PROBE" --to "$TEP" --to-curve "$TCURVE" --to-sign "$TSIGN" --home "$LAB/$POL" --timeout 20000 "$@"; }

# total NODE A|B...: the sum of the refused counters named.
total() {
  local c t=0
  for c in ${2//|/ }; do t=$((t + $(refused "$1" "$c"))); done
  echo $t
}
# flood NAME ACTION COUNTER...: the probe floods as ACTION while the health
# node imports; the target's store stays within BOUND, each COUNTER (or
# one of A|B) rises, and the health node's new entries reach the target.
# A long flood may also use up the sender's share of the replay cache
# (replay_cache_full): then the rest of its envelopes are refused.
round=0
flood() {
  local name=$1 action=$2 u0 u1 t0 t1 c before; shift 2
  round=$((round + 1))
  declare -A b
  for c in "$@"; do b[$c]=$(total $TGT "$c"); done
  u0=$(used $TGT)
  prefixed "R$round" "$T_DIR/more/$HEA.jsonl" "$T_DIR/more-$round.jsonl"
  probe --count "$N" "$action" >"$T_DIR/probe.out" 2>"$T_DIR/probe.err" &
  local pp=$!
  t0=$(date +%s.%N)
  expect_status 0 "$name: import at $HEA during the flood" \
    "$SEEN" --home "$LAB/$HEA" import --quiet "$T_DIR/more-$round.jsonl"
  check "...$TGT receives it meanwhile" \
    "$SEEN" lab wait "$LAB" --timeout 120
  t1=$(date +%s.%N)
  wait $pp
  check "$name: the probe sent its $N frames" grep -q "\"sent\":$N" "$T_DIR/probe.out"
  settled $TGT
  u1=$(used $TGT)
  echo "# figure $name: store used $u0 -> $u1 bytes (+$(( (u1 - u0) >> 10 )) KiB), peak RSS $(hwm $TGT), import at $HEA reached $TGT in $(echo "$t1 - $t0" | bc) s"
  check "...the target's store grew by less than $((BOUND >> 20)) MiB ($(( (u1 - u0) >> 10 )) KiB)" \
    test $((u1 - u0)) -lt "$BOUND"
  for c in "$@"; do
    check "...counted as $c (${b[$c]:-0} -> $(total $TGT "$c"))" \
      test "$(total $TGT "$c")" -gt "${b[$c]:-0}"
  done
  check "...the target still answers" alive $TGT
  check "...and raised no alert" no_alert $TGT
}

flood "range flood" range-flood over_budget
check "...against the sender" test "$(peer_count $TGT $POL over_budget)" -gt 0
flood "hello flood" hello-flood "repeated_request|over_budget|replay_cache_full"

# One HEADS of 5000 bad heads: refused whole.
b0=$(total $TGT "bad_heads|replay_cache_full")
expect_status 0 "big HEADS: the probe sends 5000 heads" probe big-heads
for i in $(seq 1 40); do [ "$(total $TGT "bad_heads|replay_cache_full")" -gt "$b0" ] && break; sleep 0.25; done
check "...counted as bad_heads" test "$(total $TGT "bad_heads|replay_cache_full")" -gt "$b0"
check "...the target still answers" alive $TGT
prefixed HEADS "$T_DIR/more/$POL.jsonl" "$T_DIR/more-heads.jsonl"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import --quiet "$T_DIR/more-heads.jsonl"
expect_status 0 "lab wait: still replicating" "$SEEN" lab wait "$LAB" --timeout 120

expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
