#!/usr/bin/env bash
# A keyed federation moves to an OPRF epoch, and the OPRF key is dealt
# again, without stopping (issue 16, items 1 and 3; docs/protocol.md,
# "OPRF epochs"): four nodes import under the match key, and a copy of a
# node's home and passphrase finds a child offline (seen-guess); the
# authority deals a key 2 of 3 among three of them; every node publishes
# its records again through the custodians and the entries still match;
# now neither that old copy (its key kept, today's store) nor a new one
# finds the child offline, while a lead's query does, counted at the
# custodians; a second dealing (epoch 3) moves everyone again; and the
# authority cannot go back to a match key, nor revoke a custodian before
# its share is dealt away, while a member that is none is revoked and
# refused by the custodians.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

GUESS=$SEEN_BIN/seen-guess
PURPOSE="section 47 strategy discussion, epoch test"
four_manifest "$T_DIR/four.json"
ALL="$NODES $SCH"
# both_match: a person at SC of POL's and SCH's entries.
both_match() {
  "$SEEN" --home "$LAB/$SC" --as lead persons --json 2>/dev/null |
    grep -q "\"node\":\"$POL\".*\"node\":\"$SCH\"\|\"node\":\"$SCH\".*\"node\":\"$POL\""
}
wait_match() { for _ in $(seq 1 240); do both_match && return 0; sleep 0.25; done; return 1; }
# deal: a new OPRF epoch 2 of 3 among SC, POL, HEA, signed and installed.
deal() {
  expect_status 0 "federation custodians 2 of 3" \
    "$SEEN" federation custodians "$LAB/authority" --threshold 2 $SC $POL $HEA
  expect_status 0 "federation sign" "$SEEN" federation sign "$LAB/authority"
  for n in $ALL; do
    "$SEEN" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" >/dev/null 2>&1 || true
  done
}

expect_status 0 "lab up (four nodes, a match key)" "$SEEN" lab up "$LAB" "$T_DIR/four.json" --ports 20000-40000
for n in $ALL; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
equal "$(tok $SC made)" match_key "tokens made with the match key"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
prefixed SCH "$DATA/example.jsonl" "$T_DIR/sch.jsonl"
expect_status 0 "import at $SCH" "$SEEN" --home "$LAB/$SCH" import "$T_DIR/sch.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
check "$POL's and $SCH's entries match" wait_match

expect_status 0 "$SCH stops" "$SEEN" --home "$LAB/$SCH" node stop
cp -a "$LAB/$SCH" "$T_DIR/keyed-copy"
expect_status 0 "a copy of $SCH's home and passphrase finds the child offline" \
  "$GUESS" "$T_DIR/keyed-copy" --given Mia --family Ward --dob 2020-09-30
expect_status 0 "$SCH starts" "$SEEN" --home "$LAB/$SCH" node start

# --- the move to an OPRF epoch -----------------------------------------------------
deal
check "every node publishes its records again under epoch 2" published 2
for n in $ALL; do equal "$(tok "$n" made)" custodians "$n makes its tokens through the custodians"; done
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
check "$POL's and $SCH's entries match under the OPRF epoch" wait_match

expect_status 0 "$SCH stops" "$SEEN" --home "$LAB/$SCH" node stop
expect_status 1 "the old copy's key finds nothing in today's store" \
  "$GUESS" "$T_DIR/keyed-copy" --store "$LAB/$SCH" --given Mia --family Ward --dob 2020-09-30
expect_status 1 "today's home and passphrase find nothing offline" \
  "$GUESS" "$LAB/$SCH" --given Mia --family Ward --dob 2020-09-30 --nhs "943 476 5919"
grep_out "grants no match key" "...the document grants no key"
expect_status 0 "$SCH starts" "$SEEN" --home "$LAB/$SCH" node start

expect_status 0 "a lead at $SCH queries the child" \
  "$SEEN" --home "$LAB/$SCH" --as lead query --purpose "$PURPOSE" --given Mia --family Ward --dob 2020-09-30 --json
grep_out "\"node\":\"$POL\"" "...and sees $POL's entries"

# --- the key dealt again: epoch 3 ----------------------------------------------------
deal
check "every node publishes its records again under epoch 3" published 3
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
check "$POL's and $SCH's entries match under epoch 3" wait_match
expect_status 0 "the lead's query still finds the child" \
  "$SEEN" --home "$LAB/$SCH" --as lead query --purpose "$PURPOSE" --given Mia --family Ward --dob 2020-09-30 --json
grep_out "\"node\":\"$POL\"" "...with $POL's entries"

# --- no way back to a key every member holds -----------------------------------------
expect_status 1 "a match-key rotation in an OPRF epoch is refused" \
  "$SEEN" federation rotate "$LAB/authority"
grep_err "deal a new key with 'seen federation custodians'" "...saying what to do instead"
expect_status 1 "revoking a custodian before its share is dealt away is refused" \
  "$SEEN" federation revoke "$LAB/authority" $POL
grep_err "holds a share of OPRF epoch 3" "...saying so"
expect_status 0 "revoking $SCH, no custodian, keeps the epoch" \
  "$SEEN" federation revoke "$LAB/authority" $SCH
grep_out "stay OPRF epoch 3" "...saying so"
expect_status 0 "federation sign" "$SEEN" federation sign "$LAB/authority"
grep_out "OPRF epoch 3" "...still OPRF epoch 3"
for n in $NODES; do
  "$SEEN" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" >/dev/null 2>&1 || true
done
refused=0
for _ in $(seq 1 40); do
  "$SEEN" --home "$LAB/$SCH" --as admin custodians check >/dev/null 2>&1 || { refused=1; break; }
  sleep 0.25
done
equal "$refused" 1 "the custodians no longer answer $SCH, revoked"
expect_status 0 "$SC's lead still queries through them" \
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --given Mia --family Ward --dob 2020-09-30
t_end
