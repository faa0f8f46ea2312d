#!/usr/bin/env bash
# Witnessing for the life of a federation, with real daemons: a node signs
# a checkpoint of its exchange log when the log grew (here at most once a
# second: [federation] checkpoint_every = 1) and shows it to its witnesses
# (three nodes: each is witnessed by both others); a witness holding an
# earlier one asks for a consistency proof (GET_XPROOF), checks the answer
# (XPROOF) and countersigns (COSIGN), again and again, so that after two
# imports and queries at different times each node holds cosignatures of
# more than one checkpoint from each peer, no checkpoint stays pending,
# and the exports of all three verify together.  (Protocol chatter is not
# logged: only content -- entries, membership, queries -- grows a log, so
# the test makes content where it needs a log to grow.)  A hostile peer's GET_XPROOF and
# XPROOF (sizes beyond the log, from > to, a proof of the wrong length, a
# checkpoint of another log) are refused as malformed, and a proof that
# does not hold is kept as evidence and counted as inconsistent.  A node
# restored from a backup stops signing once a peer shows it a checkpoint
# of the history it lost, until an admin resolves it (seen node resolve).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PROBE=$SEEN_BIN/seen-probe

# --- helpers (JSON read with grep/sed: no python or jq) ---------------------
# peer_cosigs NODE PEER: cosignatures NODE kept from PEER since it started.
peer_cosigs() {
  st "$1" | grep -o "{\"node\":\"$2\"[^}]*}" | grep -o '"cosignatures":[0-9]*' | cut -d: -f2
}
# least_cosigs NODE: the fewest cosignatures NODE kept from one of its peers.
least_cosigs() {
  local n=$1 o v min=
  for o in $NODES; do
    [ "$o" = "$n" ] && continue
    v=$(peer_cosigs "$n" "$o")
    v=${v:-0}
    if [ -z "$min" ] || [ "$v" -lt "$min" ]; then min=$v; fi
  done
  echo "${min:-0}"
}
lab_endpoint() {
  awk -F'"' -v n="$1" '/\{/ { name = ""; ep = "" }
    $2 == "name" { name = $4 } $2 == "endpoint" { ep = $4 }
    /\}/ { if (name == n && ep != "") print ep }' "$LAB/lab.json"
}
id_key() { "$SEEN" --home "$1" identity --json | sed -n "s/.*\"$2\":\"\([0-9a-f]\{64\}\)\".*/\1/p"; }
# ask NODE: a lead's query at NODE, which adds a leaf to its exchange log.
ask() {
  "$SEEN" --home "$LAB/$1" --as lead query --purpose "witness test" \
    --nhs "943 476 5919" >/dev/null 2>&1
}
# fast_checkpoints: sign checkpoints at most a second apart at every node
# (restarting the lab, on the same data).
fast_checkpoints() {
  local n
  "$SEEN" lab down "$LAB" >/dev/null 2>&1
  for n in $NODES; do
    sed -i 's/^checkpoint_every = .*/checkpoint_every = 1/' "$LAB/$n/seen.conf"
  done
  "$SEEN" lab up "$LAB" "$DATA/lab-three.json" >/dev/null
}
# wait_rise NODE COUNTER BEFORE: true once the refused counter exceeds BEFORE.
wait_rise() {
  local v
  for _ in $(seq 1 80); do
    v=$(refused "$1" "$2")
    [ -n "$v" ] && [ "$v" -gt "$3" ] && return 0
    sleep 0.25
  done
  echo "    $1: $2 stayed at ${v:-?} (was $3)"
  return 1
}

check "seen-probe is built" test -x "$PROBE"

# --- a first import, and the first checkpoints cosigned ----------------------
expect_status 0 "lab up (three nodes)" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
check "checkpoints at most a second apart (seen.conf, lab restarted)" fast_checkpoints
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
got=0
for _ in $(seq 1 240); do
  got=1
  for n in $NODES; do [ "$(least_cosigs "$n")" -ge 1 ] || got=0; done
  [ "$got" = 1 ] && break
  sleep 0.25
done
check "every node keeps a cosignature from each peer" test "$got" = 1
c1=()
for n in $NODES; do c1+=("$(xl "$n" cosignatures_received)"); done

# --- a second import, later: witnessing goes on ------------------------------
cat >"$T_DIR/sc.jsonl" <<'EOT'
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","postcode":"RG1 5DF"},{"ref":"m1","role":"parent","given_name":"Chantelle","family_name":"Ward","date_of_birth":"1994-02-11","postcode":"RG1 5DF"}]}
EOT
expect_status 0 "a later import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "the lab converges again" "$SEEN" lab wait "$LAB" --timeout 120
# More than one checkpoint of each node's log cosigned by each peer, and
# a moment when no checkpoint of a peer waits for a proof: a query now
# and then grows each log again.
more=0
for i in $(seq 1 480); do
  more=1
  for n in $NODES; do [ "$(least_cosigs "$n")" -ge 3 ] || more=0; done
  [ "$more" = 1 ] && break
  if [ $((i % 8)) = 1 ]; then for n in $NODES; do ask "$n"; done; fi
  sleep 0.25
