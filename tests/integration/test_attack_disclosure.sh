#!/usr/bin/env bash
# Issue 11, case 5: a member harvests disclosures in bulk.  In a three-node
# lab with the partnership agreement, a hostile member (seen-probe with
# reading-health's keys) sends thames-valley-police bursts of disclosure
# requests for every one of its entries (the handles GET_RANGE lists):
# with no reason on record (as the previous version sent them), naming an
# entry of its own that matches nothing, naming a made-up query, and
# naming its one entry that does match; and answers to requests it was
# never sent.  The police node shares nothing without a match, shares at
# most SEEN_DISCLOSURE_AUTO_PER_HOUR (10) of a matched burst, keeps at
# most 20 of the requester's requests for its lead, takes at most 60 new
# requests an hour from it, counts each refusal under its own name in
# `seen status --json` and logs a burst in a few lines; it stays up,
# replicates, keeps its store bounded and raises no alert; and an honest
# request from social care after a real query is still shared at once.
# SEEN_ATTACK_LONG=1 sends the matched burst, the made-up queries and the
# answers ten times as long.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PROBE=$SEEN_BIN/seen-probe
N=${SEEN_ATTACK_LONG:+10}
N=${N:-1}
PURPOSE="section 47 enquiry, case RDG-0042"

lab_endpoint() {
  awk -F'"' -v n="$1" '/\{/ { name = ""; ep = "" }
    $2 == "name" { name = $4 } $2 == "endpoint" { ep = $4 }
    /\}/ { if (name == n && ep != "") print ep }' "$LAB/lab.json"
}
id_key() { "$SEEN" --home "$1" identity --json | sed -n "s/.*\"$2\":\"\([0-9a-f]\{64\}\)\".*/\1/p"; }
# dis NODE KEY: a count of the "disclosure" object of NODE's status.
dis() { st "$1" | grep -o '"disclosure":{.*}' | grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2; }
used() { st "$1" | grep -o '"used_bytes":[0-9]*' | cut -d: -f2; }
# within SECONDS CMD...: true once CMD succeeds, polled every 0.25 s.
within() {
  local i n=$(($1 * 4)); shift
  for i in $(seq 1 $n); do "$@" && return 0; sleep 0.25; done
  echo "    not within ${n} polls: $*"
  return 1
}
# dis_ge NODE KEY MIN: whether the count has reached MIN.
dis_ge() { local v; v=$(dis "$1" "$2"); [ -n "$v" ] && [ "$v" -ge "$3" ]; }
wait_dis() { within 15 dis_ge "$@"; }
# inbox_from NODE FROM [STATUS]: requests NODE received from FROM.
inbox_from() {
  "$SEEN" --home "$LAB/$1" --as lead inbox --all --json | grep "\"from\":\"$2\"" |
    { if [ -n "${3:-}" ]; then grep "\"status\":\"$3\""; else cat; fi; } | wc -l
}
# handle_of NODE ROLE QUERY...: the handle of $POL's entry of ROLE found by
# a query at NODE.
handle_of() {
  local node=$1 role=$2; shift 2
  "$SEEN" --home "$LAB/$node" --as lead query --purpose "$PURPOSE" --json "$@" |
    python3 -c '
import json, sys
for line in sys.stdin:
    for m in json.loads(line).get("members", []):
        if m["node"] == sys.argv[2] and m["role"] == sys.argv[1]:
            print(m["handle"]); sys.exit(0)
sys.exit(1)' "$role" "$POL"
}

check "seen-probe is built" test -x "$PROBE"
expect_status 0 "lab up (three nodes, with the partnership agreement)" \
  "$SEEN" lab up "$LAB" "${SEEN_LAB_MANIFEST:-$DATA/lab-three-agreement.json}"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
MIA='"people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919","postcode":"RG1 5DF"}]'
echo "{\"id\":\"RDG-CIN-2026-0042\",\"kind\":\"child_in_need_assessment\",\"date\":\"2026-01-15\",\"local_authority\":\"Reading\",$MIA}" >"$T_DIR/sc.jsonl"
echo "{\"id\":\"RBH-MAT-2026-0007\",\"kind\":\"health_visitor_contact\",\"date\":\"2026-02-01\",\"local_authority\":\"Reading\",$MIA}" >"$T_DIR/hea.jsonl"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "import at $HEA" "$SEEN" --home "$LAB/$HEA" import "$T_DIR/hea.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
found() { HC=$(handle_of $SC child --nhs "943 476 5919" 2>/dev/null) && [ -n "$HC" ]; }
within 30 found || true
check "the police entry of the child is found by a query at $SC" test -n "$HC"

# What the attacker holds: every live handle of the police feed (what one
# GET_RANGE lists) and its own entry of the child.
"$SEEN" --home "$LAB/$POL" handles --json | sed -n 's/.*"handle":"\([0-9a-f]*\)".*/\1/p' >"$T_DIR/handles"
NH=$(wc -l <"$T_DIR/handles")
check "the police feed lists $NH live handles" test "$NH" -ge 3
MATCH=$("$SEEN" --home "$LAB/$HEA" handles --json | sed -n 's/.*"handle":"\([0-9a-f]*\)".*/\1/p' | head -1)
check "$HEA holds an entry of the child" test -n "$MATCH"
linked() { "$SEEN" --home "$LAB/$POL" --as lead links --json | grep "$MATCH" | grep -q "$HC"; }
check "$POL's own matcher links $HEA's entry to its child's" within 30 linked

