#!/usr/bin/env bash
# The federation authority's tool, end to end with two node homes:
# federation init, identity, add, sign, show, revoke, rotate; what must be
# refused (bad usage, duplicates, an endpoint without a port, a wrong
# authority key, a corrupt document, a wrong passphrase, an interrupted
# rotation); and that no match key is ever written or printed in clear.
. "$(dirname "$0")/lib.sh"
A=$T_DIR/authority

# --- init -----------------------------------------------------------------
expect_status 0 "federation --help" "$SEEN" federation --help
grep_out "seen federation init AUTHDIR" "...lists the subcommands"
expect_status 2 "federation without a subcommand is bad usage" "$SEEN" federation
expect_status 2 "an unknown subcommand is bad usage" "$SEEN" federation launch "$A"
expect_status 2 "init without --name is bad usage" "$SEEN" federation init "$A"
expect_status 2 "init with a bad --kdf is bad usage" \
  "$SEEN" federation init "$A" --name X --kdf weak
expect_status 2 "init without AUTHDIR is bad usage" "$SEEN" federation init --name X
expect_status 0 "federation init" \
  "$SEEN" federation init "$A" --name "Thames Valley pilot" --kdf interactive
grep_out "^Authority public key: [0-9a-f]{64}$" "...prints the authority public key"
AK=$(sed -n 's/^Authority public key: //p' "$T_DIR/out")
equal "$(cat "$A/authority.pub")" "$AK" "authority.pub holds the same key"
equal "$(stat -c %a "$A")" 700 "the authority directory is private (0700)"
equal "$(stat -c %a "$A/authority.key")" 600 "authority.key is mode 0600"
equal "$(stat -c %a "$A/state.json")" 600 "state.json is mode 0600"
expect_status 0 "state.json: version 1 next, epoch 1, no members" \
  grep -qzE '"next_version": 1,.*"epoch": 1,.*"members": \[\]' "$A/state.json"
expect_status 1 "state.json holds no match key" grep -qi match "$A/state.json"
expect_status 1 "init refuses an existing authority directory" \
  "$SEEN" federation init "$A" --name Other --kdf interactive
grep_err "exists and is not empty" "...saying why"

# --- identity ---------------------------------------------------------------
new_node reading-social-care social_care Reading; N1=$H
new_node thames-valley-police police Reading; N2=$H
expect_status 1 "add before 'seen identity' says what to run" \
  "$SEEN" federation add "$A" --home "$N1"
grep_err "run 'seen --home .* identity' first" "...naming the command"
expect_status 2 "identity without a home is bad usage" "$SEEN" identity
expect_status 0 "identity --json" "$SEEN" --home "$N1" identity --json
grep_out '^\{"name":"reading-social-care","agency":"","type":"social_care","local_authority":"Reading","sign_pk":"[0-9a-f]{64}","curve_pk":"[0-9a-f]{64}","endpoint":"tcp://127.0.0.1:0","xlog_vkey":"seen/xlog/[0-9a-f]{64}\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+","feed_vkey":"seen/feed/[0-9a-f]{64}\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+","witness_vkey":"seen/witness/[0-9a-f]{64}\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+"\}$' \
  "...prints the public identity on one line"
S1=$(grep -oE '"sign_pk":"[0-9a-f]{64}"' "$T_DIR/out" | grep -oE '[0-9a-f]{64}')
equal "$(stat -c %a "$N1/identity.json")" 644 "identity.json is public (0644)"
expect_status 0 "identity.json holds the same key" grep -q "\"sign_pk\": \"$S1\"" "$N1/identity.json"
expect_status 0 "node start" "$SEEN" --home "$N1" node start
expect_status 0 "identity of a running node" "$SEEN" --home "$N1" identity
grep_out "^sign_pk: $S1$" "...is the same identity"
expect_status 0 "node stop" "$SEEN" --home "$N1" node stop
printf 'not the passphrase\n' >"$T_DIR/wrong"
expect_status 1 "identity with a wrong passphrase fails" \
  env SEEN_PASSPHRASE_FILE="$T_DIR/wrong" "$SEEN" --home "$N1" identity
grep_err "wrong passphrase" "...saying so"

# --- add --------------------------------------------------------------------
expect_status 1 "add refuses an endpoint without a fixed port" \
  "$SEEN" federation add "$A" --home "$N1"
grep_err "fixed port" "...saying why"
expect_status 2 "add with a wildcard --endpoint is bad usage" \
  "$SEEN" federation add "$A" --home "$N1" --endpoint 'tcp://*:17401'
