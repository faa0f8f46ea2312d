#!/usr/bin/env bash
# Backup and restore with real daemons (docs/operations.md, "Back up and
# restore"): an admin backs up the running police node; it imports more,
# which its peers replicate; its store is lost and restored from the
# backup.  The restored node signs nothing (its exchange log halted) and
# publishes nothing (imports refused) until it has taken back from its
# peers the entries of its own feed they hold; then it imports again at
# the end of the feed its peers know, with no second history of its feed
# anywhere, and signs again once an admin resolves it.  A stopped node
# is backed up without its passphrase; a restore refuses a running node,
# a backup of another node and a damaged backup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"

# own_feed NODE: the size of NODE's own feed as NODE holds it.
own_feed() { feed "$1" "$1"; }
# recovering NODE: NODE's status has a "restore" object.
recovering() { st "$1" | grep -q '"restore":{'; }

expect_status 0 "lab up (three nodes)" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
prefixed a "$DATA/example.jsonl" "$T_DIR/a.jsonl"
prefixed b "$DATA/example.jsonl" "$T_DIR/b.jsonl"
prefixed c "$DATA/example.jsonl" "$T_DIR/c.jsonl"
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$T_DIR/a.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120

# --- backups of a running node -----------------------------------------------
B1=$T_DIR/backups/pol-1
mkdir -p "$T_DIR/backups"
expect_status 2 "backup needs a folder" "$SEEN" --home "$LAB/$POL" --as admin backup
expect_status 1 "a lead may not back up the node" \
  "$SEEN" --home "$LAB/$POL" --as lead backup "$T_DIR/backups/by-lead"
grep_err "operator 'lead' is a lead" "...saying whose role does not allow it"
check "...and nothing was written" test ! -e "$T_DIR/backups/by-lead"
expect_status 0 "an admin backs up the running node" \
  "$SEEN" --home "$LAB/$POL" --as admin backup "$B1"
for f in store/data.mdb keystore seen.conf backup.json; do
  check "...the backup holds $f, mode 600" test "$(stat -c %a "$B1/$f")" = 600
done
check "...its manifest says the node, and that it ran" \
  grep -q "\"node\":\"$POL\".*\"online\":true" "$B1/backup.json"
check "...the keystore is the node's, still sealed" cmp -s "$B1/keystore" "$LAB/$POL/keystore"
expect_status 1 "a backup to a folder that exists is refused" \
  "$SEEN" --home "$LAB/$POL" --as admin backup "$B1"
grep_err "exists: back up to a new folder" "...saying so"
expect_status 1 "a backup to a folder whose parent is missing is refused" \
  "$SEEN" --home "$LAB/$POL" --as admin backup "$T_DIR/none/pol"
check "the node's log names the admin who backed it up" \
  grep -q "backup of this node to '$B1' by operator 'admin'" "$LAB/$POL/seen-node.log"

# --- the node goes on after the backup ---------------------------------------
expect_status 0 "import more at $POL after the backup" \
  "$SEEN" --home "$LAB/$POL" import "$T_DIR/b.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
held=$(own_feed $POL)
check "$POL's feed grew beyond the backup ($held entries)" test "${held:-0}" -gt 0
equal "$(feed $SC $POL)" "$held" "$SC holds all of it"
bad_before=$(refused $SC inconsistent)

# --- restore: refused while running, for another node, from a damaged copy ---
expect_status 1 "restore refuses a running node" \
  "$SEEN" --home "$LAB/$POL" restore "$B1" --reason "test"
grep_err "stop it first" "...saying to stop it first"
expect_status 0 "$HEA stops" "$SEEN" --home "$LAB/$HEA" node stop
expect_status 1 "a backup of another node is refused" \
  "$SEEN" --home "$LAB/$HEA" restore "$B1" --reason "wrong node"
grep_err "another node" "...saying so"
check "...$HEA's store untouched" test ! -e "$LAB/$HEA/restore.json"
expect_status 0 "$HEA starts" "$SEEN" --home "$LAB/$HEA" node start
expect_status 0 "$POL stops" "$SEEN" --home "$LAB/$POL" node stop
expect_status 0 "a stopped node is backed up without its passphrase" \
  env SEEN_PASSPHRASE_FILE=/nonexistent "$SEEN" --home "$LAB/$POL" backup "$T_DIR/backups/pol-2"
