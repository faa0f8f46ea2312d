#!/usr/bin/env bash
# Disclosure in a three-node lab with the partnership agreement
# (scripts/partnership-agreement.json): a lead at Reading children's social
# care asks Thames Valley Police for the record behind a match; the
# agreement shares the child's record at once, and the child's voice
# arrives sealed; a request the agreement does not cover is queued for
# the police lead, who withholds one (reason, review date) and shares
# another; both nodes' exchange logs hold the requests and decisions and
# verify; no export holds the child's voice or a name in clear; roles are
# enforced (an auditor or admin cannot request or decide, a lead cannot
# export); a request from a revoked member never arrives, and nothing is
# shared with it after its revocation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
VOICE="I hid under the bed when they shouted"
PURPOSE="section 47 enquiry, case RDG-0042"

# handle_of NODE ROLE DATE QUERY...: the handle of POL's entry of ROLE in
# its record of DATE for the person found by the query at NODE.
handle_of() {
  local node=$1 role=$2 date=$3; shift 3
  "$SEEN" --home "$LAB/$node" --as lead query --purpose "$PURPOSE" --json \
    "$@" | python3 -c '
import json, sys
role, date, node = sys.argv[1], sys.argv[2], sys.argv[3]
for line in sys.stdin:
    p = json.loads(line)
    for m in p.get("members", []):
        if m["node"] == node and m["role"] == role and m["date"] == date:
            print(m["handle"]); sys.exit(0)
sys.exit(1)' "$role" "$date" "$POL"
}

# wait_status NODE REQUEST STATUS: poll `seen disclosures --json` at NODE.
wait_status() {
  local i
  for i in $(seq 1 120); do
    if "$SEEN" --home "$LAB/$1" --as lead disclosures --json 2>/dev/null |
      grep "\"request\":\"$2\"" | grep -q "\"status\":\"$3\""; then
      return 0
    fi
    sleep 0.25
  done
  return 1
}

# row NODE REQUEST: that request's row of `seen disclosures --json`.
row() { "$SEEN" --home "$LAB/$1" --as lead disclosures --json | grep "\"request\":\"$2\""; }
has() { printf '%s\n' "$1" | grep -q -- "$2"; }
lacks() { ! printf '%s\n' "$1" | grep -q -e "$2" "${@:3}"; }
field() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); exec("v=" + sys.argv[1]); print(v)' "$1"; }

expect_status 0 "lab up (three nodes, with the partnership agreement)" \
  "$SEEN" lab up "$LAB" "$DATA/lab-three-agreement.json"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
check "each node holds the agreement" test -s "$LAB/$POL/agreement.json"
cat >"$T_DIR/sc.jsonl" <<'EOT'
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919","postcode":"RG1 5DF"}]}
EOT
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# The matcher runs in the daemon loop: wait until the query finds the police
# entries of the child and of the perpetrator.
for _ in $(seq 1 120); do
  HC=$(handle_of $SC child 2025-06-14 --nhs "943 476 5919" 2>/dev/null) &&
    HP=$(handle_of $SC perpetrator 2025-06-14 --pnc "2011/0234567F" 2>/dev/null) &&
    HV=$(handle_of $SC adult_victim 2025-06-14 --given Chantelle --family Ward --dob 1994-02-11 2>/dev/null) &&
    break
  sleep 0.25
done
check "the query at $SC shows $POL's entries for the child, the perpetrator and the mother" \
  test -n "${HC:-}" -a -n "${HP:-}" -a -n "${HV:-}"
expect_status 0 "the human query names the request to make" \
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_out "details: seen request --handle $HC --node $POL" "...with the handle and node"

# --- refusals ------------------------------------------------------------------
req() { "$SEEN" --home "$LAB/$SC" "$@"; }
expect_status 1 "a request without --purpose is refused" \
  req --as lead request --handle "$HC" --node $POL --basis safeguarding_children
grep_err "a request needs --purpose" "...saying a purpose is needed"
expect_status 1 "a request without a legal basis is refused" \
  req --as lead request --handle "$HC" --node $POL --purpose "$PURPOSE"
grep_err "--basis: one of duty_to_share" "...listing the bases"
expect_status 1 "an unknown basis is refused" \
  req --as lead request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis curiosity
