#!/usr/bin/env bash
# The exchange log in a three-node lab: every envelope a node sends or
# accepts, and every query, is logged; envelopes carry checkpoints that
# peers witness and countersign (COSIGN); `seen audit export` at two nodes
# and `seen audit verify` of both passes, holds SENT and RECEIVED leaves
# and the QUERY record (and no identifier in clear), and fails once a byte
# of an export is flipped.  A query without a purpose, or by an auditor,
# is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
PURPOSE="section 47 enquiry about Mia Ward"

# flip FILE: invert the lowest bit of the byte in the middle of FILE.
flip() {
  local f=$1 off b
  off=$(($(stat -c %s "$f") / 2))
  b=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
  printf "$(printf '\\%03o' $((b ^ 1)))" |
    dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

expect_status 0 "lab up (three nodes)" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
cat >"$T_DIR/sc.jsonl" <<'EOT'
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","postcode":"RG1 5DF"},{"ref":"m1","role":"parent","given_name":"Chantelle","family_name":"Ward","date_of_birth":"1994-02-11","postcode":"RG1 5DF"}]}
EOT
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$DATA/example.jsonl"
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# --- queries: an operator who may query, and a purpose ---------------------
expect_status 1 "a query without --purpose is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead query --nhs "943 476 5919"
grep_err "a query needs --purpose" "...saying a purpose is needed"
expect_status 1 "a blank purpose is refused" \
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "   " --nhs "943 476 5919"
expect_status 1 "an auditor may not query" \
  "$SEEN" --home "$LAB/$SC" --as auditor query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_err "operator 'auditor' is an auditor" "...saying whose role does not allow it"
expect_status 1 "a query as no operator is refused" \
  "$SEEN" --home "$LAB/$SC" query --purpose "$PURPOSE" --nhs "943 476 5919"
expect_status 1 "a query as an unknown operator is refused" \
  "$SEEN" --home "$LAB/$SC" --as nobody query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_err "unknown operator 'nobody'" "...naming it"
q0=$(xl $SC leaves)
expect_status 0 "a lead queries with a purpose at $SC" \
  "$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --nhs "943 476 5919" --json
grep_out "\"node\":\"$POL\"" "...and finds the police record of the child"
q1=$(xl $SC leaves)
check "...the query is logged (exchange log $q0 -> $q1 leaves)" \
  test -n "$q0" -a -n "$q1" -a "${q1:-0}" -gt "${q0:-0}"

# --- witnessing ---------------------------------------------------------------
got=0
for _ in $(seq 1 40); do
  a=$(xl $SC cosignatures_received)
  b=$(xl $POL cosignatures_received)
  [ "${a:-0}" -ge 1 ] && [ "${b:-0}" -ge 1 ] && got=1 && break
  sleep 0.25
done
check "peers countersign checkpoints carried in envelopes (COSIGN)" test "$got" = 1
# The cross checks below need each of the two exported nodes to hold a
# checkpoint of the other's log, which travels in the envelopes a node
# sends once it has signed one: a cosignature from the third node does
# not say that they do.  One more record at each, once both have signed,
# and the lab converges again.
# Each holds one once an envelope from the other reaches it after the
# other signed: a round in which both send (HEADS of a new record) makes
# that so, but under load the entries may travel through the third node
# first; so a round more, up to three, until each holds one of the
# other's log (read from exports through the running daemons).
# holds_cross: 0 once $SC and $POL each hold a checkpoint of the other's log.
holds_cross() {
  rm -rf "$T_DIR/c-sc" "$T_DIR/c-pol"
  env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/c-sc" </dev/null >/dev/null 2>&1 &&
    env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/c-pol" </dev/null >/dev/null 2>&1 || return 1
  "$SEEN" audit verify "$T_DIR/c-sc" "$T_DIR/c-pol" >"$T_DIR/c-verify" 2>&1
  grep -Eq "c-sc: [^ ]*c-pol holds [1-9][0-9]* checkpoints" "$T_DIR/c-verify" &&
    grep -Eq "c-pol: [^ ]*c-sc holds [1-9][0-9]* checkpoints" "$T_DIR/c-verify"
}
for round in 1 2 3; do
  prefixed "X$round" "$T_DIR/sc.jsonl" "$T_DIR/sc-x.jsonl"
  prefixed "X$round" "$DATA/example.jsonl" "$T_DIR/pol-x.jsonl"
  expect_status 0 "one more record at $SC (round $round)" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc-x.jsonl"
  expect_status 0 "and at $POL" "$SEEN" --home "$LAB/$POL" import "$T_DIR/pol-x.jsonl"
  expect_status 0 "the lab converges again" "$SEEN" lab wait "$LAB" --timeout 120
  holds_cross && break
done
check "$SC and $POL each hold a checkpoint of the other's log (round $round)" holds_cross
check "...$POL keeps the leaves of the ENTRIES it logged as references to its feeds" \
  test "$(xl $POL bytes_packed)" -gt 0
for n in $SC $POL $HEA; do
  check "$n logged the envelopes it sent" test "$(xl $n envelopes_sent)" -gt 0
  check "...and still signs checkpoints" \
    sh -c "'$SEEN' --home '$LAB/$n' status --json | grep -q '\"halted\":false'"
done

# --- export and verify ----------------------------------------------------------
# Stopped, so that no node holds a checkpoint of another's log that the
# other's export would not hold yet.  (An export of a running node works
# too: it reads one consistent view of the store.)
# A running node exports through its daemon: the auditor has no
# passphrase (docs/operations.md, "Export for audit").
expect_status 0 "export at a running node, without the passphrase" \
  env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$LAB/$HEA" --as auditor audit export "$T_DIR/x-hea-live" </dev/null
grep_out "Exported [1-9][0-9]* leaves" "...writes its leaves"
check "...its files are the auditor's alone" test "$(stat -c %a "$T_DIR/x-hea-live/leaves.bin")" = 600
expect_status 0 "...and the export verifies" "$SEEN" audit verify "$T_DIR/x-hea-live"
grep_out "^verified: every check passed" "...every check passed"
expect_status 1 "a lead cannot export through the running node" \
  env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$LAB/$HEA" --as lead audit export "$T_DIR/x-hea-lead" </dev/null
check "...and nothing was written" test ! -e "$T_DIR/x-hea-lead/manifest.txt"
expect_status 1 "a running node's export into a folder that holds one is refused" \
  env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$LAB/$HEA" --as auditor audit export "$T_DIR/x-hea-live" </dev/null
expect_status 0 "lab down" "$SEEN" lab down "$LAB"
expect_status 0 "audit export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/x-sc"
grep_out "Exported [1-9][0-9]* leaves, [1-9][0-9]* checkpoints" "...leaves and checkpoints"
expect_status 0 "audit export at $POL" "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/x-pol"
expect_status 1 "export to a folder that holds an export is refused" \
  "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/x-pol"
expect_status 0 "audit verify of both exports passes" \
  "$SEEN" audit verify "$T_DIR/x-sc" "$T_DIR/x-pol"
grep_out "^verified: every check passed" "...every check passed"
grep_out "x-sc: [0-9]+ leaves decode and keep the leaf rules \(sent [1-9][0-9]*, received [1-9][0-9]*, queries [1-9]" \
  "...$SC's log holds sent and received envelopes and the query"
grep_out "x-pol: [0-9]+ leaves decode and keep the leaf rules \(sent [1-9][0-9]*, received [1-9][0-9]*," \
  "...$POL's log holds sent and received envelopes"
grep_out "^ok +cross +[^ ]*x-sc: [^ ]*x-pol holds [1-9][0-9]* checkpoints of this log; all agree" \
  "...$POL holds checkpoints of $SC's log that agree with it"
grep_out "^ok +cross +[^ ]*x-pol: [^ ]*x-sc holds [1-9][0-9]* checkpoints of this log; all agree" \
  "...and $SC of $POL's"
check "the query record names the operator's purpose" grep -aq "$PURPOSE" "$T_DIR/x-sc/leaves.bin"
check "...but not the NHS number searched for" \
  sh -c "! grep -aq -e 9434765919 -e '943 476 5919' '$T_DIR/x-sc/leaves.bin'"
check "no export holds a name in clear" \
  sh -c "! grep -aqr -e Chantelle -e Kowalski '$T_DIR/x-sc' '$T_DIR/x-pol'"
expect_status 0 "the export of a node while it ran verifies too" \
  "$SEEN" audit verify "$T_DIR/x-hea-live"

# --- tampering --------------------------------------------------------------------
for f in leaves.bin checkpoints.bin; do
  rm -rf "$T_DIR/x-bad"
  cp -r "$T_DIR/x-sc" "$T_DIR/x-bad"
  flip "$T_DIR/x-bad/$f"
  expect_status 1 "audit verify fails once a byte of $f is flipped" \
    "$SEEN" audit verify "$T_DIR/x-bad" "$T_DIR/x-pol"
  grep_out "^NOT verified" "...and says so"
done
t_end
