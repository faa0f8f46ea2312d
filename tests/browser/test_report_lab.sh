#!/usr/bin/env bash
# `seen report` end to end: a three-node lab with the partnership
# agreement; Reading children's social care holds its own record of Mia
# and her brother, Thames Valley Police the incidents (the mother, the
# perpetrator, another household), the hospital an emergency attendance
# with Mia's address.  Social care asks the police for the incident
# behind the match (the agreement shares it), then writes the report.
# The page must hold what the node was given (its own record, the
# child's words from the disclosure) and nothing it was not: no name of
# the mother, the perpetrator or the other household, no date of birth,
# postcode, address, PNC or NHS number, no summary of a record not shared.
# The look-up is logged (the exchange log grows); `seen graph --dot`
# draws the same network.  Then the page goes through the browser checks
# (tests/browser/report_check.py): skipped, saying so, only when chromium
# is missing.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lab.sh"
PURPOSE="strategy discussion: Mia Ward"
if ! command -v chromium >/dev/null 2>&1; then
  echo "skipped: chromium is not installed (apt-get install chromium)"
  exit 0
fi
OUT=${SEEN_BROWSER_OUT:-$T_DIR/browser}
mkdir -p "$OUT"

# handle_of ROLE DATE QUERY...: the handle of $POL's entry of ROLE in its
# record of DATE for the person the query at $SC finds.
handle_of() {
  local role=$1 date=$2; shift 2
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --json \
    "$@" | python3 -c '
import json, sys
role, date, node = sys.argv[1:4]
for line in sys.stdin:
    for m in json.loads(line).get("members", []):
        if m["node"] == node and m["role"] == role and m["date"] == date:
            print(m["handle"]); sys.exit(0)
sys.exit(1)' "$role" "$date" "$POL"
}
shared() {
  "$SEEN" --home "$LAB/$SC" --as lead disclosures --json |
    grep "\"request\":\"$1\"" | grep -q '"status":"shared"'
}

expect_status 0 "lab up (three nodes, with the partnership agreement)" \
  "$SEEN" lab up "$LAB" "$DATA/lab-three-agreement.json"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
cat >"$T_DIR/sc.jsonl" <<'EOT'
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","risk":"medium","child_voice":"Mia said she likes it when it is quiet at home","summary":"Assessment after the police notification; Leo attends nursery","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919","postcode":"RG1 5DF"},{"ref":"c2","role":"child","given_name":"Leo","family_name":"Ward","date_of_birth":"2018-04-17","postcode":"RG1 5DF"}]}
EOT
cat >"$T_DIR/health.jsonl" <<'EOT'
{"id":"RBH-ED-2026-0193","kind":"ed_attendance","date":"2026-02-01","local_authority":"Reading","summary":"Bruise to the left forearm; account given by the child differs","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919","postcode":"RG1 5DF","address":"14 Oxford Road"}]}
EOT
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "import at $HEA" "$SEEN" --home "$LAB/$HEA" import "$T_DIR/health.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
for _ in $(seq 1 120); do
  HC=$(handle_of child 2025-06-14 --nhs "943 476 5919" 2>/dev/null) && break
  sleep 0.25
done
check "the query at $SC finds $POL's entry of Mia" test -n "${HC:-}"
expect_status 0 "$SC asks $POL for it" "$SEEN" --home "$LAB/$SC" --as lead \
  request --handle "$HC" --node $POL --purpose "$PURPOSE" \
  --basis safeguarding_children
R=$(tail -1 "$T_DIR/out")
for _ in $(seq 1 120); do shared "$R" && break; sleep 0.25; done
check "$POL's agreement shares it" shared "$R"

# --- the report -------------------------------------------------------------
expect_status 2 "a report without --html is bad usage" \
  "$SEEN" --home "$LAB/$SC" --as lead report --purpose "$PURPOSE" --nhs "943 476 5919"
expect_status 2 "a report of no one is bad usage" \
  "$SEEN" --home "$LAB/$SC" --as lead report --purpose "$PURPOSE" --html "$OUT/x.html"
expect_status 1 "a report without a purpose is refused by the node" \
  "$SEEN" --home "$LAB/$SC" --as lead report --nhs "943 476 5919" --html "$OUT/x.html"