done
check "every node keeps cosignatures of more than one checkpoint from each peer" test "$more" = 1
i=0
for n in $NODES; do
  for _ in $(seq 1 480); do
    c2=$(xl "$n" cosignatures_received)
    [ "${c2:-0}" -gt "${c1[$i]:-0}" ] && break
    sleep 0.25
  done
  check "...$n: cosignatures received go on growing (${c1[$i]} -> $c2)" test "${c2:-0}" -gt "${c1[$i]:-0}"
  check "...$n asked its peers for consistency proofs" test "$(xl "$n" proofs_asked)" -gt 0
  check "...$n served consistency proofs" test "$(xl "$n" proofs_served)" -gt 0
  i=$((i + 1))
done
for n in $NODES; do
  zero=0
  for _ in $(seq 1 480); do
    [ "$(xl "$n" checkpoints_pending)" = 0 ] && zero=1 && break
    sleep 0.25
  done
  check "$n: no checkpoint of a peer left pending" test "$zero" = 1
  equal "$(refused "$n" malformed)" 0 "...$n refused nothing as malformed"
  equal "$(refused "$n" inconsistent)" 0 "...nor found anything inconsistent"
  equal "$(xl "$n" halted)" false "...and still signs checkpoints"
done

# --- hostile GET_XPROOF and XPROOF ---------------------------------------------
TEP=$(lab_endpoint $SC)
TCURVE=$(id_key "$LAB/$SC" curve_pk)
TSIGN=$(id_key "$LAB/$SC" sign_pk)
probe() { "$PROBE" --to "$TEP" --to-curve "$TCURVE" --to-sign "$TSIGN" "$@"; }
# hostile DESC COUNTER PROBE-ARGS...: the probe sends, the counter rises,
# the node still answers.
hostile() {
  local d=$1 c=$2 before
  shift 2
  before=$(refused $SC "$c")
  expect_status 0 "probe sends $d" probe "$@"
  check "...$SC refuses it ($c)" wait_rise $SC "$c" "${before:-0}"
  check "...and still answers" alive $SC
}
hostile "GET_XPROOF to a size beyond the log" malformed \
  --home "$LAB/$POL" --from 1 --size 1000000000 get-xproof
hostile "GET_XPROOF from a size above the one asked to" malformed \
  --home "$LAB/$POL" --from 3 --size 2 get-xproof
hostile "GET_XPROOF from size 0" malformed \
  --home "$LAB/$POL" --from 0 --size 2 get-xproof
hostile "XPROOF from a size above its checkpoint's" malformed \
  --home "$LAB/$POL" --from 9 --size 4 xproof
hostile "XPROOF with a proof of the wrong length" malformed \
  --home "$LAB/$POL" --from 3 --size 9 --proof-len 7 xproof
hostile "XPROOF of another node's log" malformed \
  --home "$LAB/$POL" --cp-from "$LAB/$HEA" --from 3 --size 9 xproof
equal "$(refused $SC inconsistent)" 0 "...none of them taken as evidence"

# --- export and verify -----------------------------------------------------------
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
for n in $NODES; do
  expect_status 0 "audit export at $n" "$SEEN" --home "$LAB/$n" --as auditor audit export "$T_DIR/x-$n"
done
expect_status 0 "audit verify of the three exports passes" \
  "$SEEN" audit verify "$T_DIR/x-$SC" "$T_DIR/x-$POL" "$T_DIR/x-$HEA"
grep_out "^verified: every check passed" "...every check passed"
for n in $NODES; do
  grep_out "^ok +cosignatures +[^ ]*x-$n: ([4-9]|[1-9][0-9]+) cosignatures" \
    "...$n's export holds cosignatures of several checkpoints by its two peers"
done

# --- a proof that does not hold ----------------------------------------------------
# With $HEA stopped, what $SC holds of its log stays put; the probe, with
# $HEA's keys, answers from that size with a proof for another root.
expect_status 0 "$SC starts again" "$SEEN" --home "$LAB/$SC" node start
T_HOMES+=("$LAB/$SC")
expect_status 0 "export at $SC while it runs" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/y-$SC"
hostile "an XPROOF whose proof does not hold" inconsistent \
  --home "$LAB/$HEA" --held "$T_DIR/y-$SC/peer-checkpoints.bin" --size-above 7 xproof
check "...with an ALERT in $SC's log" grep -q "ALERT: the exchange log of '$HEA'" "$LAB/$SC/seen-node.log"
expect_status 0 "$SC stops" "$SEEN" --home "$LAB/$SC" node stop
expect_status 0 "export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/z-$SC"
expect_status 0 "its export verifies, the evidence a finding for the auditor" \
  "$SEEN" audit verify "$T_DIR/z-$SC"
