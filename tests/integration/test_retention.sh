#!/usr/bin/env bash
# Retention on every node (docs/protocol.md, "Retention"): the police
# import two records, one kept until tomorrow; social care and health
# hold and match both.  The police node is stopped, and the other two
# are started again two days later by their clocks (SEEN_TEST_DAY_SHIFT=2,
# read by a daemon for tests only; two, so that the test holds across
# midnight): each drops the police record's entries in its first
# housekeeping pass, though their origin never retracted them, and no
# longer shows them in persons, links, alerts, queries, the chronology
# or the report; the police record kept for ever stays.  Then the police
# node comes back and imports another record kept until tomorrow: it
# arrives at the two others already past its expiry by their clocks,
# and is never indexed there, while the police still show it.  Last, a
# replica written by the previous version drops what it held.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PURPOSE="strategy discussion, case RDG-0077"
UNTIL=$(date -u -d tomorrow +%F)

# tvp NODE: the entries of thames-valley-police among the persons NODE
# shows (each entry it holds is in exactly one person).
tvp() { "$SEEN" --home "$LAB/$1" --as auditor persons --json | grep -o '"node":"thames-valley-police"' | wc -l; }
# tvp_links NODE: the links NODE shows between two police entries.
tvp_links() { "$SEEN" --home "$LAB/$1" --as auditor links --json | grep -c '"a":{"node":"thames-valley-police".*"b":{"node":"thames-valley-police"'; }
# alerts_of NODE RULE: NODE's alerts of RULE.
alerts_of() { "$SEEN" --home "$LAB/$1" --as lead alerts --json | grep -c "\"rule\":\"$2\""; }
# hits NODE GIVEN FAMILY: the police entries among the members of the
# persons a query at NODE finds.
hits() {
  "$SEEN" --home "$LAB/$1" --as lead query --purpose "$PURPOSE" --json \
    --given "$2" --family "$3" 2>/dev/null | python3 -c 'import json,sys
print(sum(m["node"] == "thames-valley-police" for l in sys.stdin if l.strip()
          for m in json.loads(l)["members"]))'
}
# events NODE: the events of the chronology of Dean at NODE (his records
# and social care's of Mia, who is in one of them).
events() {
  "$SEEN" --home "$LAB/$1" --as lead chronology --json --purpose "$PURPOSE" \
    --given Dean --family Holt --dob 1989-05-02 |
    python3 -c 'import json,sys; print(len(json.load(sys.stdin)["events"]))'
}
# report NODE: the events of the report on Dean that NODE draws.
report() {
  "$SEEN" --home "$LAB/$1" --as lead report --purpose "$PURPOSE" \
    --given Dean --family Holt --dob 1989-05-02 --html "$T_DIR/report-$1.html" |
    sed -n 's/^wrote .*: \([0-9]*\) events.*/\1/p'
}
# restart NODE [VAR=VALUE...]: stop NODE's daemon and start it again, in
# the environment given.
restart() {
  local n=$1; shift
  expect_status 0 "stop $n" "$SEEN" --home "$LAB/$n" node stop
  expect_status 0 "start $n $*" env "$@" "$SEEN" --home "$LAB/$n" node start
}
# wait_log NODE PATTERN: wait (at most a minute) for PATTERN in NODE's log.
wait_log() {
  for _ in $(seq 1 240); do
    grep -qE -- "$2" "$LAB/$1/seen-node.log" && return 0
    sleep 0.25
  done
  return 1
}

expect_status 0 "lab up (three nodes)" "$SEEN" lab up "$LAB" "$MANIFEST"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
MIA='"given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919"'
CHA='"given_name":"Chantelle","family_name":"Ward","date_of_birth":"1994-02-11"'
DEAN='"given_name":"Dean","family_name":"Holt","date_of_birth":"1989-05-02","pnc_id":"2011/0234567F"'
KAY='"given_name":"Kayden","family_name":"Price","date_of_birth":"2016-03-04"'
KEL='"given_name":"Kelly","family_name":"Price","date_of_birth":"1992-07-19"'
RIL='"given_name":"Riley","family_name":"Stone","date_of_birth":"2017-10-10"'
cat >"$T_DIR/pol.jsonl" <<EOT
{"id":"TVP-DA-2025-00412","kind":"domestic_abuse_incident","date":"2025-06-14","local_authority":"Reading","risk":"medium","people":[{"ref":"v1","role":"adult_victim",$CHA},{"ref":"c1","role":"child",$MIA},{"ref":"p1","role":"perpetrator",$DEAN}]}
{"id":"TVP-DA-2025-00950","kind":"domestic_abuse_incident","date":"2025-08-01","local_authority":"Reading","risk":"high","child_present":true,"retain_until":"$UNTIL","people":[{"ref":"v1","role":"adult_victim",$KEL},{"ref":"c1","role":"child",$KAY},{"ref":"p1","role":"perpetrator",$DEAN}]}
EOT
cat >"$T_DIR/sc.jsonl" <<EOT
{"id":"RDG-CIN-2026-0077","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","people":[{"ref":"c1","role":"child",$MIA},{"ref":"m1","role":"parent",$CHA}]}
EOT
cat >"$T_DIR/pol2.jsonl" <<EOT
{"id":"TVP-DA-2025-00990","kind":"domestic_abuse_incident","date":"2025-09-09","local_authority":"Reading","risk":"medium","retain_until":"$UNTIL","people":[{"ref":"c1","role":"child",$RIL}]}
EOT
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "import at $POL (one record kept until tomorrow, $UNTIL)" \
  "$SEEN" --home "$LAB/$POL" import "$T_DIR/pol.jsonl"
