#!/usr/bin/env bash
# A custodian moved to another endpoint without a restart (issue 16;
# docs/operations.md, "Moving a custodian"): four nodes, three of them
# custodians of an OPRF key split 2 of 3 and the school none; the
# authority deals the key again with one custodian (health) at a port
# another node holds: health keeps serving where it was and its status
# says where it is wanted and why it is not there; dealt again at a free
# port, it moves there and lets the old one go; then, with social care
# stopped, the school's lead still gets a query's tokens, through police
# and the moved health, and `seen custodians check` shows health
# answering at its new endpoint.  No node restarts (the same pids).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

PURPOSE="section 47 strategy discussion, custodian move test"
four_manifest "$T_DIR/four.json"
ALL="$NODES $SCH"
# cust_str NODE KEY: a string of the custodian object of NODE's status.
cust_str() { st "$1" | grep -o '"custodian":{[^}]*}' | grep -o "\"$2\":\"[^\"]*\"" | cut -d'"' -f4; }
# serving_at NODE EP: true once NODE's custodian serves epoch $2 at EP.
serving_at() {
  for _ in $(seq 1 100); do
    [ "$(cust "$1" epoch)" = "$2" ] && [ "$(cust_str "$1" endpoint)" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}
# deal ARGS...: a new OPRF epoch 2 of 3 among ARGS, signed and installed.
deal() {
  expect_status 0 "federation custodians 2 of 3: $*" \
    "$SEEN" federation custodians "$LAB/authority" --threshold 2 "$@"
  expect_status 0 "federation sign" "$SEEN" federation sign "$LAB/authority"
  for n in $ALL; do
    "$SEEN" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" >/dev/null 2>&1 || true
  done
}
# listening PORT: true when something accepts TCP connections on it.
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# let_go PORT: true once nothing listens on PORT.
let_go() { for _ in $(seq 1 100); do listening "$1" || return 0; sleep 0.1; done; return 1; }
port_of() { echo "${1##*:}"; }

expect_status 0 "lab up (four nodes)" "$SEEN" lab up "$LAB" "$T_DIR/four.json" --ports 20000-40000
for n in $ALL; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
# A short wait for a custodian that does not answer, at the school.
expect_status 0 "$SCH stops" "$SEEN" --home "$LAB/$SCH" node stop
sed -i 's/^\[federation\]/[federation]\ncustodian_timeout = 3/' "$LAB/$SCH/seen.conf"
expect_status 0 "$SCH starts" "$SEEN" --home "$LAB/$SCH" node start

deal $SC $POL $HEA
for n in $NODES; do
  for _ in $(seq 1 100); do [ "$(cust "$n" serving)" = true ] && break; sleep 0.1; done
  equal "$(cust "$n" serving)" true "$n serves as a custodian"
done
OLD=$(cust_str $HEA endpoint)
check "$HEA listens at its custodian endpoint $OLD" listening "$(port_of "$OLD")"
check "every node publishes its records under epoch 2" published 2
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
for n in $ALL; do cp "$LAB/$n/seen-node.pid" "$T_DIR/$n.pid"; done

# --- moved to a port another node holds: it stays, saying so ------------------
TAKEN=$(lab_endpoint $SC)
deal $SC $POL "$HEA=$TAKEN"
check "$HEA serves epoch 3 at its old endpoint" serving_at $HEA 3 "$OLD"
equal "$(cust_str $HEA endpoint_wanted)" "$TAKEN" "...its status says where it is wanted"
check "...and why it is not there" test -n "$(cust_str $HEA endpoint_error)"
check "...and it still listens there" listening "$(port_of "$OLD")"
equal "$(grep -c "cannot move to '$TAKEN'" "$LAB/$HEA/seen-node.log")" 1 "...logged once"
check "every node publishes its records under epoch 3" published 3

# --- moved to a free port: it moves, and lets the old one go ------------------
P=$(( $(port_of "$OLD") + 1 ))
while listening $P || grep -q ":$P\"" "$LAB/lab.json"; do P=$((P + 1)); done
NEW=tcp://127.0.0.1:$P
deal $SC $POL "$HEA=$NEW"
check "$HEA serves epoch 4 at $NEW" serving_at $HEA 4 "$NEW"
equal "$(cust_str $HEA endpoint_wanted)" "" "...wanted nowhere else"
check "...listening there" listening $P
check "...and no longer at $OLD" let_go "$(port_of "$OLD")"
check "every node publishes its records under epoch 4" published 4
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# --- social care stopped: the school's tokens through police and health -------
expect_status 0 "$SC stops" "$SEEN" --home "$LAB/$SC" node stop
expect_status 0 "a lead at $SCH queries the child" \
  "$SEEN" --home "$LAB/$SCH" --as lead query --purpose "$PURPOSE" --given Mia --family Ward --dob 2020-09-30 --json
grep_out "\"node\":\"$POL\"" "...and sees $POL's entries"
expect_status 0 "custodians check at $SCH" \
  "$SEEN" --home "$LAB/$SCH" --as admin custodians check --json
grep_out "\"name\":\"$HEA\"[^}]*\"endpoint\":\"$NEW\"[^}]*\"answered\":true,\"status\":\"ok\"" \
  "...$HEA answered at $NEW"
grep_out "\"name\":\"$SC\"[^}]*\"answered\":false" "...$SC did not"
expect_status 0 "$SC starts" "$SEEN" --home "$LAB/$SC" node start
for n in $POL $HEA $SCH; do
  equal "$(cat "$LAB/$n/seen-node.pid")" "$(cat "$T_DIR/$n.pid")" "$n never restarted"
done
t_end