expect_status 1 "an auditor cannot request" \
  req --as auditor request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis safeguarding_children
grep_err "operator 'auditor' is an auditor" "...saying whose role does not allow it"
expect_status 1 "an admin cannot request" \
  req --as admin request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis safeguarding_children
expect_status 1 "a request to an unknown node is refused" \
  req --as lead request --handle "$HC" --node nowhere --purpose "$PURPOSE" --basis safeguarding_children
grep_err "no member 'nowhere'" "...naming it"
expect_status 1 "a request for an entry that node did not publish is refused" \
  req --as lead request --handle "$HC" --node $HEA --purpose "$PURPOSE" --basis safeguarding_children
grep_err "holds no entry" "...saying so"
expect_status 1 "a malformed handle is refused" \
  req --as lead request --handle xyz --node $POL --purpose "$PURPOSE" --basis safeguarding_children

# --- shared by the agreement ---------------------------------------------------------
expect_status 0 "the lead at $SC requests the police record of the child" \
  req --as lead request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis safeguarding_children
R1=$(cat "$T_DIR/out")
check "...and is given a request id ($R1)" sh -c "echo '$R1' | grep -qE '^[0-9a-f]{32}$'"
check "$POL's agreement shares it: the answer arrives" wait_status $SC "$R1" shared
r=$(row $SC "$R1")
equal "$(echo "$r" | field 'd["details"]["record"]["child_voice"]')" "$VOICE" \
  "...the child's voice arrives, in the child's words"
equal "$(echo "$r" | field 'd["details"]["person"]["given_name"] + " " + d["details"]["person"]["nhs_number"]')" \
  "Mia 943 476 5919" "...with the child's own details"
equal "$(echo "$r" | field 'd["details"]["record"]["reference"] + " " + d["details"]["record"]["risk"]')" \
  "TVP-DA-2025-00412 high" "...and the record's reference and risk"
equal "$(echo "$r" | field 'sorted(d["details"]["others_in_record"])')" "['adult_victim', 'perpetrator']" \
  "...naming only the roles of the record's other people"
check "...never their names or the holder's other records" \
  lacks "$r" Dean -e Holt -e Chantelle -e Kayleigh -e 00513
equal "$(echo "$r" | field 'd["decided_by"]')" policy "...decided by the agreement"
check "...whose rule is named" has "$r" "rule 0"
expect_status 0 "seen disclosures (human) shows it" "$SEEN" --home "$LAB/$SC" --as lead disclosures
grep_out "CHILD'S VOICE: \"$VOICE\"" "...with the child's voice"
expect_status 1 "an auditor cannot read disclosures" "$SEEN" --home "$LAB/$SC" --as auditor disclosures
expect_status 0 "$POL's inbox (all) shows who asked about its record" \
  "$SEEN" --home "$LAB/$POL" --as lead inbox --all --json
grep_out "\"request\":\"$R1\".*\"from\":\"$SC\"" "...the request from $SC"
grep_out "\"request\":\"$R1\".*\"match\":\"[0-9a-f]{32}\",\"matched\":true" \
  "...naming $SC's own entry that matched, a link $POL's matcher holds too"
grep_out "\"operator\":\"lead\",\"purpose\":\"$PURPOSE\"" "...with the operator and purpose"
grep_out "\"status\":\"shared\"" "...and that it was shared"
expect_status 0 "nothing waits in $POL's inbox" "$SEEN" --home "$LAB/$POL" --as lead inbox
grep_out "No disclosure requests wait" "...says so"

# --- queued, then decided by the lead ------------------------------------------------
expect_status 0 "a request the agreement does not cover (perpetrator, duty_to_share)" \
  req --as lead request --handle "$HP" --node $POL --purpose "$PURPOSE" --basis duty_to_share
R2=$(cat "$T_DIR/out")
expect_status 0 "a request under consent (the mother)" \
  req --as lead request --handle "$HV" --node $POL --purpose "$PURPOSE" --basis consent