check "...its manifest says it was stopped" grep -q '"online":false' "$T_DIR/backups/pol-2/backup.json"
cp -r "$T_DIR/backups/pol-2" "$T_DIR/backups/damaged"
truncate -s 4096 "$T_DIR/backups/damaged/store/data.mdb"
expect_status 1 "a damaged backup is refused" \
  "$SEEN" --home "$LAB/$POL" restore "$T_DIR/backups/damaged" --reason "test"
grep_err "cannot be read" "...saying its store cannot be read"
expect_status 2 "restore needs a reason" "$SEEN" --home "$LAB/$POL" restore "$B1"
cp -r "$T_DIR/backups/pol-2" "$T_DIR/backups/bad-manifest"
printf '{"seen_backup":1,"node":' >"$T_DIR/backups/bad-manifest/backup.json"
expect_status 1 "a backup whose backup.json does not parse is refused" \
  "$SEEN" --home "$LAB/$POL" restore "$T_DIR/backups/bad-manifest" --reason "test"
grep_err "is not a backup" "...saying so"
check "...and the home is untouched" test ! -e "$LAB/$POL/restore.json"

# --- the disk is lost; restore from the first backup with the peers away -----
expect_status 0 "$SC stops" "$SEEN" --home "$LAB/$SC" node stop
expect_status 0 "$HEA stops" "$SEEN" --home "$LAB/$HEA" node stop
rm -f "$LAB/$POL/store/data.mdb"
# A custodian's journal goes with its store (storage/backup.h): bytes
# stand in for both here, a node of a keyed federation never opens one.
printf 'the journal of the backup\n' >"$B1/custodian.journal"
printf 'the journal of the store replaced\n' >"$LAB/$POL/custodian.journal"
expect_status 0 "$POL is restored from the first backup" \
  "$SEEN" --home "$LAB/$POL" restore "$B1" --reason "test: the disk failed"
grep_out "Restored node '$POL'" "...saying so and what comes next"
check "...the store it replaced is kept beside it" sh -c "ls -d '$LAB/$POL'/store.replaced-* >/dev/null"
check "...with its custodian journal" \
  sh -c "grep -q 'store replaced' '$LAB/$POL'/custodian.journal.replaced-*"
check "...and the backup's journal is the home's" grep -q "of the backup" "$LAB/$POL/custodian.journal"
expect_status 0 "$POL starts from its backup" "$SEEN" --home "$LAB/$POL" node start
check "...the restore mark is taken in hand" test ! -e "$LAB/$POL/restore.json"
check "...it signs no checkpoint of its exchange log" test "$(xl $POL halted)" = true
check "...it takes its own feed back" recovering $POL
expect_status 1 "...and refuses imports meanwhile" \
  "$SEEN" --home "$LAB/$POL" import "$T_DIR/c.jsonl"
grep_err "restored from a backup" "...saying why"
check "...its log says so" grep -q "restored from a backup" "$LAB/$POL/seen-node.log"
expect_status 0 "...its metrics" "$SEEN" --home "$LAB/$POL" status --prometheus
check "...say it recovers and signs nothing" /usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as parse
fams = {f.name: f for f in parse(open(sys.argv[1]).read())}
assert [s.value for s in fams["seen_restore_recovering"].samples] == [1]
assert [s.value for s in fams["seen_exchange_log_halted"].samples] == [1]
assert [s.value for s in fams["seen_operators_peer"].samples] == [0]
' "$T_DIR/out"

# --- its peers come back: it takes back what it had published ----------------
expect_status 0 "$SC starts" "$SEEN" --home "$LAB/$SC" node start
expect_status 0 "$HEA starts" "$SEEN" --home "$LAB/$HEA" node start
done_=0
for _ in $(seq 1 480); do
  recovering $POL || { done_=1; break; }
  sleep 0.25
done
check "$POL has heard both peers and ends its recovery" test "$done_" = 1
equal "$(own_feed $POL)" "$held" "...holding its whole feed again ($held entries)"
check "...logged" grep -q "own feed recovered: .* entries taken back from peers" "$LAB/$POL/seen-node.log"
expect_status 0 "a record imported after the backup is found at $POL" \
  "$SEEN" --home "$LAB/$POL" --as lead query --purpose "restore test" --nhs "943 476 5919" --json
