# lab.sh: the three-node lab that several integration tests share.  Source
# it after lib.sh: it names the lab ($LAB) and its nodes, stops the lab on
# exit, and reads `seen status --json` with grep and sed (no python or jq).
LAB=$T_DIR/lab
SC=reading-social-care
POL=thames-valley-police
HEA=reading-health
NODES="$SC $POL $HEA"
DATA=$(dirname "${BASH_SOURCE[0]}")/data
# The lab's manifest: these three nodes, or (SEEN_LAB_MANIFEST, e.g.
# scripts/lab-six-areas.json, the README's 30-node lab) any that names
# them too; the tests import at these three only.
MANIFEST=${SEEN_LAB_MANIFEST:-$DATA/lab-three.json}
trap '"$SEEN" lab down "$LAB" >/dev/null 2>&1; t_cleanup' EXIT

# st NODE: the node's status as JSON; alive NODE: whether it answers.
st() { "$SEEN" --home "$LAB/$1" status --json 2>/dev/null; }
alive() { "$SEEN" --home "$LAB/$1" status --json >/dev/null 2>&1; }
# xl NODE KEY: a value of the exchange_log object of NODE's status.
xl() { st "$1" | grep -o '"exchange_log":{[^}]*}' | grep -o "\"$2\":[0-9a-z]*" | cut -d: -f2; }
# refused NODE KEY: a count of the refused object of NODE's status.
refused() { st "$1" | grep -o '"refused":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }

# feed NODE ORIGIN: the size of ORIGIN's feed that NODE holds.
feed() { st "$1" | grep -o '"feeds":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
# peer_count NODE PEER KEY: a count of NODE's status of its peer PEER.
peer_count() { st "$1" | grep -o "{\"node\":\"$2\"[^}]*}" | grep -o "\"$3\":[0-9]*" | cut -d: -f2; }
# prefixed PREFIX IN OUT: records with their ids prefixed, so that a second
# data set never replaces the records of the first.
prefixed() { sed "s/^{\"id\":\"/{\"id\":\"$1-/" "$2" >"$3"; }
# lab_endpoint NAME: the node's endpoint from lab.json.
lab_endpoint() {
  awk -F'"' -v n="$1" '/\{/ { name = ""; ep = "" }
    $2 == "name" { name = $4 } $2 == "endpoint" { ep = $4 }
    /\}/ { if (name == n && ep != "") print ep }' "$LAB/lab.json"
}
# id_key HOME KEY: a key (curve_pk, sign_pk) of `seen identity` of HOME.
id_key() { "$SEEN" --home "$1" identity --json | sed -n "s/.*\"$2\":\"\([0-9a-f]\{64\}\)\".*/\1/p"; }

# lab_converged HOUSEHOLDS: the lab up, each node importing its records
# of a data set of HOUSEHOLDS households (seen-synth, seed 5, in
# $T_DIR/synth), and converged.
lab_converged() {
  local n
  expect_status 0 "lab up" "$SEEN" lab up "$LAB" "$MANIFEST"
  for n in $NODES; do T_HOMES+=("$LAB/$n"); done
  export SEEN_PASSPHRASE_FILE=$LAB/passphrase
  expect_status 0 "seen-synth" "$SEEN_BIN/seen-synth" --manifest "$MANIFEST" \
    --out "$T_DIR/synth" --households "$1" --seed 5
  for n in $NODES; do
    expect_status 0 "import at $n" "$SEEN" --home "$LAB/$n" import --quiet "$T_DIR/synth/$n.jsonl"
  done
  expect_status 0 "lab wait: converged" "$SEEN" lab wait "$LAB" --timeout 120
}

# revoke_member NODE OTHERS...: the authority revokes NODE and signs, and
# the new document is installed at each of OTHERS (the first passes it on
# at once, so a later install may find it already held: both are success).
revoke_member() {
  local gone=$1 n rc; shift
  expect_status 0 "federation revoke $gone" "$SEEN" federation revoke "$LAB/authority" "$gone"
  expect_status 0 "federation sign" "$SEEN" federation sign "$LAB/authority"
  for n in "$@"; do
    "$SEEN" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" \
      >"$T_DIR/out" 2>"$T_DIR/err" && rc=0 || rc=$?
    check "membership install at $n (installed, or already passed on)" \
      sh -c "[ $rc -eq 0 ] || grep -q 'already holds' '$T_DIR/err'"
  done
}

# A fourth node, a school, and custodians (issue 16): four_manifest FILE
# [CUSTODIANS] writes the manifest of SC, POL, HEA and SCH to FILE, with
# CUSTODIANS (a JSON "custodians" object) when given; cust NODE KEY is a
# value of the custodian object of NODE's status.
SCH=reading-school
four_manifest() {
  local cu=""
  [ -z "${2:-}" ] || cu=" \"custodians\": $2,"
  cat >"$1" <<EOF
{"federation": "Thames Valley four",$cu
 "nodes": [
 {"name": "$SC", "agency": "Brighter Futures for Children", "type": "social_care", "local_authority": "Reading"},
 {"name": "$POL", "agency": "Thames Valley Police", "type": "police", "local_authority": "Reading"},
 {"name": "$HEA", "agency": "Royal Berkshire NHS Foundation Trust", "type": "health", "local_authority": "Reading"},
 {"name": "$SCH", "agency": "Reading Girls' School", "type": "school", "local_authority": "Reading"}
]}
EOF
}
cust() { st "$1" | grep -o '"custodian":{[^}]*}' | grep -o "\"$2\":[0-9a-z]*" | cut -d: -f2; }
# notices NODE KEY: a count of disclosure.notices in NODE's status.
notices() { st "$1" | grep -o '"notices":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
# wait_notices NODE N: true once NODE has kept N notices since it started.
wait_notices() {
  for _ in $(seq 1 480); do
    [ "$(notices "$1" received)" = "$2" ] && return 0
    sleep 0.25
  done
  return 1
}
# tok NODE KEY: a value of the tokens object of NODE's status.
tok() { st "$1" | grep -o '"tokens":{[^}]*}' | grep -o "\"$2\":[0-9a-z_\"]*" | cut -d: -f2 | tr -d '"'; }
# published EPOCH: true once every node of $ALL (default $NODES) has its
# entries under EPOCH.
published() {
  local n ok
  for _ in $(seq 1 240); do
    ok=1
    for n in ${ALL:-$NODES}; do [ "$(tok "$n" published_epoch)" = "$1" ] || ok=0; done
    [ $ok = 1 ] && return 0
    sleep 0.25
  done
  return 1
}
