#!/usr/bin/env bash
# Custodians with real daemons (issue 16; docs/protocol.md, "OPRF
# epochs" and "Custodians"): four nodes, three of them custodians of an
# OPRF key split 2 of 3.  `seen custodians check` from the node that is
# no custodian gives the same output through any two custodians (one
# stopped: still; two stopped: a clear error); a restarted custodian
# keeps today's counts; with a small custodian_operator_limit repeated
# checks are refused, the custodians' and the asker's `seen alerts` show
# it, and a custodian's audit export verifies and holds the OPRF leaves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

A=cust-a B=cust-b C=cust-c ASK=asker
cat >"$T_DIR/four.json" <<'EOF'
{"federation": "Custodians test", "nodes": [
 {"name": "cust-a", "agency": "A", "type": "police", "local_authority": "Reading"},
 {"name": "cust-b", "agency": "B", "type": "social_care", "local_authority": "Reading"},
 {"name": "cust-c", "agency": "C", "type": "health", "local_authority": "Reading"},
 {"name": "asker", "agency": "D", "type": "school", "local_authority": "Reading"}
]}
EOF
# cust NODE KEY: a value of the custodian object of NODE's status.
cust() { st "$1" | grep -o '"custodian":{[^}]*}' | grep -o "\"$2\":[0-9a-z]*" | cut -d: -f2; }
check_json() { "$SEEN" --home "$LAB/$ASK" --as admin custodians check --json; }
output_of() { grep -o '"output":"[0-9a-f]*"' "$T_DIR/out" | cut -d'"' -f4; }

expect_status 0 "lab up (four nodes)" "$SEEN" lab up "$LAB" "$T_DIR/four.json" --ports 20000-40000
for n in $A $B $C $ASK; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase

# Small limits at the custodians, a short wait at the asker.
for n in $A $B $C $ASK; do "$SEEN" --home "$LAB/$n" node stop >/dev/null; done
for n in $A $B $C; do
  sed -i 's/^\[federation\]/[federation]\ncustodian_operator_limit = 6/' "$LAB/$n/seen.conf"
done
sed -i 's/^\[federation\]/[federation]\ncustodian_timeout = 3/' "$LAB/$ASK/seen.conf"
for n in $A $B $C $ASK; do
  expect_status 0 "$n starts" "$SEEN" --home "$LAB/$n" node start
  "$SEEN" --home "$LAB/$n" --as admin operator add lead1 --role lead >/dev/null
done

expect_status 1 "check before an OPRF epoch is refused" check_json
grep_out "not an OPRF epoch" "...saying there are no custodians"

# --- the dealing ---------------------------------------------------------------
expect_status 2 "custodians without --threshold is bad usage" \
  "$SEEN" federation custodians "$LAB/authority" $A $B
expect_status 1 "a threshold over the custodians is refused" \
  "$SEEN" federation custodians "$LAB/authority" --threshold 3 $A $B
expect_status 1 "a custodian that is no member is refused" \
  "$SEEN" federation custodians "$LAB/authority" --threshold 1 nobody
expect_status 0 "federation custodians 2 of 3" \
  "$SEEN" federation custodians "$LAB/authority" --threshold 2 $A $B $C
grep_out "OPRF epoch 2: a key split 2 of 3" "...a new OPRF epoch"
expect_status 1 "state.json holds no key in clear" grep -qi '"match_key\|"share"' "$LAB/authority/state.json"
expect_status 0 "federation sign" "$SEEN" federation sign "$LAB/authority"
grep_out "OPRF epoch 2" "...signs the OPRF epoch"
expect_status 0 "federation show lists the custodians" \
  "$SEEN" federation show "$LAB/authority/membership.pb" --authority "$(cat "$LAB/authority/authority.pub")"
grep_out "OPRF epoch: 2 \(2 of 3 custodians\)" "...with the threshold"
for n in $A $B $C $ASK; do
  "$SEEN" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" >/dev/null 2>&1 || true