expect_status 2 "add with a portless --endpoint is bad usage" \
  "$SEEN" federation add "$A" --home "$N1" --endpoint tcp://127.0.0.1
expect_status 2 "add with both --home and --identity is bad usage" \
  "$SEEN" federation add "$A" --home "$N1" --identity "$N1/identity.json"
expect_status 2 "add with neither is bad usage" "$SEEN" federation add "$A"
expect_status 0 "add --home with --endpoint" \
  "$SEEN" federation add "$A" --home "$N1" --endpoint tcp://127.0.0.1:17401
grep_out "Added 'reading-social-care' \(social_care, Reading\) at tcp://127.0.0.1:17401" \
  "...enrols it"
expect_status 1 "adding it twice is refused" \
  "$SEEN" federation add "$A" --home "$N1" --endpoint tcp://127.0.0.1:17401
grep_err "already a member" "...as already a member"

sed -i 's|^listen = .*|listen = tcp://127.0.0.1:17402|' "$N2/seen.conf"
expect_status 0 "identity of the second node" "$SEEN" --home "$N2" identity
cp "$N2/identity.json" "$T_DIR/tvp.json"
sed 's/"thames-valley-police"/"impostor"/' "$T_DIR/tvp.json" >"$T_DIR/impostor.json"
sed 's/"police"/"navy"/' "$T_DIR/tvp.json" >"$T_DIR/badtype.json"
expect_status 1 "an identity with an unknown type is refused" \
  "$SEEN" federation add "$A" --identity "$T_DIR/badtype.json"
grep_err "not a valid identity" "...as not a valid identity"
printf '{"name": "x"' >"$T_DIR/broken.json"
expect_status 1 "a broken identity file is refused" \
  "$SEEN" federation add "$A" --identity "$T_DIR/broken.json"
expect_status 0 "add --identity takes the identity's endpoint" \
  "$SEEN" federation add "$A" --identity "$T_DIR/tvp.json"
grep_out "at tcp://127.0.0.1:17402" "...tcp://127.0.0.1:17402"
expect_status 1 "the same keys under another name are refused" \
  "$SEEN" federation add "$A" --identity "$T_DIR/impostor.json"
grep_err "has a key of member 'thames-valley-police'" "...naming the member"

# --- sign and show ----------------------------------------------------------
expect_status 0 "sign" "$SEEN" federation sign "$A"
grep_out "version 1 .*2 members \(2 active\), match-key epoch 1" "...version 1, two active members"
grep_out "membership-1.pb" "...says where"
expect_status 0 "membership.pb is membership-1.pb" cmp "$A/membership.pb" "$A/membership-1.pb"
expect_status 0 "show --json" "$SEEN" federation show "$A/membership.pb" --authority "$AK" --json
equal "$(wc -l <"$T_DIR/out")" 1 "...one line"
grep_out '"federation":"Thames Valley pilot","version":1,' "...names federation and version"
grep_out '"epoch":1,' "...epoch 1"
grep_out '"token_bytes":8,' "...short tokens, a new federation's default"
grep_out "\"name\":\"reading-social-care\",[^}]*\"sign_pk\":\"$S1\"[^}]*\"endpoint\":\"tcp://127.0.0.1:17401\",\"status\":\"active\",\"granted\":true" \
  "...the first node, active, with a grant"
grep_out '"name":"thames-valley-police",[^}]*"status":"active","granted":true' \
  "...the second node, active, with a grant"
expect_status 1 "show prints no match key" grep -qi match "$T_DIR/out"
expect_status 0 "show (human)" "$SEEN" federation show "$A/membership.pb" --authority "$AK"
grep_out "^version: 1$" "...version"
grep_out "^  thames-valley-police +active +police" "...members with status"

# Token length: 8 or 16, signed into the next version.
expect_status 1 "federation tokens 12 is refused" "$SEEN" federation tokens "$A" 12
grep_err "8 or 16" "...saying what it takes"
expect_status 0 "federation tokens 16" "$SEEN" federation tokens "$A" 16
check "...kept for the next version" grep -q '"token_bytes": 16' "$A/state.json"
expect_status 0 "federation tokens 8" "$SEEN" federation tokens "$A" 8
check "...and back" grep -q '"token_bytes": 8' "$A/state.json"

expect_status 1 "show with another authority key fails" \
  "$SEEN" federation show "$A/membership.pb" --authority "$(printf '%064d' 7)"
