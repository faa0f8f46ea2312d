#!/usr/bin/env bash
# Rotating a node's own keys with real daemons (docs/operations.md,
# "Rotate the node's keys"): the health node's keystore is sealed under a
# new passphrase while it runs, and only the new one starts it; then it
# gets a new CurveZMQ key pair while stopped, the authority publishes it
# (federation add of the new identity updates the member, sign), and the
# node exchanges again under the new key: it takes a record imported
# elsewhere and matches it with the match key it holds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

curve_of() { tr -d ' \n' <"$1" | sed -n 's/.*"curve_pk":"\([0-9a-f]\{64\}\)".*/\1/p'; }

expect_status 0 "lab up (three nodes)" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
prefixed a "$DATA/example.jsonl" "$T_DIR/a.jsonl"
prefixed b "$DATA/example.jsonl" "$T_DIR/b.jsonl"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$T_DIR/a.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# --- a new passphrase ---------------------------------------------------------
printf 'a new passphrase for the health node\n' >"$T_DIR/new-pass"
chmod 600 "$T_DIR/new-pass"
expect_status 2 "keys needs passphrase or transport" "$SEEN" --home "$LAB/$HEA" keys
printf 'not the passphrase\n' >"$T_DIR/wrong-pass"
expect_status 1 "the wrong current passphrase is refused" \
  env SEEN_PASSPHRASE_FILE="$T_DIR/wrong-pass" SEEN_NEW_PASSPHRASE_FILE="$T_DIR/new-pass" \
  "$SEEN" --home "$LAB/$HEA" keys passphrase --kdf interactive
grep_err "wrong passphrase" "...saying so"
cp "$LAB/$HEA/keystore" "$T_DIR/keystore-before"
expect_status 0 "the running node's keystore is sealed under a new passphrase" \
  env SEEN_NEW_PASSPHRASE_FILE="$T_DIR/new-pass" \
  "$SEEN" --home "$LAB/$HEA" keys passphrase --kdf interactive
check "...the keystore changed" sh -c "! cmp -s '$T_DIR/keystore-before' '$LAB/$HEA/keystore'"
check "...still mode 600" test "$(stat -c %a "$LAB/$HEA/keystore")" = 600
expect_status 0 "$HEA stops" "$SEEN" --home "$LAB/$HEA" node stop
expect_status 1 "the old passphrase no longer starts it" "$SEEN" --home "$LAB/$HEA" node start
expect_status 0 "the new one does" \
  env SEEN_PASSPHRASE_FILE="$T_DIR/new-pass" "$SEEN" --home "$LAB/$HEA" node start

# --- a new transport key ------------------------------------------------------
NEWPASS=$T_DIR/new-pass
env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" identity --json >"$T_DIR/id-before"
old=$(curve_of "$T_DIR/id-before")
expect_status 1 "a running node's transport key is not rotated" \
  env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" keys transport --kdf interactive
grep_err "stop it first" "...saying to stop it"
expect_status 0 "$HEA stops" env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" node stop
expect_status 0 "a new transport key for the stopped node" \
  env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" keys transport --kdf interactive
new=$(curve_of "$LAB/$HEA/identity.json")
check "...identity.json names a new curve_pk" sh -c "[ -n '$new' ] && [ '$new' != '$old' ]"
grep_out "curve_pk $new" "...and says it"
expect_status 0 "the authority updates the member" \
  "$SEEN" federation add "$LAB/authority" --identity "$LAB/$HEA/identity.json"
grep_out "Updated the transport key of '$HEA'" "...saying so"
expect_status 1 "...once: the same key again is refused" \
  "$SEEN" federation add "$LAB/authority" --identity "$LAB/$HEA/identity.json"
grep_err "already a member with that transport key" "...saying so"
expect_status 0 "the authority signs" "$SEEN" federation sign "$LAB/authority"
expect_status 0 "the document shows the new key" \
  "$SEEN" federation show "$LAB/authority/membership.pb" --json \
  --authority "$(tr -d ' \n' <"$LAB/authority/authority.pub")"
grep_out "$new" "...for $HEA"
expect_status 0 "installed at $SC, which passes it on" \
  "$SEEN" --home "$LAB/$SC" membership install "$LAB/authority/membership.pb"
expect_status 0 "$HEA starts under its new key" \
  env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" node start
expect_status 0 "import more at $POL" "$SEEN" --home "$LAB/$POL" import "$T_DIR/b.jsonl"
got=0
want=$(feed $POL $POL)
for _ in $(seq 1 480); do
  [ "$(env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" status --json 2>/dev/null |
    grep -o '"feeds":{[^}]*}' | grep -o "\"$POL\":[0-9]*" | cut -d: -f2)" = "$want" ] && got=1 && break
  sleep 0.25
done
check "$HEA takes $POL's new entries over its new key ($want)" test "$got" = 1
expect_status 0 "...and matches them with the match key it holds" \
  env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" --as lead query \
  --purpose "key rotation test" --nhs "943 476 5919" --json
equal "$(grep -o '"handle"' "$T_DIR/out" | wc -l)" 2 \
  "...finding the child's record imported after the rotation beside the first"
ver=0
for _ in $(seq 1 240); do
  v=$(env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" status --json 2>/dev/null |
    grep -o '"membership_version":[0-9]*' | cut -d: -f2)
  [ "${v:-0}" -ge 2 ] && ver=1 && break
  sleep 0.25
done
check "...and holds the document naming its new key, passed on by a peer" test "$ver" = 1
env SEEN_PASSPHRASE_FILE="$NEWPASS" "$SEEN" --home "$LAB/$HEA" node stop >/dev/null 2>&1
t_end