R3=$(cat "$T_DIR/out")
check "...the first is queued for $POL's lead" wait_status $SC "$R2" queued
check "...and the second" wait_status $SC "$R3" queued
# Metrics (docs/operations.md, "Metrics"): what waits for the lead, in
# the Prometheus text format as Prometheus's own Python parser reads it.
expect_status 0 "$POL's status as Prometheus metrics" "$SEEN" --home "$LAB/$POL" status --prometheus
check "...parse, and say what waits, per peer and per feed" /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1]).read())}
def val(name, **labels):
    return [s.value for s in fams[name].samples if all(s.labels.get(k) == v for k, v in labels.items())]
assert all(n.startswith("seen_") for n in fams), list(fams)
assert val("seen_up") == [1]
assert val("seen_disclosure_requests_waiting") == [2], val("seen_disclosure_requests_waiting")
assert val("seen_disclosure_oldest_waiting_seconds")[0] >= 0
assert fams["seen_refused"].type == "counter" and fams["seen_messages_sent"].type == "counter"
peers = {s.labels["peer"] for s in fams["seen_peer_up"].samples}
assert peers == {sys.argv[2], sys.argv[3]}, peers
assert val("seen_peer_up", peer=sys.argv[2]) == [1]
feeds = {s.labels["feed"] for s in fams["seen_feed_entries"].samples}
assert {sys.argv[2], sys.argv[4]} <= feeds, feeds
assert all(v == 0 for v in val("seen_feed_lag_entries")), val("seen_feed_lag_entries")
assert val("seen_store_state", state="ok") == [1]
assert val("seen_exchange_log_leaves")[0] > 0
assert val("seen_alerts_open")[0] >= 0
assert val("seen_matching_behind_entries") == [0], "lab wait waits for matching"
' "$T_DIR/out" "$SC" "$HEA" "$POL"
expect_status 0 "$POL's inbox lists them" "$SEEN" --home "$LAB/$POL" --as lead inbox --json
check "...two requests waiting" test "$(grep -c '"status":"queued"' "$T_DIR/out")" -eq 2
r=$(grep "\"request\":\"$R2\"" "$T_DIR/out")
equal "$(echo "$r" | field 'd["kind"] + " " + d["role"] + " " + d["date"]')" \
  "domestic_abuse_incident perpetrator 2025-06-14" "...saying which record and role each is about"
dec() { "$SEEN" --home "$LAB/$POL" "$@"; }
expect_status 1 "an auditor cannot decide" dec --as auditor decide "$R2" --share
grep_err "operator 'auditor' is an auditor" "...saying so"
expect_status 1 "an admin cannot decide" dec --as admin decide "$R2" --share
expect_status 1 "withholding needs a reason" dec --as lead decide "$R2" --withhold
grep_err "needs --reason" "...saying so"
expect_status 1 "a review date in the past is refused" \
  dec --as lead decide "$R2" --withhold --reason "risk of escalation" --review 2001-01-01
expect_status 2 "--share and --withhold together are bad usage" dec --as lead decide "$R2" --share --withhold
expect_status 1 "an unknown request is refused" dec --as lead decide 0123456789abcdef --share
REVIEW=$(date -u -d '+90 days' +%Y-%m-%d)
expect_status 0 "the lead at $POL withholds the perpetrator's record, with a reason and review date" \
  dec --as lead decide "${R2:0:12}" --withhold \
  --reason "live investigation: disclosure now may prejudice it and raise the risk to the child" \
  --review "$REVIEW"
grep_out "withheld" "...recorded as withheld"
expect_status 1 "a decided request cannot be decided again" dec --as lead decide "$R2" --share
grep_err "decided already" "...saying so"
expect_status 0 "the lead at $POL shares the mother's record" dec --as lead decide "$R3" --share
check "$SC is told the first was withheld" wait_status $SC "$R2" withheld
r=$(row $SC "$R2")
check "...with the reason" has "$r" "live investigation"
equal "$(echo "$r" | field 'd["review"] + " " + d["decided_by"]')" "$REVIEW lead" "...the review date and who decided"
check "...and no details" lacks "$r" details
check "$SC receives the second" wait_status $SC "$R3" shared
r=$(row $SC "$R3")
equal "$(echo "$r" | field 'd["details"]["person"]["given_name"] + " " + d["details"]["person"]["address"]')" \
  "Chantelle 14 Oxford Road" "...the mother's details, address included"

