#!/usr/bin/env bash
# The chronology (`seen chronology`, the `chronology` control command) in
# a three-node lab with the partnership agreement: a child, Mia, known to
# the police, children's social care and health, with a brother (Leo),
# her mother (Chantelle, shielded by a refuge record at health, her
# postcode and address in social care's own record) and a perpetrator
# (Dean) with a Clare's Law disclosure to another woman.  Social care's
# lead asks for the police record of Mia (shared by the agreement, with
# her words) and for Dean's part of a second incident (withheld by the
# police lead, with a reason).  Checked: the events, their order and
# lanes, the voice counts, the quote only once shared, the withheld
# reason, the holder's decisions at the police, the alert and what it
# asks, the records not asked for and their ready `seen request` line
# (which works: the chronology's QUERY record is its reason on record),
# no shielded postcode or address and no name or note the node was not
# given, the terminal form, refusals, and the QUERY records in the log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PURPOSE="strategy discussion, case RDG-0042"
VOICE_POL="I hid under the bed when they shouted"
VOICE_SC="I want my mum to be safe"
NHS="943 476 5919"

has() { printf '%s\n' "$1" | grep -q -- "$2"; }
# jq_ EXPR: evaluate a Python expression on the JSON of standard input (d).
jq_() { python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }
# chron NODE ARGS...: the chronology at NODE as JSON, to $T_DIR/chron.json.
chron() {
  local node=$1; shift
  "$SEEN" --home "$LAB/$node" --as lead chronology --json "$@" >"$T_DIR/chron.json"
}
# ev FIELD KIND: FIELD of the event of kind KIND (the first).
ev() { jq_ "[e for e in d['events'] if e['kind']=='$2'][0]['$1']" <"$T_DIR/chron.json"; }

expect_status 0 "lab up (three nodes, with the partnership agreement)" \
  "$SEEN" lab up "$LAB" "$DATA/lab-three-agreement.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
MIA='"given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919"'
LEO='"given_name":"Leo","family_name":"Ward","date_of_birth":"2018-04-02"'
CHA='"given_name":"Chantelle","family_name":"Ward","date_of_birth":"1994-02-11"'
DEAN='"given_name":"Dean","family_name":"Holt","date_of_birth":"1989-05-02","pnc_id":"2011/0234567F"'
cat >"$T_DIR/pol.jsonl" <<EOT
{"id":"TVP-DA-2025-00412","kind":"domestic_abuse_incident","date":"2025-06-14","local_authority":"Reading","risk":"high","child_present":true,"child_voice":"$VOICE_POL","summary":"Neighbour called police; shouting and a smashed window","people":[{"ref":"v1","role":"adult_victim",$CHA},{"ref":"c1","role":"child",$MIA},{"ref":"c2","role":"child",$LEO},{"ref":"p1","role":"perpetrator",$DEAN}]}
{"id":"TVP-DA-2025-00588","kind":"domestic_abuse_incident","date":"2025-11-20","local_authority":"Reading","risk":"medium","child_present":true,"summary":"Second call-out; neighbours report threats to burn the flat","people":[{"ref":"v1","role":"adult_victim",$CHA},{"ref":"c1","role":"child",$MIA},{"ref":"p1","role":"perpetrator",$DEAN}]}
{"id":"TVP-DVDS-2025-0077","kind":"dvds_disclosure","date":"2025-09-10","local_authority":"Reading","dvds":"right_to_ask","people":[{"ref":"s1","role":"perpetrator",$DEAN},{"ref":"a1","role":"adult_victim","given_name":"Kayleigh","family_name":"Brennan","date_of_birth":"1997-07-21","postcode":"RG30 2PQ"}]}
EOT
cat >"$T_DIR/sc.jsonl" <<EOT
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","child_voice":"$VOICE_SC","summary":"Assessment after two police call-outs","people":[{"ref":"c1","role":"child",$MIA},{"ref":"c2","role":"child",$LEO},{"ref":"m1","role":"parent",$CHA,"postcode":"RG1 5DF","address":"14 Oxford Road"}]}
EOT
cat >"$T_DIR/hea.jsonl" <<EOT
{"id":"RBH-HV-2025-0101","kind":"health_visitor_contact","date":"2025-03-02","local_authority":"Reading","shielded":true,"summary":"Family moved to a refuge in Wokingham","people":[{"ref":"c1","role":"child",$MIA},{"ref":"m1","role":"parent",$CHA,"postcode":"RG40 1XX"}]}
{"id":"RBH-ED-2025-0202","kind":"ed_attendance","date":"2025-12-01","local_authority":"Reading","summary":"Attended with a burn to the hand","people":[{"ref":"c1","role":"child",$MIA}]}
EOT
# Social care's own record is matched before the police's arrive: a
# child in a high-risk incident unknown to social care would raise an
# alert, kept until a lead acknowledges it, that this test is not about.
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
for _ in $(seq 1 240); do
  chron $SC --nhs "$NHS" --purpose "$PURPOSE" 2>/dev/null && break
  sleep 0.25