equal "$(grep -o '"handle"' "$T_DIR/out" | wc -l)" 2 "...the child's entry taken back beside the backup's"
expect_status 0 "the records imported after the backup are imported again" \
  "$SEEN" --home "$LAB/$POL" import "$T_DIR/b.jsonl"
grep_out "8 entries taken back after the restore are their records' again" \
  "...their 8 entries taken back are theirs again"
grep_out "3 records imported .*, 0 entries published" "...and none is published twice"
equal "$(own_feed $POL)" "$held" "...its feed as its peers hold it"
expect_status 0 "...and the child is still one entry of each record" \
  "$SEEN" --home "$LAB/$POL" --as lead query --purpose "restore test" --nhs "943 476 5919" --json
equal "$(grep -o '"handle"' "$T_DIR/out" | wc -l)" 2 "...two, not three"
expect_status 0 "$POL imports again" "$SEEN" --home "$LAB/$POL" import "$T_DIR/c.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
now=$(own_feed $POL)
check "$POL's feed goes on after what its peers held ($now > $held)" test "$now" -gt "$held"
equal "$(feed $SC $POL)" "$now" "$SC takes it: no second history of the feed"
equal "$(feed $HEA $POL)" "$now" "...and so does $HEA"
equal "$(refused $SC inconsistent)" "$bad_before" "...nothing at $SC found inconsistent"

# --- the exchange log: an admin resolves it once the peers have shown theirs ---
expect_status 0 "an admin resolves it" \
  "$SEEN" --home "$LAB/$POL" --as admin node resolve --reason "restored from backup pol-1 in the test"
signs=0
for _ in $(seq 1 480); do
  [ "$(xl $POL halted)" = false ] && signs=1 && break
  "$SEEN" --home "$LAB/$POL" --as lead query --purpose "restore test" --nhs "943 476 5919" >/dev/null 2>&1
  sleep 0.25
done
check "$POL signs checkpoints of its exchange log again" test "$signs" = 1

# --- a new machine: restore into no home at all ------------------------------
mkdir -p "$T_DIR/new-machine"
expect_status 0 "a backup is restored where there is no home yet" \
  "$SEEN" --home "$T_DIR/new-machine/pol" restore "$B1" --reason "test: new machine"
for f in keystore seen.conf store/data.mdb restore.json; do
  check "...it holds $f" test -e "$T_DIR/new-machine/pol/$f"
done
check "...the home is 0700" test "$(stat -c %a "$T_DIR/new-machine/pol")" = 700

# --- a node with no federation: nothing to take back, it goes on at once ------
new_node alone police Reading
expect_status 0 "a lone node starts" "$SEEN" --home "$H" node start
expect_status 0 "...imports" "$SEEN" --home "$H" import "$T_DIR/a.jsonl"
expect_status 0 "...is backed up" "$SEEN" --home "$H" --as admin backup "$T_DIR/backups/alone"
expect_status 0 "...stops" "$SEEN" --home "$H" node stop
cp "$H/store/data.mdb" "$T_DIR/alone-before.mdb"
printf 'not json' >"$H/restore.json"
expect_status 1 "a node whose restore mark does not parse does not start" \
  "$SEEN" --home "$H" node start
check "...saying so in its log" grep -q "restore.json: not the mark of a restore" "$H/seen-node.log"
check "...its store untouched" cmp -s "$H/store/data.mdb" "$T_DIR/alone-before.mdb"
rm -f "$H/restore.json"
expect_status 0 "...is restored" "$SEEN" --home "$H" restore "$T_DIR/backups/alone" --reason "test"
expect_status 0 "...starts" "$SEEN" --home "$H" node start
gone=0
for _ in $(seq 1 120); do
  "$SEEN" --home "$H" status --json 2>/dev/null | grep -q '"restore":{' || { gone=1; break; }
  sleep 0.25
done
check "...and, with no peer to wait for, ends its recovery" test "$gone" = 1
expect_status 0 "...and imports again" "$SEEN" --home "$H" import "$T_DIR/c.jsonl"
t_end
