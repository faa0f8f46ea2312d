#!/usr/bin/env bash
# Matching across a lab: a perpetrator with children in two local
# authorities raises the same alert on every node; two different men who
# share a common name and date of birth in different places raise none.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data
STORY=$SEEN_SOURCE_DIR/scripts/demo-story
LAB=$T_DIR/lab
NODES="thames-valley-police reading-social-care hertfordshire-constabulary norfolk-constabulary cleveland-police"
trap '"$SEEN" lab down "$LAB" >/dev/null 2>&1; t_cleanup' EXIT

expect_status 0 "lab up (five nodes)" "$SEEN" lab up "$LAB" "$DATA/lab-five.json"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
for n in thames-valley-police reading-social-care hertfordshire-constabulary; do
  expect_status 0 "import the story at $n" "$SEEN" --home "$LAB/$n" import "$STORY/$n.jsonl"
done
# Two different John Smiths born the same day, each a perpetrator with a
# child, in Norfolk and in Redcar: nothing else in common.
cat >"$T_DIR/norfolk.jsonl" <<'EOT'
{"id":"NC-DA-2026-0101","kind":"domestic_abuse_incident","date":"2026-01-10","local_authority":"Norfolk","risk":"medium","people":[{"ref":"v1","role":"adult_victim","given_name":"Sarah","family_name":"Smith","date_of_birth":"1987-04-01","postcode":"NR1 3QU"},{"ref":"c1","role":"child","given_name":"Jack","family_name":"Smith","date_of_birth":"2016-08-08","postcode":"NR1 3QU"},{"ref":"p1","role":"perpetrator","given_name":"John","family_name":"Smith","date_of_birth":"1985-03-12","sex":"M","postcode":"NR1 3QU"}]}
EOT
cat >"$T_DIR/cleveland.jsonl" <<'EOT'
{"id":"CP-DA-2026-7702","kind":"domestic_abuse_incident","date":"2026-02-20","local_authority":"Redcar and Cleveland","risk":"medium","people":[{"ref":"v1","role":"adult_victim","given_name":"Emma","family_name":"Jones","date_of_birth":"1990-11-30","postcode":"TS10 1AB"},{"ref":"c1","role":"child","given_name":"Lily","family_name":"Jones","date_of_birth":"2019-02-14","postcode":"TS10 1AB"},{"ref":"p1","role":"perpetrator","given_name":"John","family_name":"Smith","date_of_birth":"1985-03-12","sex":"M","postcode":"TS10 1AB"}]}
EOT
expect_status 0 "import the Norfolk namesake" "$SEEN" --home "$LAB/norfolk-constabulary" import "$T_DIR/norfolk.jsonl"
expect_status 0 "import the Redcar namesake" "$SEEN" --home "$LAB/cleveland-police" import "$T_DIR/cleveland.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 180
# A new federation publishes short tokens (docs/protocol.md, "Short
# tokens"): what follows matches on them across nodes.
auth=$(sed -n 's/.*"authority": "\([0-9a-f]*\)".*/\1/p' "$LAB/lab.json")
check "the lab's document says tokens of 8 bytes" sh -c \
  "'$SEEN' federation show '$LAB/authority/membership.pb' --authority $auth --json | grep -q '\"token_bytes\":8,'"
check "...and the nodes publish them" \
  grep -q "publishing tokens of 8 bytes" "$LAB/thames-valley-police/seen-node.log"