# --- a revoked member ------------------------------------------------------------------
# A request names its reason on record (docs/protocol.md §10): $HEA holds no
# entry of the child, so its lead finds the police entry by a query first.
expect_status 1 "a request without a match or a query behind it is refused at $HEA" \
  "$SEEN" --home "$LAB/$HEA" --as lead request --handle "$HC" --node $POL --purpose "midwife booking concerns" --basis consent
grep_err "no reason on record" "...saying a query or a match is needed"
expect_status 0 "the lead at $HEA queries for the child" \
  "$SEEN" --home "$LAB/$HEA" --as lead query --purpose "midwife booking concerns" --nhs "943 476 5919"
expect_status 0 "a request from $HEA about the child (queued: no rule for a DA incident's child under consent)" \
  "$SEEN" --home "$LAB/$HEA" --as lead request --handle "$HC" --node $POL --purpose "midwife booking concerns" --basis consent
R4=$(cat "$T_DIR/out")
check "...reaches $POL's inbox" sh -c "for i in \$(seq 1 120); do '$SEEN' --home '$LAB/$POL' --as lead inbox --json | grep -q '$R4' && exit 0; sleep 0.25; done; exit 1"
revoke_member $HEA $SC $POL
expect_status 1 "nothing is shared with a revoked member" dec --as lead decide "$R4" --share
grep_err "no longer an active member" "...saying so"
n0=$("$SEEN" --home "$LAB/$POL" --as lead inbox --all --json | wc -l)
expect_status 0 "the revoked node can still ask (it holds the old document)" \
  "$SEEN" --home "$LAB/$HEA" --as lead request --handle "$HC" --node $POL --purpose "midwife booking concerns" --basis consent
R5=$(cat "$T_DIR/out")
sleep 3
n1=$("$SEEN" --home "$LAB/$POL" --as lead inbox --all --json | wc -l)
equal "$n1" "$n0" "...but its request never reaches $POL"
check "...and stays pending at $HEA" sh -c "'$SEEN' --home '$LAB/$HEA' --as lead disclosures --json | grep '$R5' | grep -q '\"status\":\"pending\"'"

# --- the exchange logs ---------------------------------------------------------------------
expect_status 1 "a lead cannot export the exchange log" "$SEEN" --home "$LAB/$POL" --as lead audit export "$T_DIR/x-no"
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
expect_status 0 "audit export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/x-sc"
expect_status 0 "audit export at $POL" "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/x-pol"
expect_status 0 "audit verify passes on both exports" "$SEEN" audit verify "$T_DIR/x-sc" "$T_DIR/x-pol"
grep_out "^verified: every check passed" "...every check passed"
check "...each log covered to its last leaf by a checkpoint signed as its node stopped" \
  sh -c "! grep -q 'not yet covered' '$T_DIR/out'"
grep_out "x-pol: [0-9]+ leaves decode and keep the leaf rules \(.*decisions [3-9]" \
  "...$POL's log holds its decisions (the agreement's share, the withholding, the lead's share)"
check "$POL's log holds the withholding's reason and review date" \
  sh -c "grep -aq 'live investigation' '$T_DIR/x-pol/leaves.bin' && grep -aq '$REVIEW' '$T_DIR/x-pol/leaves.bin'"
check "both logs hold the requests (purpose in the envelope)" \
  sh -c "grep -aq '$PURPOSE' '$T_DIR/x-sc/leaves.bin' && grep -aq '$PURPOSE' '$T_DIR/x-pol/leaves.bin'"
check "no export holds the child's voice: the answers are sealed" \
  sh -c "! grep -aqr -e 'hid under the bed' '$T_DIR/x-sc' '$T_DIR/x-pol'"
# "Mia" turns up by chance inside the base64 of a signed note (it did,
# in 'oaZ+IHMiaSowl...'): the name is looked for with no base64 character
# either side of it, as a field's bytes would have.
check "...nor a name or address" \
  sh -c "! grep -aqr -e Chantelle -e 'Oxford Road' -e 9434765919 '$T_DIR/x-sc' '$T_DIR/x-pol' &&
    ! grep -aqrP '(?<![A-Za-z0-9+/=])Mia(?![A-Za-z0-9+/=])' '$T_DIR/x-sc' '$T_DIR/x-pol'"
t_end
