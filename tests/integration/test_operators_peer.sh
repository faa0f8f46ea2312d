#!/usr/bin/env bash
# Operators who are people (issue 15, item 1): peer authentication of the
# control socket, as PostgreSQL's peer authentication works.  A node made
# with `seen init --user root` has its admin bound to root; three new
# Unix users (unique names, removed by the trap whatever happens) share a
# new group that the node home opens to: A is bound to a lead, C to an
# auditor, B to nothing.  A's query is logged under A's operator; B is
# refused; A may not act as the admin nor export as an auditor; after
# `operator suspend` A is refused, after `resume` served, after `remove`
# refused; every change is an XLOG_OPERATOR leaf, and C's export through
# the daemon verifies.  A node with no operator bound says "claimed".
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data

if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null; then
  echo "skipped: needs root and useradd to make Unix users"
  exit 0
fi

# Unique names: this test may run beside another.
tag=$(printf '%04x' $((($$ + RANDOM) % 65536)))
G=seenpg$tag
UA=seenpa$tag
UB=seenpb$tag
UC=seenpc$tag
P=$(mktemp -d /tmp/seen-peer-XXXXXX)
peer_cleanup() {
  "$SEEN" --home "$P/node" node stop >/dev/null 2>&1 || true
  for u in "$UA" "$UB" "$UC"; do userdel "$u" >/dev/null 2>&1 || true; done
  groupdel "$G" >/dev/null 2>&1 || true
  rm -rf "$P"
  t_cleanup
}
trap peer_cleanup EXIT

groupadd "$G"
for u in "$UA" "$UB" "$UC"; do
  useradd -M -N -g "$G" -d /nonexistent -s /usr/sbin/nologin "$u"
done
check "three Unix users in group $G" id -u "$UC" >/dev/null
chmod 711 "$P"
H=$P/node
# as USER COMMAND...: run it as that Unix user (environment kept).
as() { local u=$1; shift; runuser -u "$u" -- "$@"; }
PURPOSE="integration test: section 47 enquiry"

expect_status 2 "init --user of no such user is bad usage" \
  "$SEEN" --home "$T_DIR/x" init --name x --type police --local-authority Reading --kdf interactive --user "nouser$tag"
expect_status 0 "init --user root binds the first admin to root" \
  "$SEEN" --home "$H" init --name tvp --type police --local-authority Reading --kdf interactive --user root
OWNER=$(sed -n 's/^Node id: //p' "$T_DIR/out")
chgrp "$G" "$H" && chmod 710 "$H"
expect_status 0 "node start with the home 0710 of group $G" "$SEEN" --home "$H" node start
expect_status 0 "the keystore stays 0600" test "$(stat -c %a "$H/keystore")" = 600
expect_status 0 "the store stays 0700" test "$(stat -c %a "$H/store")" = 700
expect_status 0 "the control socket is 0660 of group $G" \
  test "$(stat -c '%a %G' "$H/control.sock")" = "660 $G"
expect_status 0 "status as root (the admin)" "$SEEN" --home "$H" status --json
grep_out '"operators":"peer"' "...says the node checks operators by peer"
expect_status 0 "status, for people" "$SEEN" --home "$H" status
grep_out "^Operators: peer" "...says so too"

expect_status 0 "the admin adds lead-a bound to $UA" \
  "$SEEN" --home "$H" operator add lead-a --role lead --user "$UA"
grep_out "Unix user '$UA'" "...naming the Unix user"
expect_status 0 "...and aud-c bound to $UC" \
  "$SEEN" --home "$H" operator add aud-c --role auditor --user "$UC"
expect_status 1 "an operator bound to no Unix user is refused in peer mode" \
  "$SEEN" --home "$H" operator add nobody --role lead
grep_err "give --user" "...saying to give --user"
expect_status 0 "import as root (the admin)" "$SEEN" --home "$H" import "$DATA/example.jsonl"
expect_status 0 "operator list" "$SEEN" --home "$H" operator list
grep_out "^lead-a +lead +active .* $UA \(uid [0-9]+\)" "...shows lead-a's Unix user and state"

# A, the lead: its own operator without --as, and nothing else.
expect_status 0 "$UA queries without --as" \
  as "$UA" "$SEEN" --home "$H" query --purpose "$PURPOSE" --nhs "943 476 5919" --json