expect_status 0 "the lab converges and has matched" "$SEEN" lab wait "$LAB" --timeout 120

for n in $SC $HEA; do
  equal "$(tvp $n)" 6 "$n holds the six police entries"
  equal "$(tvp_links $n)" 1 "...links Dean's two police entries"
  equal "$(alerts_of $n perpetrator_multiple_households)" 1 "...raises the alert of Dean's two households"
  equal "$(alerts_of $n child_high_risk_unknown_to_social_care)" 1 "...and of Kayden, at a high-risk incident"
  equal "$(hits $n Kayden Price)" 1 "...a query finds the police's Kayden"
  equal "$(events $n)" 3 "...the chronology of Dean has three events"
  equal "$(report $n)" 3 "...and so has the report"
done
before=$(grep -c 'past their expiry' "$LAB/$SC/seen-node.log")
equal "$before" 0 "nothing was dropped at $SC before its day"

expect_status 0 "the police node stops" "$SEEN" --home "$LAB/$POL" node stop
for n in $SC $HEA; do
  restart $n SEEN_TEST_DAY_SHIFT=2
  check "$n says its day is shifted" wait_log $n "retention's day is shifted by 2 days"
  check "...and drops the three police entries past their expiry" \
    wait_log $n "dropped 3 entries of other nodes past their expiry"
  equal "$(st $n | grep -o '"matching":{[^}]*}' | grep -o '"expired":[0-9]*' | cut -d: -f2)" 3 \
    "...which its status counts (matching.expired)"
  equal "$(tvp $n)" 3 "...leaving the three of the record kept"
  equal "$(tvp_links $n)" 0 "...no link between police entries"
  equal "$(alerts_of $n perpetrator_multiple_households)" 0 "...no alert of two households"
  equal "$(alerts_of $n child_high_risk_unknown_to_social_care)" 0 "...none of Kayden"
  equal "$(hits $n Kayden Price)" 0 "...no query finds Kayden"
  equal "$(hits $n Dean Holt)" 1 "...a query finds Dean's entry of the record kept"
  equal "$(events $n)" 2 "...the chronology of Dean has two events"
  equal "$(report $n)" 2 "...and so has the report"
done
check "no log line names a person" sh -c "! grep -qE 'Kayden|Price|Dean' '$LAB/$SC/seen-node.log' '$LAB/$HEA/seen-node.log'"

# An entry that arrives past its expiry, by the receiver's clock.
expect_status 0 "the police node starts again" "$SEEN" --home "$LAB/$POL" node start
expect_status 0 "import at $POL (a record kept until tomorrow)" \
  "$SEEN" --home "$LAB/$POL" import "$T_DIR/pol2.jsonl"
expect_status 0 "the lab converges again" "$SEEN" lab wait "$LAB" --timeout 120
equal "$(hits $POL Riley Stone)" 1 "$POL, whose day it still is, shows Riley"
equal "$(hits $POL Kayden Price)" 1 "...and Kayden"
for n in $SC $HEA; do
  equal "$(feed $n $POL)" "$(feed $POL $POL)" "$n holds the police feed whole"
  equal "$(hits $n Riley Stone)" 0 "...but never indexed Riley, past the expiry on arrival"
  equal "$(tvp $n)" 3 "...and holds three police entries still"
done
expect_status 0 "lab down" "$SEEN" lab down "$LAB"

# A replica written by the previous version (tests/data/prev-4b46453:
# store format 3, the police's record past its retain_until held live,
# two alerts): its table of held entries by expiry is filled as it opens,
# and its first pass drops that record's three entries.
FIX=$SEEN_SOURCE_DIR/tests/data/prev-4b46453
H=$T_DIR/old
cp -r "$FIX/home" "$H"
chmod 700 "$H" "$H/store" && chmod 600 "$H/keystore" "$H/seen.conf" "$H/store/data.mdb"
T_HOMES+=("$H")
printf '0e5acb76d3bf0583ddaabf738c1c96310a49db91bcf1c056\n' >"$T_DIR/old-pass"
export SEEN_PASSPHRASE_FILE=$T_DIR/old-pass
expect_status 0 "the previous version's replica starts" "$SEEN" --home "$H" node start
LAB=$T_DIR OLD=old
check "...migrates its store, finding the three entries with an expiry" \
  wait_log $OLD "migrated from format 3 to [0-9]+ \(3 held entries with an expiry\)"
check "...and drops them in its first pass" \
  wait_log $OLD "dropped 3 entries of other nodes past their expiry"
equal "$(tvp $OLD)" 3 "...leaving the police's record kept"
equal "$(alerts_of $OLD perpetrator_multiple_households)" 0 "...and neither alert"
equal "$(alerts_of $OLD child_high_risk_unknown_to_social_care)" 0 "...of the two it held"
expect_status 0 "it stops" "$SEEN" --home "$H" node stop
t_end
