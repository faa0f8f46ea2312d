#!/usr/bin/env bash
# Tokens only the federation can make, with real daemons (issue 16, items
# 1 to 3; docs/protocol.md, "OPRF epochs"): a lab of four nodes whose
# manifest names three custodians of an OPRF key split 2 of 3.  Both a
# custodian and a node that is none import through the custodians, their
# entries match each other, a lead's query finds the child and is counted
# and logged at the custodians; a node's whole home and passphrase,
# copied, do not let anyone find the child offline (seen-guess, which
# finds her in a keyed lab: test_lookup_notice); and an online guessing
# run by one operator is stopped by the custodians' limits and shows in
# their alerts and exchange logs, and in the asker's alerts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

GUESS=$SEEN_BIN/seen-guess
PURPOSE="section 47 strategy discussion, OPRF test"
four_manifest "$T_DIR/four.json" "{\"threshold\": 2, \"nodes\": [\"$SC\", \"$POL\", \"$HEA\"]}"

# A manifest's custodians without a threshold: the lab says so and stops.
four_manifest "$T_DIR/bad.json" "{\"nodes\": [\"$SC\"]}"
expect_status 1 "lab up with custodians but no threshold is refused" \
  "$SEEN" lab up "$T_DIR/badlab" "$T_DIR/bad.json"
grep_err '"custodians": needs "threshold"' "...saying what is missing"
check "...and leaves no daemon running" sh -c "! pgrep -f '[s]een-node.*badlab' >/dev/null"

expect_status 0 "lab up (four nodes, three custodians)" "$SEEN" lab up "$LAB" "$T_DIR/four.json"
for n in $NODES $SCH; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
for n in $SC $POL $HEA; do
  for _ in $(seq 1 100); do [ "$(cust "$n" serving)" = true ] && break; sleep 0.1; done
  equal "$(cust "$n" serving)" true "$n serves as a custodian"
done
expect_status 0 "custodians check from $SCH" "$SEEN" --home "$LAB/$SCH" --as admin custodians check
# A new deal makes its tokens by the anchored encoding (match/anchored.h).
check "$SCH makes the epoch's tokens by the anchored encoding" \
  grep -q "tokens are made through the custodians (anchored encoding)" "$LAB/$SCH/seen-node.log"
expect_status 0 "$SCH's status" "$SEEN" --home "$LAB/$SCH" --as admin status --json
grep_out '"encoding": *"anchored"' "...says so"

# --- importing through the custodians ----------------------------------------------
expect_status 0 "import at $POL (a custodian)" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
prefixed SCH "$DATA/example.jsonl" "$T_DIR/sch.jsonl"
expect_status 0 "import at $SCH (no custodian)" "$SEEN" --home "$LAB/$SCH" import "$T_DIR/sch.jsonl"
check "...counted at a custodian" test "$(( $(cust $SC today) + $(cust $POL today) + $(cust $HEA today) ))" -gt 0
sum_today() { echo $(( $(cust $SC today) + $(cust $POL today) + $(cust $HEA today) )); }
before=$(sum_today)
expect_status 1 "an import with bad lines at $SCH stores nothing" \
  "$SEEN" --home "$LAB/$SCH" import "$DATA/broken.jsonl"
grep_err "broken.jsonl:2: date: " "...saying which line"
equal "$(sum_today)" "$before" "...and asks the custodians for nothing (the CLI checks every line first)"
expect_status 0 "the same file imported again at $SCH" "$SEEN" --home "$LAB/$SCH" import "$T_DIR/sch.jsonl"
grep_out ", 0 entries published, 0 retracted; [1-9][0-9]* unchanged, left as they were" \
  "...leaves its records as they stand"
equal "$(sum_today)" "$before" "...and asks the custodians for nothing"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
expect_status 0 "persons at $SC" "$SEEN" --home "$LAB/$SC" --as lead persons --json
check "a person of $POL's and $SCH's entries: the OPRF-made tokens match" \
  grep -q "\"node\":\"$POL\".*\"node\":\"$SCH\"\|\"node\":\"$SCH\".*\"node\":\"$POL\"" "$T_DIR/out"

# --- a lead's query ------------------------------------------------------------------
expect_status 0 "a lead at $SC queries the child" \
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --given Mia --family Ward --dob 2020-09-30 --json
grep_out "\"node\":\"$POL\"" "...and sees $POL's entries"
grep_out "\"node\":\"$SCH\"" "...and $SCH's"
# The look-up notice (docs/protocol.md, "Look-up notices") goes to each
# holder once the look-up is logged; the custodians' own leaves name only
# the kind of request ("query") and the operator, never the lead's words.
check "...and $POL keeps $SC's look-up notice" wait_notices "$POL" 1

# --- the insider's offline guess -----------------------------------------------------
expect_status 0 "$SCH stops" "$SEEN" --home "$LAB/$SCH" node stop
cp -a "$LAB/$SCH" "$T_DIR/stolen"
expect_status 1 "a copy of $SCH's home and passphrase does not find the child offline" \
  "$GUESS" "$T_DIR/stolen" --given Mia --family Ward --dob 2020-09-30 --nhs "943 476 5919"
grep_out "^not found" "...not found"
expect_status 0 "$SCH starts again" "$SEEN" --home "$LAB/$SCH" node start

# --- an online guessing run ----------------------------------------------------------
for n in $SC $POL $HEA $SCH; do "$SEEN" --home "$LAB/$n" node stop >/dev/null; done
for n in $SC $POL $HEA; do
  # A look-up of one person costs its anchors: six evaluations.
  sed -i 's/^\[federation\]/[federation]\ncustodian_operator_limit = 30/' "$LAB/$n/seen.conf"
done
for n in $SC $POL $HEA $SCH; do
  expect_status 0 "$n starts (limits of 30 an operator a day)" "$SEEN" --home "$LAB/$n" node start
done
refused=0 tries=0
for y in $(seq 2015 2024); do
  tries=$((tries + 1))
  if ! "$SEEN" --home "$LAB/$SCH" --as lead query --purpose "$PURPOSE" \
      --given Jane --family Doe --dob "$y-03-02" >"$T_DIR/out" 2>&1; then
    refused=1
    break
  fi
done
equal "$refused" 1 "a lead guessing birthdays at $SCH is refused by the custodians' limits"
check "...after a few guesses, not at once" test "$tries" -gt 1
grep_out "custodians refused" "...saying so"
expect_status 0 "$SCH's alerts" "$SEEN" --home "$LAB/$SCH" --as lead alerts --json
grep_out '"rule":"custodian_refused"' "...show the refusal"
raised=0
for n in $SC $POL $HEA; do
  for _ in $(seq 1 100); do [ "$(cust "$n" journal_pending)" = 0 ] && break; sleep 0.1; done
  "$SEEN" --home "$LAB/$n" --as lead alerts --json >"$T_DIR/a-$n" 2>/dev/null
  grep -q '"rule":"custodian_limit_exceeded"' "$T_DIR/a-$n" && raised=$((raised + 1))
done
check "the custodians that refused raised their alert" test "$raised" -ge 1
expect_status 0 "$POL's auditor exports its exchange log" \
  "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/x-pol"
expect_status 0 "...which verifies" "$SEEN" audit verify "$T_DIR/x-pol"
grep_out "OPRF requests [1-9][0-9]*;" "...holding the custodian's OPRF leaves"
check "...and the look-up notice naming the purpose the lead gave" \
  grep -aq "$PURPOSE" "$T_DIR/x-pol/leaves.bin"
t_end