grep_err "not signed by authority" "...saying so"
expect_status 2 "show without --authority is bad usage" \
  "$SEEN" federation show "$A/membership.pb"
expect_status 2 "show with a short --authority is bad usage" \
  "$SEEN" federation show "$A/membership.pb" --authority abcd
cp "$A/membership.pb" "$T_DIR/corrupt.pb"
printf '\x55' | dd of="$T_DIR/corrupt.pb" bs=1 seek=100 conv=notrunc 2>/dev/null
expect_status 1 "a document with one byte changed fails" \
  "$SEEN" federation show "$T_DIR/corrupt.pb" --authority "$AK"
head -c 50 "$A/membership.pb" >"$T_DIR/short.pb"
expect_status 1 "a truncated document fails" \
  "$SEEN" federation show "$T_DIR/short.pb" --authority "$AK"
expect_status 1 "a missing document fails" \
  "$SEEN" federation show "$T_DIR/none.pb" --authority "$AK"

# --- revoke -----------------------------------------------------------------
expect_status 2 "revoke without NAME is bad usage" "$SEEN" federation revoke "$A"
expect_status 1 "revoke of an unknown member fails" \
  "$SEEN" federation revoke "$A" nobody
grep_err "no member is named 'nobody'" "...saying so"
expect_status 1 "revoke with a wrong passphrase fails" \
  env SEEN_PASSPHRASE_FILE="$T_DIR/wrong" "$SEEN" federation revoke "$A" thames-valley-police
expect_status 0 "...and changes nothing" grep -qzE '"epoch": 1,' "$A/state.json"
expect_status 0 "revoke" "$SEEN" federation revoke "$A" thames-valley-police
grep_out "Revoked 'thames-valley-police'; new match key of epoch 2" "...rotates to epoch 2"
expect_status 1 "revoking twice fails" "$SEEN" federation revoke "$A" thames-valley-police
grep_err "already revoked" "...saying so"
expect_status 0 "sign --out" "$SEEN" federation sign "$A" --out "$T_DIR/m2.pb"
grep_out "version 2 .*2 members \(1 active\), match-key epoch 2" "...version 2, one active"
expect_status 0 "the --out copy is the signed document" cmp "$T_DIR/m2.pb" "$A/membership-2.pb"
expect_status 0 "membership.pb is the latest" cmp "$A/membership.pb" "$A/membership-2.pb"
expect_status 0 "show version 2" \
  "$SEEN" federation show "$T_DIR/m2.pb" --authority "$AK" --json
grep_out '"version":2,' "...version 2"
grep_out '"epoch":2,' "...epoch 2"
grep_out '"name":"thames-valley-police",[^}]*"status":"revoked","granted":false' \
  "...the revoked node is listed, with no key for the new epoch"
grep_out '"name":"reading-social-care",[^}]*"status":"active","granted":true' \
  "...the other still has one"
expect_status 0 "version 1 still verifies" \
  "$SEEN" federation show "$A/membership-1.pb" --authority "$AK" --json
grep_out '"version":1,' "...as version 1"

# --- rotate, and an interrupted rotation --------------------------------------
expect_status 2 "rotate with an extra argument is bad usage" \
  "$SEEN" federation rotate "$A" extra
expect_status 0 "rotate" "$SEEN" federation rotate "$A"
grep_out "New match key of epoch 3" "...epoch 3"
sed -i 's/"epoch": 3,/"epoch": 4,/' "$A/state.json"
expect_status 1 "sign refuses while the key lags the state's epoch" \
  "$SEEN" federation sign "$A"
grep_err "interrupted rotation" "...saying how to finish it"
expect_status 0 "rotate completes it" "$SEEN" federation rotate "$A"
grep_out "epoch 5" "...at epoch 5"
expect_status 0 "sign" "$SEEN" federation sign "$A"
grep_out "version 3 .*match-key epoch 5" "...version 3 (no version reused), epoch 5"

# --- the directory --------------------------------------------------------------
chmod 755 "$A"
expect_status 1 "an authority directory open to others is refused" \
  "$SEEN" federation sign "$A"
grep_err "chmod 700" "...saying how to fix it"
chmod 700 "$A"
expect_status 1 "a node home is not an authority directory" \
  "$SEEN" federation sign "$N1"
expect_status 1 "no .tmp file is left behind" \
  bash -c "ls '$A' | grep -q '\.tmp$'"

t_end
