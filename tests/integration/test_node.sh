#!/usr/bin/env bash
# One agency node: init, start, import valid and broken files, query,
# restart, and the failures agency IT must be able to trust: a wrong
# passphrase, a killed import, a truncated or corrupt store, nothing in
# clear in the LMDB file.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data

new_node tvp police Reading
expect_status 0 "init made a keystore of mode 0600" \
  test "$(stat -c %a "$H/keystore")" = 600
expect_status 0 "the node home is private (0700)" \
  test "$(stat -c %a "$H")" = 700
expect_status 1 "init refuses an existing home" \
  "$SEEN" --home "$H" init --name x --type police --local-authority Reading --kdf interactive
expect_status 2 "init without --type is bad usage" \
  "$SEEN" --home "$T_DIR/other" init --name x --local-authority Reading
expect_status 1 "query with no node running says so" \
  "$SEEN" --home "$H" query --nhs 9434765919
grep_err "no node is running" "...with a clear message"

expect_status 0 "node start" "$SEEN" --home "$H" node start
expect_status 1 "a second start is refused" "$SEEN" --home "$H" node start
grep_err "already running" "...because one is running"
expect_status 0 "control socket is mode 0600" \
  test "$(stat -c %a "$H/control.sock")" = 600
# A query runs as a lead and states its purpose (spec/cli.md).
expect_status 0 "the admin registers a lead" "$SEEN" --home "$H" --as admin operator add lead --role lead
P="integration test: section 47 enquiry"

# Valid records.
expect_status 0 "import a valid file" "$SEEN" --home "$H" import "$DATA/example.jsonl"
grep_out "3 records imported" "...three records"
expect_status 0 "handles --json" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" 8 "one handle per person in each record"
grep_out '"record":"TVP-DA-2025-00412","ref":"c1","role":"child"' "...naming record, ref and role"

expect_status 0 "query by NHS number" "$SEEN" --home "$H" --as lead query --purpose "$P" --nhs "943 476 5919" --json
grep_out '"role":"child"' "...finds the child"
grep_out '"record":"TVP-DA-2025-00412"' "...in the police record"
expect_status 0 "query by a misspelt name and date of birth" \
  "$SEEN" --home "$H" --as lead query --purpose "$P" --given Maya --family Warde --dob 2020-09-30
grep_out "TVP-DA-2025-00412, person c1" "...finds the child"
expect_status 0 "query by a nickname and day/month-swapped dob" \
  "$SEEN" --home "$H" --as lead query --purpose "$P" --given Dino --family Holt --dob 1989-02-05 --json
n=$(grep -o '"role":"perpetrator"' "$T_DIR/out" | wc -l)
equal "$n" 3 "...finds the perpetrator in all three records"
expect_status 2 "query with nothing to search for is bad usage" "$SEEN" --home "$H" --as lead query --purpose "$P"
expect_status 1 "query on a family name alone is refused" "$SEEN" --home "$H" --as lead query --purpose "$P" --family Ward
grep_err "too little to search on" "...with a reason"
expect_status 1 "a query without --purpose is refused" \
  "$SEEN" --home "$H" --as lead query --nhs 9434765919
grep_err "a query needs --purpose" "...saying a purpose is needed"
expect_status 1 "the admin may not query" \
  "$SEEN" --home "$H" --as admin query --purpose "$P" --nhs 9434765919
grep_err "operator 'admin' is an admin" "...saying whose role does not allow it"

# A broken file: every problem reported, nothing stored.
expect_status 1 "import of a file with bad lines fails" "$SEEN" --home "$H" import "$DATA/broken.jsonl"
grep_err "broken.jsonl:2: date: " "...reports FILE:LINE: field for a bad date"
grep_err "broken.jsonl:4: \(line\): " "...reports a truncated line"
grep_err "broken.jsonl:3: warning: people\[0\].nhs_number: " "...warns of the invalid NHS number"
grep_err "nothing stored" "...and says nothing was stored"
expect_status 0 "handles after the rejected file" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" 8 "...nothing from it was stored"
expect_status 0 "--skip-invalid stores the valid lines" \
  "$SEEN" --home "$H" import --skip-invalid "$DATA/broken.jsonl"
grep_out "2 records imported" "...two records"
expect_status 0 "query the child whose NHS number was dropped" \
  "$SEEN" --home "$H" --as lead query --purpose "$P" --given Isla --family Begum --dob 2014-11-11 --json
grep_out '"record":"RDG-CIN-3"' "...the person was kept"

# Replacing and deleting.
h_before=$("$SEEN" --home "$H" handles --json | grep '"record":"RDG-CIN-1"')
printf '%s\n' '{"id":"RDG-CIN-1","kind":"child_in_need_assessment","date":"2025-01-11","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Oliver","family_name":"Kowalski","date_of_birth":"2016-05-05"}]}' >"$T_DIR/replace.jsonl"
expect_status 0 "re-import of an id" "$SEEN" --home "$H" import "$T_DIR/replace.jsonl"
grep_out "1 replaced" "...replaces it"
h_after=$("$SEEN" --home "$H" handles --json | grep '"record":"RDG-CIN-1"')
check "...under a new handle, the old one retracted" test -n "$h_after" -a "$h_before" != "$h_after"
expect_status 0 "the same line imported again" "$SEEN" --home "$H" import "$T_DIR/replace.jsonl"
grep_out "0 records imported .*, 0 entries published, 0 retracted; 1 unchanged, left as they were" \
  "...is left as it stands"