done
equal "$(jq_ "len(d['events'])" <"$T_DIR/chron.json")" 1 "a chronology of $SC's own record alone: one event"
expect_status 0 "import at $HEA" "$SEEN" --home "$LAB/$HEA" import "$T_DIR/hea.jsonl"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$T_DIR/pol.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# The matcher runs in each daemon's loop: wait until social care's
# chronology of Mia holds all six records and the alert about Dean.
n=0
for _ in $(seq 1 240); do
  if chron $SC --nhs "$NHS" --purpose "$PURPOSE" 2>/dev/null; then
    n=$(jq_ "len(d['events'])*10 + len(d['alerts'])" <"$T_DIR/chron.json")
    [ "$n" = 61 ] && break
  fi
  sleep 0.25
done
equal "$n" 61 "the chronology at $SC holds six events and one alert"
J=$(cat "$T_DIR/chron.json")
SUBJ=$(jq_ "d['subject']" <<<"$J")

# --- the contract's fields -------------------------------------------------------
equal "$(jq_ "sorted(d.keys())" <<<"$J")" \
  "['agencies', 'agency', 'alerts', 'events', 'generated', 'local_authority', 'node', 'ok', 'people', 'purpose', 'subject', 'unknown', 'voice']" \
  "the reply has the contract's top-level fields"
equal "$(jq_ "d['node'] + '|' + d['agency'] + '|' + d['purpose']" <<<"$J")" \
  "$SC|Brighter Futures for Children (Reading)|$PURPOSE" "...naming the node, its agency and the purpose"
check "...and when it was made (UTC)" has "$(jq_ "d['generated']" <<<"$J")" "^20[0-9-]*T[0-9:]*Z$"
equal "$(jq_ "sorted(set(k for e in d['events'] for k in e))" <<<"$J")" \
  "['child_present', 'child_voice', 'date', 'decisions', 'details', 'dvds', 'kind', 'local_authority', 'node', 'people', 'record', 'request', 'requests', 'risk', 'shared', 'withheld_reason']" \
  "every event has the contract's fields (and the added 'requests')"

# --- people ------------------------------------------------------------------------
equal "$(jq_ "d['people'][0]['person'] == d['subject'] and d['people'][0]['relation']" <<<"$J")" subject \
  "the subject comes first"
equal "$(jq_ "d['people'][0]['name'] + ' ' + d['people'][0]['birth_band'] + ' ' + ','.join(sorted(d['people'][0]['known_to']))" <<<"$J")" \
  "Mia Ward child $HEA,$SC,$POL" "...named from $SC's own record, a child, known to the three agencies"
equal "$(jq_ "sorted((p['relation'], p['name'] or '-', p['shielded']) for p in d['people'])" <<<"$J")" \
  "[('adult', '-', False), ('parent_or_carer', 'Chantelle Ward', True), ('perpetrator', '-', False), ('sibling', 'Leo Ward', False), ('subject', 'Mia Ward', True)]" \
  "the people: Mia and her mother (shielded by the refuge record), her brother, the perpetrator and the woman of his Clare's Law disclosure, named only where $SC was given the name"

# --- events: count, order, lanes, voice --------------------------------------------------
equal "$(jq_ "' '.join(e['date'] + '/' + e['node'] for e in d['events'])" <<<"$J")" \
  "2025-03-02/$HEA 2025-06-14/$POL 2025-09-10/$POL 2025-11-20/$POL 2025-12-01/$HEA 2026-01-15/$SC" \
  "six events, in date order, each in its agency's lane"
equal "$(jq_ "' '.join(e['child_voice'] for e in d['events'])" <<<"$J")" \
  "not_recorded recorded not_applicable not_recorded not_recorded recorded" \
  "the child's voice: recorded, missing where a child was there, not applicable to the DVDS record"
