#!/usr/bin/env bash
# demo.sh: set up (packages, build) and run Seen's demo: a Thames Valley
# Police node in ./demo, loaded with generated records for thousands of
# households, in which a child is found by NHS number and by a misspelt
# name.  The node is left running for you to try more.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

BIN=$PWD/build/bin
DEMO=$PWD/demo
H=$DEMO/thames-valley-police
if [ -d "$H" ]; then
  "$BIN/seen" --home "$H" node stop >/dev/null 2>&1 || true
fi
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 700 "$DEMO"
# A demo keeps its passphrase in a file; never do this in production.
head -c 24 /dev/urandom | base64 >"$DEMO/passphrase"
chmod 600 "$DEMO/passphrase"
export SEEN_PASSPHRASE_FILE=$DEMO/passphrase

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "Create the node" "$BIN/seen" --home "$H" init --name thames-valley-police \
  --type police --local-authority Reading --agency "Thames Valley Police" \
  --kdf interactive
step "Start it" "$BIN/seen" --home "$H" node start
step "Generate a police extract for 20,000 households" "$BIN/seen-synth" \
  --node thames-valley-police --type police --local-authority Reading \
  --households 20000 --seed 2026 --out "$DEMO/extract"
step "Import it" "$BIN/seen" --home "$H" import "$DEMO/extract/thames-valley-police.jsonl"
step "Import three more incidents" "$BIN/seen" --home "$H" import scripts/demo-records.jsonl
step "Find a child by NHS number" "$BIN/seen" --home "$H" query --nhs "943 476 5919"
step "Find her by a misspelt name and date of birth" "$BIN/seen" --home "$H" \
  query --given Maya --family Warde --dob 2020-09-30
step "Find the perpetrator by a nickname, with day and month swapped" \
  "$BIN/seen" --home "$H" query --given Dino --family Holt --dob 1989-02-05
step "The node's state" "$BIN/seen" --home "$H" status

cat <<EOT

The node is still running.  Try:
  export SEEN_PASSPHRASE_FILE=$DEMO/passphrase
  $BIN/seen --home $H query --given Alfie --family Brennan --dob 2019-04-03
  $BIN/seen --home $H query --json --pnc 11/234567F
  $BIN/seen --home $H handles --json | head
  $BIN/seen --home $H node stop
EOT