check "...under the same handle" test "$("$SEEN" --home "$H" handles --json | grep '"record":"RDG-CIN-1"')" = "$h_after"
printf '%s\n' '{"id":"RDG-CIN-1","deleted":true}' >"$T_DIR/delete.jsonl"
expect_status 0 "a deletion line" "$SEEN" --home "$H" import "$T_DIR/delete.jsonl"
grep_out "1 deleted" "...deletes the record"
expect_status 0 "handles after deletion" "$SEEN" --home "$H" handles --json
check "...its entries are gone" sh -c "! grep -q RDG-CIN-1 '$T_DIR/out'"
n_handles=$(wc -l <"$T_DIR/out")

# Restart: everything found again.
expect_status 0 "node stop" "$SEEN" --home "$H" node stop
expect_status 0 "node start again" "$SEEN" --home "$H" node start
expect_status 0 "handles after restart" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" "$n_handles" "...the same entries"
expect_status 0 "query after restart" "$SEEN" --home "$H" --as lead query --purpose "$P" --nhs 9434765919 --json
grep_out '"record":"TVP-DA-2025-00412"' "...finds the child again"

# Nothing in clear in the store.
expect_status 0 "stop before dumping" "$SEEN" --home "$H" node stop
mdb_dump -a -p "$H/store" >"$T_DIR/dump.txt" 2>&1
check "mdb_dump reads the store" test -s "$T_DIR/dump.txt"
for s in Chantelle Ward Kowalski 9434765919 "943 476 5919" 1994-02-11 \
    "hid under the bed" "smashed window" "Oxford Road" TVP-DA-2025-00412 \
    2011/0234567F; do
  check "no '$s' in clear in the store" sh -c "! grep -qF '$s' '$T_DIR/dump.txt'"
done
check "no 'Chantelle' in the raw data file" sh -c "! grep -qaF Chantelle '$H/store/data.mdb'"

# A wrong passphrase is refused cleanly.
printf 'not the passphrase\n' >"$T_DIR/wrong"
expect_status 1 "start with a wrong passphrase fails" \
  env SEEN_PASSPHRASE_FILE="$T_DIR/wrong" "$SEEN" --home "$H" node start --timeout 30
grep_err "wrong passphrase" "...saying the passphrase is wrong"

# A killed import leaves the file stored whole or not at all.
"$SEEN_BIN/seen-synth" --node tvp --type police --local-authority Reading \
  --out "$T_DIR/synth" --households 3000 --seed 7 2>/dev/null
big=$T_DIR/synth/tvp.jsonl
check "generated a large file" test -s "$big"
expect_status 0 "start for the kill test" "$SEEN" --home "$H" node start
"$SEEN" --home "$H" import --quiet "$big" >/dev/null 2>&1 &
imp=$!
sleep 0.3
kill -9 "$(cat "$H/seen-node.pid")"
wait $imp 2>/dev/null || true
expect_status 0 "restart after SIGKILL during import" "$SEEN" --home "$H" node start
expect_status 0 "handles after the killed import" "$SEEN" --home "$H" handles --json
n_after=$(wc -l <"$T_DIR/out")
people=$(grep -o '"ref"' "$big" | wc -l)
check "...either nothing or the whole file was stored ($n_after handles)" \
  test "$n_after" -eq "$n_handles" -o "$n_after" -eq $((n_handles + people))
expect_status 0 "re-import after the kill" "$SEEN" --home "$H" import --quiet "$big"
expect_status 0 "handles after re-import" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" $((n_handles + people)) "...every person once, nothing twice"
expect_status 0 "stop" "$SEEN" --home "$H" node stop

# A truncated store is reported, not crashed on.
cp -a "$H/store" "$T_DIR/store.bak"
size=$(stat -c %s "$H/store/data.mdb")
truncate -s $((size / 2)) "$H/store/data.mdb"
expect_status 1 "start on a truncated store fails" "$SEEN" --home "$H" node start --timeout 30
grep_err "truncated" "...saying the store is truncated"
truncate -s 0 "$H/store/data.mdb"
expect_status 1 "start on an emptied store fails" "$SEEN" --home "$H" node start --timeout 30
grep_err "empty or not initialised|not a Seen store|truncated" "...saying so"

# A corrupt store: garbage over the first pages.
rm -rf "$H/store" && cp -a "$T_DIR/store.bak" "$H/store"
dd if=/dev/urandom of="$H/store/data.mdb" bs=4096 count=2 conv=notrunc status=none
expect_status 1 "start on a corrupt store fails" "$SEEN" --home "$H" node start --timeout 30
grep_err "not a Seen store|damaged|corrupt|truncated" "...saying it is damaged"

# Another node's store.
rm -rf "$H/store" && cp -a "$T_DIR/store.bak" "$H/store"
H1=$H
new_node other police Reading
rm -rf "$H/store" && cp -a "$T_DIR/store.bak" "$H/store"
expect_status 1 "start on another node's store fails" "$SEEN" --home "$H" node start --timeout 30
grep_err "another node" "...saying whose it is"

t_end