done
for n in $A $B $C; do
  for _ in $(seq 1 100); do [ "$(cust "$n" serving)" = true ] && break; sleep 0.1; done
  equal "$(cust "$n" serving)" true "$n serves as a custodian"
done
equal "$(cust $ASK serving)" false "$ASK is no custodian"

# --- the same output through any two -------------------------------------------
expect_status 0 "check with every custodian up" check_json
X=$(output_of)
grep_out '"answered":true,"status":"ok".*"answered":true,"status":"ok".*"answered":true,"status":"ok"' \
  "...all three answered"
expect_status 0 "$A stops" "$SEEN" --home "$LAB/$A" node stop
expect_status 0 "check with $A stopped" check_json
equal "$(output_of)" "$X" "...the same output through $B and $C"
grep_out '"name":"cust-a","index":1,[^}]*"answered":false' "...$A did not answer"
BTODAY=$(cust $B today)
BREQ=$(( $(cust $B served) + $(cust $B refused) )) # before its restart
check "...$B counted today's evaluations" test "${BTODAY:-0}" -gt 0
expect_status 0 "$B stops" "$SEEN" --home "$LAB/$B" node stop
expect_status 1 "check with two of three stopped fails" check_json
grep_out "fewer than the threshold of custodians answered" "...saying fewer than t answered"
expect_status 0 "$A starts again" "$SEEN" --home "$LAB/$A" node start
expect_status 0 "$B starts again" "$SEEN" --home "$LAB/$B" node start
equal "$(cust $B today)" "$BTODAY" "$B restarted keeps today's count"
expect_status 0 "check with every custodian back" check_json
equal "$(output_of)" "$X" "...the same output again"

# --- the limits ------------------------------------------------------------------
refused=0
for _ in 1 2 3 4 5 6; do
  if ! check_json >"$T_DIR/out" 2>"$T_DIR/err"; then refused=1; break; fi
done
equal "$refused" 1 "repeated checks are refused over the operator limit"
grep_out "refused this node over their limits" "...saying so"
grep_out '"status":"refused_limit"' "...with the custodians' refusal"
# fold_wait NODE: true once NODE's journal is folded into its log.
fold_wait() {
  for _ in $(seq 1 100); do [ "$(cust "$1" journal_pending)" = 0 ] && return 0; sleep 0.1; done
  return 1
}
expect_status 0 "$ASK alerts" "$SEEN" --home "$LAB/$ASK" --as lead1 alerts --json
grep_out '"rule":"custodian_refused"' "...the asker's alert"
expect_status 1 "a second check is refused too" check_json
got=0
for n in $A $B $C; do
  check "$n folds its journal" fold_wait "$n"
  "$SEEN" --home "$LAB/$n" --as lead1 alerts --json >"$T_DIR/out" 2>/dev/null
  c=$(grep -c '"rule":"custodian_limit_exceeded"' "$T_DIR/out" || true)
  [ "$c" -ge 1 ] && got=$((got + 1))
  [ "$c" -le 1 ] || not_ok "$n raised the limit alert more than once today"
done
check "custodians that refused raised custodian_limit_exceeded once" test "$got" -ge 1

# --- the exchange log --------------------------------------------------------------
expect_status 0 "audit export at $B" "$SEEN" --home "$LAB/$B" --as auditor audit export "$T_DIR/xb"
expect_status 0 "...and the export verifies" "$SEEN" audit verify "$T_DIR/xb"
SERVED=$(cust $B served); REFUSED=$(cust $B refused)
grep_out "OPRF requests $((BREQ + SERVED + REFUSED));" \
  "...holding one OPRF leaf for each request $B answered, before and after its restart"
check "$B's status counts served and refused requests" test "$((SERVED + REFUSED))" -gt 0
equal "$(cust $B journal_pending)" 0 "$B's journal is folded"
expect_status 0 "status --prometheus at $B" "$SEEN" --home "$LAB/$B" status --prometheus
grep_out "^seen_custodian_requests_served_total $SERVED$" "...counts the requests served"
grep_out "^seen_custodian_evaluations_today [1-9]" "...and today's evaluations"
t_end
