#!/usr/bin/env bash
# Issue 11, case 3: a member frames an innocent origin.  The hostile member
# (seen-probe with the police node's keys) takes the health node's genuine
# new checkpoint (read from its store) and sends social care, before any
# honest peer delivers the entries, ENTRIES of leaves that the health node
# never signed with that checkpoint.  Social care refuses them and counts
# them against the sender (bad_leaves), raises no alert against the
# health node, counts nothing inconsistent, and still receives the health
# node's real entries once honest peers are back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PROBE=$SEEN_BIN/seen-probe

# wait_rise NODE COUNTER BEFORE: true once the counter exceeds BEFORE (10 s).
wait_rise() {
  local i v
  for i in $(seq 1 40); do
    v=$(refused "$1" "$2")
    [ -n "$v" ] && [ "$v" -gt "$3" ] && return 0
    sleep 0.25
  done
  return 1
}
no_equivocation_alert() {
  "$SEEN" --home "$LAB/$1" --as lead alerts --json >"$T_DIR/alerts" 2>&1 &&
    ! grep -q '"rule":"feed_equivocation"' "$T_DIR/alerts"
}

check "seen-probe is built" test -x "$PROBE"
lab_converged 40
held=$(feed $SC $HEA)
check "social care holds the health feed ($held)" test -n "$held" -a "${held:-0}" -gt 0

# The health node signs a new checkpoint while social care is away.
expect_status 0 "stop $SC (the victim)" "$SEEN" --home "$LAB/$SC" node stop
expect_status 0 "seen-synth: more records" "$SEEN_BIN/seen-synth" \
  --manifest "$MANIFEST" --out "$T_DIR/more" --households 20 --seed 23
prefixed MORE "$T_DIR/more/$HEA.jsonl" "$T_DIR/more-hea.jsonl"
expect_status 0 "import more at $HEA" "$SEEN" --home "$LAB/$HEA" import --quiet "$T_DIR/more-hea.jsonl"
new=$(feed $HEA $HEA)
check "the health feed grew ($held -> $new)" test "${new:-0}" -gt "$held"
# No honest peer to deliver it: only the hostile member talks to the victim.
expect_status 0 "stop $HEA" "$SEEN" --home "$LAB/$HEA" node stop
expect_status 0 "stop $POL" "$SEEN" --home "$LAB/$POL" node stop
expect_status 0 "start $SC" "$SEEN" --home "$LAB/$SC" node start

TEP=$(lab_endpoint $SC)
TCURVE=$(id_key "$LAB/$SC" curve_pk)
TSIGN=$(id_key "$LAB/$SC" sign_pk)
b0=$(refused $SC bad_leaves)
i0=$(refused $SC inconsistent)
expect_status 0 "probe (as $POL): forged leaves with $HEA's genuine checkpoint" \
  "$PROBE" --to "$TEP" --to-curve "$TCURVE" --to-sign "$TSIGN" --home "$LAB/$POL" \
  --cp-from "$LAB/$HEA" --from "$held" frame
check "...counted as bad_leaves" wait_rise $SC bad_leaves "${b0:-0}"
check "...against the sender ($POL)" test "$(peer_count $SC $POL bad_leaves)" -ge 1
equal "$(refused $SC inconsistent)" "${i0:-0}" "...nothing counted inconsistent"
check "...no feed_equivocation alert names $HEA" no_equivocation_alert $SC
equal "$(feed $SC $HEA)" "$held" "...the forged leaves were not kept"
check "...and the victim still answers" alive $SC

# Honest peers back: the health node's real entries arrive.
expect_status 0 "start $HEA" "$SEEN" --home "$LAB/$HEA" node start
expect_status 0 "start $POL" "$SEEN" --home "$LAB/$POL" node start
expect_status 0 "lab wait: converged again" "$SEEN" lab wait "$LAB" --timeout 120
equal "$(feed $SC $HEA)" "$new" "social care holds the health feed's real entries"
check "...still no feed_equivocation alert" no_equivocation_alert $SC
equal "$(refused $SC inconsistent)" "${i0:-0}" "...and nothing inconsistent"

expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