grep_out '"record":"TVP-DA-2025-00412"' "...and is served"
expect_status 1 "$UA --as admin is refused" \
  as "$UA" "$SEEN" --home "$H" --as admin status
grep_err "is operator 'lead-a', not 'admin': --as may name only your own operator" "...naming its own operator"
expect_status 1 "$UA --as aud-c is refused" \
  as "$UA" "$SEEN" --home "$H" --as aud-c audit export "$P/xa"
expect_status 1 "$UA may not export as an auditor" \
  as "$UA" "$SEEN" --home "$H" audit export "$P/xa"
grep_err "operator 'lead-a' is a lead: only an auditor may export" "...a lead cannot act as an auditor"
expect_status 1 "$UA may not import" \
  as "$UA" "$SEEN" --home "$H" import "$DATA/example.jsonl"
expect_status 1 "$UA may not stop the node" as "$UA" "$SEEN" --home "$H" node stop
# B: in the group, so it reaches the socket, but registered nowhere.
expect_status 1 "$UB (not registered) is refused" as "$UB" "$SEEN" --home "$H" status
grep_err "Unix user '$UB' \(uid [0-9]+\) is not a registered operator of this node" "...with the rule's words"
expect_status 1 "$UB --as lead-a is refused too" \
  as "$UB" "$SEEN" --home "$H" --as lead-a query --purpose "$PURPOSE" --nhs "943 476 5919"

# Suspend, resume, remove: each from the next request.
expect_status 1 "the last bound admin cannot be suspended" \
  "$SEEN" --home "$H" operator suspend admin
expect_status 0 "the admin suspends lead-a" "$SEEN" --home "$H" operator suspend lead-a
expect_status 1 "$UA is refused while suspended" \
  as "$UA" "$SEEN" --home "$H" query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_err "operator 'lead-a' .* is suspended" "...saying it is suspended"
expect_status 0 "the admin resumes lead-a" "$SEEN" --home "$H" operator resume lead-a
expect_status 0 "$UA is served again" \
  as "$UA" "$SEEN" --home "$H" alerts
expect_status 0 "the admin makes lead-a an auditor" \
  "$SEEN" --home "$H" operator role lead-a --role auditor
expect_status 1 "$UA may not query from its next request" \
  as "$UA" "$SEEN" --home "$H" query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_err "operator 'lead-a' is an auditor: only a lead may query" "...its new role"
expect_status 0 "the admin makes lead-a a lead again" \
  "$SEEN" --home "$H" operator role lead-a --role lead
expect_status 0 "$UA is a lead again" \
  as "$UA" "$SEEN" --home "$H" alerts
expect_status 0 "the admin removes lead-a" "$SEEN" --home "$H" operator remove lead-a
expect_status 1 "$UA is refused once removed" \
  as "$UA" "$SEEN" --home "$H" query --purpose "$PURPOSE" --nhs "943 476 5919"
grep_err "is not a registered operator of this node" "...as a stranger"

# C, the auditor, exports through the daemon (no passphrase) and it verifies.
mkdir "$P/exports" && chown "$UC" "$P/exports"
expect_status 0 "$UC exports the exchange log without the passphrase" \
  as "$UC" env -u SEEN_PASSPHRASE_FILE "$SEEN" --home "$H" audit export "$P/exports/x"
expect_status 0 "audit verify of the export passes" \
  "$SEEN" audit verify --owner "$OWNER" "$P/exports/x"
grep_out "queries 1, .* operator changes 8\)" "...one query and eight operator changes (init, 2 adds, suspend, resume, 2 roles, remove)"
check "the query record names lead-a" grep -aq "lead-a" "$P/exports/x/leaves.bin"
check "the operator records name $UA" grep -aq "$UA" "$P/exports/x/leaves.bin"
expect_status 0 "stop" "$SEEN" --home "$H" node stop
# A stopped node's export reads the store read-only, without any key: the
# same rule, for the Unix user running it.
expect_status 1 "root exports the stopped node: refused, its operator is an admin" \
  "$SEEN" --home "$H" audit export "$P/xr"
grep_err "operator 'admin' is an admin: only an auditor may export" "...saying whose role it is"
expect_status 1 "root --as aud-c on the stopped node is refused" \
  "$SEEN" --home "$H" --as aud-c audit export "$P/xr"
