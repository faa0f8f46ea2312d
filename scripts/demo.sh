#!/usr/bin/env bash
# demo.sh: set up (packages, build) and run Seen's lab demo: a federation
# on loopback of the six areas the joint inspections visited, each with
# children's social care, police, health, schools and probation nodes (30
# nodes), loaded with generated records, converged; then a guided tour of
# one perpetrator seen across two local authorities; it ends by writing
# the report for the demo's child, Mia Ward, to demo/report.html.  The
# lab is left running for you to explore.  SEEN_DEMO_HOUSEHOLDS sets its size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

BIN=$PWD/build/bin
LAB=$PWD/demo/lab
HOUSEHOLDS=${SEEN_DEMO_HOUSEHOLDS:-200}
if [ -f "$LAB/lab.json" ]; then
  "$BIN/seen" lab down "$LAB" >/dev/null 2>&1 || true
fi
rm -rf "$PWD/demo"
mkdir -p "$PWD/demo"
chmod 700 "$PWD/demo"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "Bring up the federation: an authority and 30 nodes on loopback"
run "$BIN/seen" lab up "$LAB" scripts/lab-six-areas.json
export SEEN_PASSPHRASE_FILE=$LAB/passphrase

say "Generate each agency's records ($HOUSEHOLDS households per area)"
run "$BIN/seen-synth" --manifest scripts/lab-six-areas.json \
  --households "$HOUSEHOLDS" --seed 2026 --out "$PWD/demo/data"

say "Each agency imports its own records into its own node"
for f in "$PWD"/demo/data/*.jsonl; do
  name=$(basename "$f" .jsonl)
  [ -d "$LAB/$name" ] || continue
  "$BIN/seen" --home "$LAB/$name" import --quiet "$f" 2>/dev/null
done
for f in scripts/demo-story/*.jsonl; do
  name=$(basename "$f" .jsonl)
  run "$BIN/seen" --home "$LAB/$name" import "$f"
done

say "Wait until every node holds every node's feed"
start=$(date +%s)
run "$BIN/seen" lab wait "$LAB" --timeout 600
echo "(converged in $(( $(date +%s) - start )) s)"

say "Every token was made by the key custodians, 3 of 5: no node can make one alone"
run "$BIN/seen" --home "$LAB/reading-schools" --as admin custodians check

say "Reading children's social care asks: who else knows Mia Ward?"
run "$BIN/seen" --home "$LAB/reading-social-care" --as lead query \
  --purpose "referral about Mia Ward" --nhs "999 001 0005"

say "Hertfordshire children's social care looks up the man in Alfie Brennan's police record"
run "$BIN/seen" --home "$LAB/hertfordshire-social-care" --as lead query \
  --purpose "strategy discussion: Alfie Brennan" --given Deano --family Holt --dob 1989-02-05

say "Every node raises the same alerts: how many at Hertfordshire children's social care"
"$BIN/seen" --home "$LAB/hertfordshire-social-care" --as lead alerts >"$PWD/demo/alerts.txt"
sed '/^$/q' "$PWD/demo/alerts.txt"
P=$("$BIN/seen" --home "$LAB/hertfordshire-social-care" --as lead query --json \
  --purpose "strategy discussion: Alfie Brennan" --given Deano --family Holt --dob 1989-02-05 | sed 's/^{"person":"\(P[0-9a-f]*\)".*/\1/')
say "...and the one about this man: children in two local authorities"
run "$BIN/seen" --home "$LAB/hertfordshire-social-care" --as lead alerts --person "$P"

say "Reading children's social care asks Thames Valley Police for the record behind the match"
PURPOSE="section 47 enquiry: Mia Ward"
H=$("$BIN/seen" --home "$LAB/reading-social-care" --as lead query --json \
  --purpose "$PURPOSE" --nhs "999 001 0005" |
  python3 -c 'import json,sys
for m in json.loads(sys.stdin.readline())["members"]:
    if m["node"] == "thames-valley-police" and m["kind"] == "domestic_abuse_incident":
        print(m["handle"]); break')
R=$(run "$BIN/seen" --home "$LAB/reading-social-care" --as lead request \
  --handle "$H" --node thames-valley-police --purpose "$PURPOSE" \
  --basis safeguarding_children | tail -1)
echo "request $R"
for _ in $(seq 1 120); do
  "$BIN/seen" --home "$LAB/reading-social-care" --as lead disclosures --json |
    grep "\"request\":\"$R\"" | grep -qv '"status":"pending"' && break
  sleep 0.5
done
say "Thames Valley Police's partnership agreement shares it; the answer arrives sealed to Reading"
run "$BIN/seen" --home "$LAB/reading-social-care" --as lead disclosures --request "$R"
say "Thames Valley Police's lead sees who looked at its records (LOOKUP), who asked for one (REQUEST), and why"
run "$BIN/seen" --home "$LAB/thames-valley-police" --as lead inbox --all

say "An auditor exports both nodes' exchange logs and verifies them together"
# Both stopped for the export, so that neither holds a checkpoint of the
# other's log newer than the other's export; started again afterwards.
rm -rf "$PWD/demo/audit"
mkdir -m 700 "$PWD/demo/audit"
run "$BIN/seen" --home "$LAB/reading-social-care" node stop
run "$BIN/seen" --home "$LAB/thames-valley-police" node stop
run "$BIN/seen" --home "$LAB/reading-social-care" --as auditor audit export "$PWD/demo/audit/reading-social-care"
run "$BIN/seen" --home "$LAB/thames-valley-police" --as auditor audit export "$PWD/demo/audit/thames-valley-police"
run "$BIN/seen" audit verify "$PWD/demo/audit/reading-social-care" "$PWD/demo/audit/thames-valley-police"
"$BIN/seen" --home "$LAB/reading-social-care" node start >/dev/null
"$BIN/seen" --home "$LAB/thames-valley-police" node start >/dev/null

say "One node's view of the federation"
run "$BIN/seen" --home "$LAB/reading-social-care" status

say "Reading children's social care writes the report for Mia Ward's strategy discussion"
run "$BIN/seen" --home "$LAB/reading-social-care" --as lead report \
  --purpose "strategy discussion: Mia Ward" --nhs "999 001 0005" \
  --html "$PWD/demo/report.html"
cat <<EOT
Open it in a browser: the chronology, the child's voice, the network, the
alerts and what Reading does not know yet, on one page (it loads nothing
and prints on A4):
  chromium $PWD/demo/report.html      # or: xdg-open, firefox, or copy it
  file://$PWD/demo/report.html
EOT

cat <<EOT

The lab is still running (30 daemons).  Try:
  export SEEN_PASSPHRASE_FILE=$LAB/passphrase
  $BIN/seen --home $LAB/thames-valley-police --as lead query --purpose "demo" --given Alfie --family Brennan --dob 2019-04-03
  $BIN/seen --home $LAB/hertfordshire-health --as lead query --purpose "demo" --json --pnc 11/234567F
  $BIN/seen --home $LAB/redcar-social-care status --json
  $BIN/seen --home $LAB/reading-social-care --as lead alerts --json
  $BIN/seen --home $LAB/norfolk-health --as lead persons --json | head
  $BIN/seen --home $LAB/thames-valley-police --as lead inbox --all
  $BIN/seen lab down $LAB          # stop it;  seen lab up $LAB x  restarts it
EOT