TEP=$(lab_endpoint $POL)
TCURVE=$(id_key "$LAB/$POL" curve_pk)
TSIGN=$(id_key "$LAB/$POL" sign_pk)
probe() { "$PROBE" --to "$TEP" --to-curve "$TCURVE" --to-sign "$TSIGN" --home "$LAB/$HEA" "$@"; }
U0=$(used $POL)
L0=$(wc -l <"$LAB/$POL/seen-node.log")

# --- a matched burst: the agreement answers at most 10 of it -----------------------
echo "$HC" >"$T_DIR/hc"
expect_status 0 "probe: $((40 * N)) requests naming $HEA's matching entry" \
  probe --handles "$T_DIR/hc" --match "$MATCH" --count $((40 * N)) disclosure-matched
check "...held back from the agreement once it shared 10" wait_dis $POL automatic_held 30
check "...and refused once 20 wait for the lead" wait_dis $POL queue_full 1
equal "$(inbox_from $POL $HEA shared)" 10 "...10 shared by the agreement, no more"
equal "$(inbox_from $POL $HEA queued)" 20 "...20 wait for $POL's lead, no more"

# --- no reason, no match, a made-up query: nothing is shared -----------------------
expect_status 0 "probe: 20 requests with no reason on record (the previous version's)" \
  probe --handles "$T_DIR/handles" --count 20 disclosure-bare
check "...refused as no_reason" wait_dis $POL no_reason 20
expect_status 0 "probe: 20 requests naming an entry that matches nothing" \
  probe --handles "$T_DIR/handles" --count 20 disclosure-unmatched
check "...refused as unmatched" wait_dis $POL unmatched 10
check "...and, over 60 in the hour, refused without an answer" wait_dis $POL rate_limited 10
expect_status 0 "probe: $((100 * N)) requests naming made-up queries" \
  probe --handles "$T_DIR/handles" --count $((100 * N)) disclosure-query
check "...all over the hourly limit: rate_limited" wait_dis $POL rate_limited $((100 * N + 10))
equal "$(inbox_from $POL $HEA shared)" 10 "nothing more was shared with $HEA"
check "$POL took at most 60 of $HEA's requests this hour" test "$(inbox_from $POL $HEA)" -le 60
check "...and its lead's inbox holds at most 20 of them" test "$(inbox_from $POL $HEA queued)" -le 20

# --- answers nobody asked for ---------------------------------------------------------
expect_status 0 "probe: $((50 * N)) answers to requests $POL never sent" \
  probe --count $((50 * N)) disclosure-answer
check "...counted as unsolicited_answers" wait_dis $POL unsolicited_answers $((50 * N))

# --- the node is up, quiet in its log, bounded, honest ------------------------------
check "$POL still answers" alive $POL
L1=$(wc -l <"$LAB/$POL/seen-node.log")
check "...its log holds a few lines per burst, not one per message ($((L1 - L0)) lines)" \
  test $((L1 - L0)) -le 150
check "...a rate-limited burst is said in at most $((8 + N)) lines" \
  test "$(grep -c 'over the limit of new requests an hour' "$LAB/$POL/seen-node.log")" -le $((8 + N))
check "...and no sanitizer report (an ASan build's)" \
  sh -c "! grep -q -e 'runtime error' -e AddressSanitizer '$LAB/$POL/seen-node.log'"
U1=$(used $POL)
check "...its store grew by less than 8 MiB ($((U1 - U0)) bytes)" test $((U1 - U0)) -lt 8388608
expect_status 0 "$POL raised no alert" "$SEEN" --home "$LAB/$POL" --as lead alerts --json
check "...none of integrity" sh -c "! grep -q -e equivocation -e integrity '$T_DIR/out'"

# An honest request after a real query: shared at once, as before.
expect_status 0 "the lead at $SC requests the child's police record (after its query)" \
  "$SEEN" --home "$LAB/$SC" --as lead request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis safeguarding_children
R1=$(cat "$T_DIR/out")
shared() { "$SEEN" --home "$LAB/$SC" --as lead disclosures --json | grep "\"request\":\"$1\"" | grep -q '"status":"shared"'; }
check "...and $POL's agreement shares it" within 30 shared "$R1"

# It still replicates with an honest peer.
echo '{"id":"RDG-CIN-2026-0043","kind":"child_in_need_assessment","date":"2026-03-01","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Ava","family_name":"Stone","date_of_birth":"2019-04-02"}]}' >"$T_DIR/sc2.jsonl"
expect_status 0 "a new import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc2.jsonl"
expect_status 0 "...reaches every node, $POL included" "$SEEN" lab wait "$LAB" --timeout 60
check "$POL is still running" alive $POL
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