check "...and writes nothing" test ! -e "$OUT/x.html"
before=$(xl $SC leaves)
expect_status 0 "the lead at $SC writes the report" \
  "$SEEN" --home "$LAB/$SC" --as lead report --purpose "$PURPOSE" \
  --nhs "943 476 5919" --html "$OUT/lab.html"
grep_out "^wrote $OUT/lab.html: [0-9]+ events from [0-9]+ agencies" "...and says where"
after=$(xl $SC leaves)
check "the look-up is logged: the exchange log grew ($before -> $after)" \
  test "${after:-0}" -gt "${before:-0}"
check "the file is the lead's alone (mode 0600)" \
  test "$(stat -c %a "$OUT/lab.html")" = 600
HTML=$(cat "$OUT/lab.html")
for given in "I hid under the bed when they shouted" \
    "Mia said she likes it when it is quiet at home" "Leo" "Mia"; do
  check "the page holds what $SC was given: '$given'" \
    grep -qF -- "$given" "$OUT/lab.html"
done
# Not given to $SC: the names of the mother, the perpetrator and the
# other household (only Mia's entry was disclosed), police identifiers,
# the hospital's record.  Given but never shown on a page: dates of
# birth, postcodes, addresses, NHS numbers.
NOT_GIVEN=("Chantelle" "Holt" "Deano" "Kayleigh" "Brennan" "Alfie"
  "1994-02-11" "1989-05-02" "1997-07-21" "RG30 2PQ" "2011/0234567F"
  "Oxford Road" "Bruise" "forearm")
NEVER_SHOWN=("2020-09-30" "2018-04-17" "RG1 5DF" "943 476 5919" "9434765919")
for bad in "${NOT_GIVEN[@]}"; do
  check "the page does not hold '$bad', which $SC was not given" \
    sh -c '! grep -qiF -- "$1" "$2"' _ "$bad" "$OUT/lab.html"
done
for bad in "${NEVER_SHOWN[@]}"; do
  check "the page does not show '$bad' (a birth date, postcode or NHS number)" \
    sh -c '! grep -qiF -- "$1" "$2"' _ "$bad" "$OUT/lab.html"
done
FORBID=("${NOT_GIVEN[@]}" "${NEVER_SHOWN[@]}")
expect_status 0 "seen chronology --json gives the page's chronology" \
  "$SEEN" --home "$LAB/$SC" --as lead chronology --json \
  --purpose "$PURPOSE" --nhs "943 476 5919"
cp "$T_DIR/out" "$OUT/lab.json"
P=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["subject"])' "$OUT/lab.json")
N=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["events"]))' "$OUT/lab.json")
expect_status 0 "the report of --person $P (the subject's id)" \
  "$SEEN" --home "$LAB/$SC" --as lead report --purpose "$PURPOSE" \
  --person "$P" --html "$OUT/lab-person.html"
grep_out "^wrote $OUT/lab-person.html: $N events" "...has the same $N events"
expect_status 2 "a report of --person and criteria is bad usage" \
  "$SEEN" --home "$LAB/$SC" --as lead report --purpose "$PURPOSE" \
  --person "$P" --nhs "943 476 5919" --html "$OUT/x.html"
expect_status 0 "seen graph --dot draws the network" \
  "$SEEN" --home "$LAB/$SC" --as lead graph --dot \
  --purpose "$PURPOSE" --nhs "943 476 5919"
grep_out "^strict graph network" "...as a strict graph"
grep_out "SUBJECT: CHILD" "...with the subject marked in words"
grep_out "authority:Reading" "...and the local authority"

# --- in the browser ---------------------------------------------------------
FARGS=()
for bad in "${FORBID[@]}"; do FARGS+=(--forbid "$bad"); done
if /usr/bin/python3 "$(dirname "$0")/report_check.py" --html "$OUT/lab.html" \
    --doc "$OUT/lab.json" --out "$OUT" --name lab "${FARGS[@]}" \
    >"$T_DIR/browser.out" 2>&1; then
  ok "the page passes the browser checks (screenshots in $OUT)"
else
  not_ok "the page fails the browser checks"
  sed 's/^/    /' "$T_DIR/browser.out" | head -40
fi
t_end