equal "$(jq_ "' '.join(e['shared'] for e in d['events'])" <<<"$J")" \
  "not_requested not_requested not_requested not_requested not_requested own" \
  "nothing asked for yet: only $SC's own record is its own"
equal "$(jq_ "[e['dvds'] for e in d['events']]" <<<"$J")" "[None, None, 'right_to_ask', None, None, None]" \
  "the Clare's Law disclosure is marked"
equal "$(jq_ "[e['risk'] for e in d['events']]" <<<"$J")" "[None, 'high', None, 'medium', None, None]" \
  "...and the risk"
equal "$(jq_ "sorted(a['node'] + ':' + a['type'] + ':' + a['agency'] for a in d['agencies'])" <<<"$J")" \
  "['$HEA:health:Royal Berkshire NHS Foundation Trust', '$SC:social_care:Brighter Futures for Children (Reading)', '$POL:police:Thames Valley Police']" \
  "the agencies, from the membership document"
equal "$(jq_ "sorted((v['node'], v['recorded'], v['not_recorded'], [q['text'] for q in v['quotes']]) for v in d['voice'])" <<<"$J")" \
  "[('$HEA', 0, 2, []), ('$SC', 1, 0, ['$VOICE_SC']), ('$POL', 1, 1, [])]" \
  "voice per agency; only $SC's own words are quoted before anything is shared"
OWN=$(jq_ "[e for e in d['events'] if e['shared']=='own'][0]['details']" <<<"$J")
check "$SC's own record brings its summary and the children's names" \
  sh -c "printf '%s' \"\$1\" | grep -q 'Assessment after two police' && printf '%s' \"\$1\" | grep -q 'Leo Ward'" _ "$OWN"

# --- alerts and the records not asked for ----------------------------------------------
equal "$(jq_ "d['alerts'][0]['rule']" <<<"$J")" dvds_subject_linked_to_child "the alert about Dean's Clare's Law disclosure"
check "...says what it asks for" has "$(jq_ "d['alerts'][0]['asks']" <<<"$J")" "children's social care in Reading"
equal "$(jq_ "sorted((u['node'], u['records'], sorted(u['kinds'])) for u in d['unknown'])" <<<"$J")" \
  "[('$HEA', 2, ['ed_attendance', 'health_visitor_contact']), ('$POL', 3, ['domestic_abuse_incident', 'dvds_disclosure'])]" \
  "the records not asked for, per agency"
REQ_HEA=$(jq_ "[u for u in d['unknown'] if u['node']=='$HEA'][0]['request']" <<<"$J")
check "...each with a ready request line" has "$REQ_HEA" "^seen request --handle [0-9a-f]\{32\} --node $HEA --purpose 'strategy discussion, case RDG-0042' --basis safeguarding_children$"

# --- what it never shows ------------------------------------------------------------------
leaks() { grep -o -e Dean -e Holt -e Kayleigh -e Brennan -e 1989-05-02 -e 1997-07-21 -e 0234567F \
  -e 'RG1 5DF' -e 'Oxford Road' -e 'RG40 1XX' -e 'RG30 2PQ' -e refuge -e Wokingham -e 'burn to the hand' \
  -e 'threats to burn' -e 'smashed window' -e "$VOICE_POL" "$1" | sort -u | tr '\n' ' '; }
equal "$(leaks "$T_DIR/chron.json")" "" \
  "no name, date of birth, postcode, address or note $SC was not given, and no shielded person's postcode or address"

# --- sharing: the agreement shares Mia's police record; the lead withholds Dean's -----
HC=$(jq_ "[p['handle'] for e in d['events'] if e['date']=='2025-06-14' for p in e['people'] if p['person']==d['subject']][0]" <<<"$J")
HP=$(jq_ "[p['handle'] for e in d['events'] if e['date']=='2025-11-20' for p in e['people'] if p['role']=='perpetrator'][0]" <<<"$J")
expect_status 0 "$SC asks for Mia's part of the first police record" \
  "$SEEN" --home "$LAB/$SC" --as lead request --handle "$HC" --node $POL --purpose "$PURPOSE" --basis safeguarding_children
R1=$(cat "$T_DIR/out")
expect_status 0 "$SC asks for Dean's part of the second (found by the chronology alone)" \
  "$SEEN" --home "$LAB/$SC" --as lead request --handle "$HP" --node $POL --purpose "$PURPOSE" --basis duty_to_share