grep_out "^FINDING +evidence" "...reported as a finding"

# --- a node restored from a backup, and an operator's resolution -------------
# $HEA is backed up, goes on (its peers countersign checkpoints beyond the
# backup), and is restored: once its log is longer than a checkpoint a
# peer holds of it, that peer shows it that checkpoint (GET_XPROOF) and
# it stops signing.  An admin resolves it; it signs again only above
# every checkpoint of its own it has seen, and its peers keep the two
# histories as evidence.
expect_status 0 "lab up again" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
expect_status 0 "$HEA stops" "$SEEN" --home "$LAB/$HEA" node stop
cp "$LAB/$HEA/store/data.mdb" "$T_DIR/hea-backup.mdb"
expect_status 0 "$HEA starts" "$SEEN" --home "$LAB/$HEA" node start
more=0
for i in $(seq 1 480); do
  [ "$(xl $HEA cosignatures_received)" -ge 4 ] && more=1 && break
  [ $((i % 8)) = 1 ] && ask $HEA
  sleep 0.25
done
check "...and its peers countersign checkpoints beyond the backup" test "$more" = 1
expect_status 0 "$HEA stops" "$SEEN" --home "$LAB/$HEA" node stop
cp "$T_DIR/hea-backup.mdb" "$LAB/$HEA/store/data.mdb"
expect_status 0 "$HEA starts from its backup" "$SEEN" --home "$LAB/$HEA" node start
halted=0
for _ in $(seq 1 480); do
  [ "$(xl $HEA halted)" = true ] && halted=1 && break
  sleep 0.25
done
check "...is shown a checkpoint of its own its log contradicts, and stops signing" test "$halted" = 1
# Before resolving it, let every peer show it what it holds of its log
# (status: checkpoints_shown under peers), so that it knows every size it
# signed.
shown=0
for _ in $(seq 1 480); do
  a=$(st $HEA | grep -o "{\"node\":\"$SC\"[^}]*}" | grep -o '"checkpoints_shown":[0-9]*' | cut -d: -f2)
  b=$(st $HEA | grep -o "{\"node\":\"$POL\"[^}]*}" | grep -o '"checkpoints_shown":[0-9]*' | cut -d: -f2)
  [ "${a:-0}" -ge 1 ] && [ "${b:-0}" -ge 1 ] && shown=1 && break
  sleep 0.25
done
check "...and both its peers have shown it the checkpoint they hold of its log" test "$shown" = 1
check "...with an ALERT in its log" \
  grep -q "ALERT: '[a-z-]*' holds a checkpoint of this node's exchange log that the log contradicts" \
  "$LAB/$HEA/seen-node.log"
expect_status 2 "node resolve needs a reason" "$SEEN" --home "$LAB/$HEA" --as admin node resolve
expect_status 1 "a lead may not resolve it" \
  "$SEEN" --home "$LAB/$HEA" --as lead node resolve --reason "restored from a backup"
grep_err "operator 'lead' is a lead" "...saying whose role does not allow it"
expect_status 0 "an admin resolves it" \
  "$SEEN" --home "$LAB/$HEA" --as admin node resolve --reason "restored from the backup taken in the test"
grep_out "^Resolved: the evidence is kept; .* more than [1-9][0-9]* leaves" "...saying when it signs again"
expect_status 1 "...once: then there is nothing to resolve" \
  "$SEEN" --home "$LAB/$HEA" --as admin node resolve --reason "again"
grep_err "not halted" "...saying so"
floor=$(xl $HEA signs_above)
signs=0
for _ in $(seq 1 480); do
  [ "$(xl $HEA halted)" = false ] && signs=1 && break
  # Its log grows with queries, not with chatter.
  [ "$(xl $HEA leaves)" -gt "${floor:-0}" ] || ask $HEA
  sleep 0.25
done
check "$HEA signs again once its log is above $floor leaves" test "$signs" = 1
check "...its log is above that" test "$(xl $HEA leaves)" -gt "${floor:-0}"
found=0
for _ in $(seq 1 480); do
  a=$(refused $SC inconsistent)
  b=$(refused $POL inconsistent)
  [ "${a:-0}" -ge 1 ] && [ "${b:-0}" -ge 1 ] && found=1 && break
  sleep 0.25
done
check "...and its peers keep its two histories as evidence" test "$found" = 1
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
expect_status 0 "audit export at $HEA" "$SEEN" --home "$LAB/$HEA" --as auditor audit export "$T_DIR/r-$HEA"
expect_status 1 "its export does not verify: the evidence against its own log is kept" \
  "$SEEN" audit verify "$T_DIR/r-$HEA"
grep_out "^FAIL +evidence" "...reported under evidence"
t_end