# Matching runs behind replication: wait until every node has the alert.
ids=""
for n in $NODES; do
  got=""
  for _ in $(seq 1 120); do
    got=$("$SEEN" --home "$LAB/$n" --as lead alerts --json 2>/dev/null |
      grep '"rule":"perpetrator_multiple_households"' | grep -c thames-valley-police)
    [ "$got" -ge 1 ] && break
    sleep 0.5
  done
  check "$n raises the alert for the perpetrator in two authorities" test "${got:-0}" -ge 1
  "$SEEN" --home "$LAB/$n" --as lead alerts --json >"$T_DIR/alerts-$n.json"
  id=$(grep '"rule":"perpetrator_multiple_households"' "$T_DIR/alerts-$n.json" |
    grep thames-valley-police | sed 's/.*"alert":"\([0-9a-f]*\)".*/\1/' | head -1)
  ids="$ids $id"
  check "...naming Reading and Hertfordshire records at $n" \
    sh -c "grep '\"alert\":\"$id\"' '$T_DIR/alerts-$n.json' | grep -q hertfordshire-constabulary"
  check "no alert at $n joins the two John Smiths" \
    sh -c "! grep 'norfolk-constabulary' '$T_DIR/alerts-$n.json' | grep -q 'cleveland-police'"
done
first=$(echo $ids | awk '{print $1}')
check "every node names the alert the same (deterministic)" \
  sh -c "[ -n '$first' ] && [ \"\$(echo $ids | tr ' ' '\n' | sort -u | wc -l)\" -eq 1 ]"
expect_status 0 "the two John Smiths stay two persons" "$SEEN" --home "$LAB/thames-valley-police" --as auditor persons --json
check "...no person has members at both Norfolk and Cleveland" \
  sh -c "! grep norfolk-constabulary '$T_DIR/out' | grep -q cleveland-police"
expect_status 0 "query the perpetrator at Hertfordshire" \
  "$SEEN" --home "$LAB/hertfordshire-constabulary" --as lead query --purpose "strategy discussion: Dean Holt" --json --given Dean --family Holt --dob 1989-05-02
grep_out '"node":"thames-valley-police"' "...the picture includes Thames Valley Police's records"
grep_out '"node":"hertfordshire-constabulary"' "...and Hertfordshire's"
expect_status 0 "a lead acknowledges the alert" "$SEEN" --home "$LAB/reading-social-care" --as lead alerts ack "$first"
expect_status 0 "alerts after acknowledging" "$SEEN" --home "$LAB/reading-social-care" --as lead alerts
check "...it is no longer waiting there" sh -c "! grep -q '$first' '$T_DIR/out'"
# The weights report (docs/spec/cli.md): learnt from the same entries,
# sampled by their handles, it is the same on every node.
expect_status 0 "an auditor's weights report" "$SEEN" --home "$LAB/reading-social-care" --as auditor weights --json
cp "$T_DIR/out" "$T_DIR/w-rsc"
check "...learnt from candidate pairs, every comparison with its levels" \
  /usr/bin/python3 -c 'import json,sys
w = json.load(open(sys.argv[1]))
names = [c["comparison"] for c in w["comparisons"]]
assert w["pairs"] > 0 and w["iterations"] > 0 and 0 < w["lambda"] < 1, w
assert names == ["nhs_number", "pnc_id", "upn", "date_of_birth", "given_name", "family_name", "place", "sex"], names
dob = [l for c in w["comparisons"] if c["comparison"] == "date_of_birth" for l in c["levels"]]
assert [l["level"] for l in dob][:3] == ["agrees", "day and month swapped", "a day apart"], dob
assert all(0 <= l["m"] <= 1 and 0 <= l["u"] <= 1 for c in w["comparisons"] for l in c["levels"])
agree = dob[0]
assert agree["pairs"] > 0 and agree["learnt"] > 0 and agree["in_use"] == 7, agree' "$T_DIR/w-rsc"
expect_status 0 "the weights report at Cleveland" "$SEEN" --home "$LAB/cleveland-police" --as lead weights --json
check "...is the same as at Reading" cmp -s "$T_DIR/out" "$T_DIR/w-rsc"
expect_status 0 "the weights report as a table" "$SEEN" --home "$LAB/cleveland-police" --as lead weights
grep_out "date_of_birth +agrees" "...with a line for each level"
expect_status 2 "--sample 0 is refused" "$SEEN" --home "$LAB/cleveland-police" --as lead weights --sample 0
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