R2=$(cat "$T_DIR/out")
for _ in $(seq 1 240); do
  "$SEEN" --home "$LAB/$POL" --as lead inbox --json 2>/dev/null | grep -q "$R2" && break
  sleep 0.25
done
REASON="live investigation: disclosure now may prejudice it"
expect_status 0 "the police lead withholds Dean's part, with a reason" \
  "$SEEN" --home "$LAB/$POL" --as lead decide "$R2" --withhold --reason "$REASON"
for _ in $(seq 1 240); do
  chron $SC --person "$SUBJ" --purpose "$PURPOSE" 2>/dev/null &&
    [ "$(ev shared domestic_abuse_incident)" = shared ] &&
    [ "$(jq_ "[e['shared'] for e in d['events'] if e['date']=='2025-11-20'][0]" <"$T_DIR/chron.json")" = withheld ] && break
  sleep 0.25
done
J=$(cat "$T_DIR/chron.json")
equal "$(jq_ "d['subject']" <<<"$J")" "$SUBJ" "the chronology by --person has the same subject"
equal "$(jq_ "' '.join(e['shared'] for e in d['events'])" <<<"$J")" \
  "not_requested shared not_requested withheld not_requested own" \
  "the first police record is shared, the second withheld"
equal "$(jq_ "[e['request'] for e in d['events'] if e['date']=='2025-06-14'][0]" <<<"$J")" "$R1" "...naming the request"
equal "$(jq_ "[e['withheld_reason'] for e in d['events'] if e['date']=='2025-11-20'][0]" <<<"$J")" "$REASON" \
  "the withheld record carries the police lead's reason"
equal "$(jq_ "[v['quotes'] for v in d['voice'] if v['node']=='$POL'][0]" <<<"$J")" \
  "[{'date': '2025-06-14', 'text': '$VOICE_POL'}]" "the child's words from the police arrive once shared"
check "...with the record's summary" has "$J" "smashed window"
equal "$(jq_ "[(u['node'], u['records']) for u in d['unknown'] if u['node']=='$POL']" <<<"$J")" "[('$POL', 1)]" \
  "...and the police records asked for are no longer unknown"
leaks2() { grep -o -e Dean -e Holt -e Kayleigh -e Brennan -e 1989-05-02 -e 0234567F -e 'RG1 5DF' \
  -e 'Oxford Road' -e 'RG40 1XX' -e refuge -e 'threats to burn' -e 'burn to the hand' "$1" | sort -u | tr '\n' ' '; }
equal "$(leaks2 "$T_DIR/chron.json")" "" "...and still nothing it was not given (the withheld record's note, Dean, the shielded postcode)"

# --- the holder's side: the police lead's decisions --------------------------------------
chron $POL --nhs "$NHS" --purpose "$PURPOSE"
equal "$(jq_ "[(e['date'], [(x['requester'], x['decision'], x['reason']) for x in e['decisions']]) for e in d['events'] if e['node']=='$POL']" <"$T_DIR/chron.json")" \
  "[('2025-06-14', [('$SC', 'shared', \"partnership agreement 'Six areas joint-inspection pilot: information-sharing agreement (lab)' version 1, rule 0\")]), ('2025-09-10', []), ('2025-11-20', [('$SC', 'withheld', '$REASON')])]" \
  "at $POL, its own records carry its decisions on $SC's requests"
check "...and its own records' names (Dean) are its own to see" grep -q "Dean Holt" "$T_DIR/chron.json"

# --- the ready request line works --------------------------------------------------------
HH=$(jq_ "[u for u in d['unknown'] if u['node']=='$HEA'][0]['handle']" <<<"$J")
expect_status 0 "the request line for $HEA works as printed (the chronology's QUERY record is its reason on record)" \
  "$SEEN" --home "$LAB/$SC" --as lead request --handle "$HH" --node $HEA --purpose "$PURPOSE" --basis safeguarding_children

# --- B's sample of the contract: every field of it is in the real replies ---------------
cp "$T_DIR/chron.json" "$T_DIR/chron-pol.json"
chron $SC --person "$SUBJ" --purpose "$PURPOSE"
SAMPLE=$SEEN_SOURCE_DIR/tests/data/report/sample.json
equal "$(python3 - "$SAMPLE" "$T_DIR/chron.json" "$T_DIR/chron-pol.json" <<'EOP'
import json, sys
def paths(x, p=''):
    out = set()
    if isinstance(x, dict):
        for k, v in x.items():
            out.add(p + '.' + k)
            out |= paths(v, p + '.' + k)
    elif isinstance(x, list):
        for v in x:
            out |= paths(v, p + '[]')
    return out