grep_err "is operator 'admin', not 'aud-c'" "...--as names only its own operator"

# A node whose operators are all claimed (a lab) says so.
new_node lab police Reading
expect_status 0 "a claimed-mode node starts" "$SEEN" --home "$H" node start
expect_status 0 "its status needs no operator" "$SEEN" --home "$H" status --json
grep_out '"operators":"claimed"' "...and says operators are claimed"
expect_status 0 "its control socket stays 0600" test "$(stat -c %a "$H/control.sock")" = 600
expect_status 0 "stop it" "$SEEN" --home "$H" node stop

# A node home written by the previous version (tests/data/prev-97b2c2c:
# operators in the table's format 1, no Unix user): read as claimed, and
# brought into peer mode by adding a bound admin.
FIX=$SEEN_SOURCE_DIR/tests/data/prev-97b2c2c
OLD_OWNER=d6f8b7ff766c93c6fcc39173bbc2f0316a5de38babb018fb0e6662d672999239
expect_status 0 "the previous version's export verifies" \
  "$SEEN" audit verify --owner "$OLD_OWNER" "$FIX/export"
grep_out "queries 1, .* operator changes 0\)" "...its one query leaf, no operator change"
H=$T_DIR/old
cp -r "$FIX/home" "$H"
chmod 700 "$H" "$H/store" && chmod 600 "$H/keystore" "$H/seen.conf" "$H/store/data.mdb"
T_HOMES+=("$H")
expect_status 0 "the previous version's node starts" "$SEEN" --home "$H" node start
expect_status 0 "its operators are listed" "$SEEN" --home "$H" --as admin operator list --json
equal "$(grep -c '"state":"active"' "$T_DIR/out")" 3 "...admin, auditor and lead, all active"
check "...bound to no Unix user" sh -c "! grep -q '\"user\"' '$T_DIR/out'"
expect_status 0 "its status" "$SEEN" --home "$H" status --json
grep_out '"operators":"claimed"' "...says operators are claimed"
expect_status 0 "its lead queries as before (claimed)" \
  "$SEEN" --home "$H" --as lead query --purpose "$PURPOSE" --nhs "943 476 5919" --json
grep_out '"handle":"09eb6f1b16df5efc75aa82ce6f5e9462"' \
  "...finding the child's entry the previous version stored"
expect_status 0 "every entry the previous version stored is there" \
  "$SEEN" --home "$H" --as admin handles --json
equal "$(wc -l <"$T_DIR/out")" 8 "...all 8"
expect_status 0 "its admin turns on peer mode: an admin bound to root" \
  "$SEEN" --home "$H" --as admin operator add it --role admin --user root
expect_status 0 "...and, as root, an auditor bound to root too" \
  "$SEEN" --home "$H" --as it operator add aud-root --role auditor --user root
expect_status 1 "the old, unbound lead is no one in peer mode" \
  "$SEEN" --home "$H" --as lead query --purpose "$PURPOSE" --nhs "943 476 5919"
expect_status 1 "root bound to two operators must say which" "$SEEN" --home "$H" status
grep_err "give --as NAME" "...with --as"
expect_status 0 "status --as it" "$SEEN" --home "$H" --as it status --json
grep_out '"operators":"peer"' "...says peer"
expect_status 0 "root exports as aud-root" \
  "$SEEN" --home "$H" --as aud-root audit export "$T_DIR/old-x"
expect_status 0 "the export of the old log and the new leaves verifies" \
  "$SEEN" audit verify --owner "$OLD_OWNER" "$T_DIR/old-x"
grep_out "queries 2, .* operator changes 2\)" "...two queries, two operator changes"
expect_status 0 "stop it" "$SEEN" --home "$H" node stop
expect_status 0 "root exports the stopped node as aud-root, without the passphrase" \
  env SEEN_PASSPHRASE_FILE=/nonexistent "$SEEN" --home "$H" --as aud-root audit export "$T_DIR/old-stopped"
expect_status 0 "...and that export verifies too" \
  "$SEEN" audit verify --owner "$OLD_OWNER" "$T_DIR/old-stopped"
grep_out "queries 2, .* operator changes 2\)" "...the same two queries and two operator changes"

t_end