want = paths(json.load(open(sys.argv[1])))
have = set()
for f in sys.argv[2:]:
    have |= paths(json.load(open(f)))
# "households" is the alerts contract's, only on a perpetrator_multiple_households alert.
print(sorted(p for p in want - have if not p.startswith('.alerts[].households')))
EOP
)" "[]" "the real replies (at $SC and at $POL) have every field of the sample of the contract (tests/data/report/sample.json)"

# --- the terminal ------------------------------------------------------------------------
expect_status 0 "the terminal chronology" "$SEEN" --home "$LAB/$SC" --as lead chronology --person "$SUBJ" --purpose "$PURPOSE"
grep_out "^Chronology of $SUBJ" "...names the subject"
grep_out "2025-06-14  TVP +domestic_abuse_incident +high +voice ✓ +- +shared" "...one line per event, in the police lane, with risk, voice and sharing"
grep_out "2025-11-20  TVP .*voice missing .*withheld" "...the withheld record with its voice missing"
grep_out "withheld: $REASON" "...and the reason"
grep_out "2025-09-10  TVP .*right_to_ask" "...the Clare's Law disclosure"
grep_out "^  TVP +$POL: Thames Valley Police \(police, Reading\)" "...a legend of the lanes"
grep_out "$HEA: 0 recorded, 2 missing" "...the voice per agency"
grep_out "asks for children's social care in Reading" "...the alert and what it asks"
grep_out "^    seen request --handle [0-9a-f]{32} --node $HEA" "...the request to make"
check "...and nothing it was not given" sh -c "! grep -q -e Dean -e Kayleigh -e 'RG1 5DF' -e 'Oxford Road' '$T_DIR/out'"

# --- seen query --person ---------------------------------------------------------------
expect_status 0 "seen query --person shows the same person" \
  "$SEEN" --home "$LAB/$SC" --as lead query --person "$SUBJ" --purpose "$PURPOSE" --json
equal "$(jq_ "d['person'] + ' ' + str(len(d['members']))" <"$T_DIR/out")" "$SUBJ 5" \
  "...with her five entries (social care, health twice, the police twice)"
expect_status 1 "seen query --person of no one is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead query --person P0123456789abcdef --purpose "$PURPOSE"
grep_err "no person P0123456789abcdef" "...saying so"

# --- refusals ------------------------------------------------------------------------------
expect_status 1 "a chronology without --purpose is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --person "$SUBJ"
grep_err "needs --purpose" "...saying a purpose is needed"
expect_status 1 "an unknown person is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --person P0123456789abcdef --purpose "$PURPOSE"
grep_err "no person P0123456789abcdef at this node" "...saying so"
expect_status 1 "a malformed person id is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --person Mia --purpose "$PURPOSE"
grep_err "not a person id" "...saying what one is"
expect_status 2 "--person with search criteria is bad usage" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --person "$SUBJ" --nhs "$NHS" --purpose "$PURPOSE"
expect_status 1 "an auditor cannot look up a chronology" \
  "$SEEN" --home "$LAB/$SC" --as auditor chronology --person "$SUBJ" --purpose "$PURPOSE"
grep_err "operator 'auditor' is an auditor" "...saying whose role does not allow it"
expect_status 1 "no one found is said" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --given Nobody --family Atall --purpose "missing person check"
grep_err "no one found" "...as such"

# --- the exchange log ---------------------------------------------------------------------
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
expect_status 0 "audit export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/x-sc"
expect_status 0 "audit verify passes" "$SEEN" audit verify "$T_DIR/x-sc"
check "$SC's log holds the chronologies as QUERY records, with their purpose" \
  grep -aq "$PURPOSE" "$T_DIR/x-sc/leaves.bin"
check "...a look-up that found no one too" grep -aq "missing person check" "$T_DIR/x-sc/leaves.bin"
check "...and no name or identifier in clear" \
  sh -c "! grep -aq -e Nobody -e 9434765919 -e '$NHS' '$T_DIR/x-sc/leaves.bin' &&
    ! grep -aqP '(?<![A-Za-z0-9+/=])Mia(?![A-Za-z0-9+/=])' '$T_DIR/x-sc/leaves.bin'"
t_end
