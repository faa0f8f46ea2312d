#!/usr/bin/env bash
# Seen's checkpoints in the open formats, checked by an independent
# implementation: a real node signs a checkpoint of its exchange log (a
# C2SP tlog-checkpoint signed note) and serves an inclusion proof of a
# leaf (`seen audit proof`); tests/interop/verify.go, built offline
# against Debian's golang.org/x/mod/sumdb/note and sumdb/tlog, verifies
# the note with note.Open, reads it with tlog.ParseTree and checks the
# proof with tlog.CheckRecord.  The verifier key is the one `seen
# identity` prints.  Skipped (exit 77) only when `go` is not installed.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data
GOPATH_DEBIAN=/usr/share/gocode

if ! command -v go >/dev/null 2>&1; then
  echo "skip: go is not installed (scripts/setup.sh installs golang-go)"
  exit 77
fi
if [ ! -d "$GOPATH_DEBIAN/src/golang.org/x/mod/sumdb/note" ]; then
  echo "skip: golang.org/x/mod is not in $GOPATH_DEBIAN" \
    "(scripts/setup.sh installs golang-golang-x-mod-dev)"
  exit 77
fi

mkdir -p "$T_DIR/go"
cp "$SEEN_SOURCE_DIR/tests/interop/verify.go" "$T_DIR/go/"
expect_status 0 "the Go verifier builds offline against Debian's x/mod" \
  env -C "$T_DIR/go" GO111MODULE=off GOPATH="$GOPATH_DEBIAN" \
  GOCACHE="$T_DIR/gocache" GOFLAGS= go build -o "$T_DIR/seen-interop" verify.go
VERIFY=$T_DIR/seen-interop

new_node tvp police Reading
expect_status 0 "node start" "$SEEN" --home "$H" node start
expect_status 0 "a lead" "$SEEN" --home "$H" --as admin operator add lead --role lead
expect_status 0 "an auditor" "$SEEN" --home "$H" --as admin operator add auditor --role auditor
expect_status 0 "import" "$SEEN" --home "$H" import "$DATA/example.jsonl"
for p in "section 47 enquiry" "strategy meeting" "MARAC review"; do
  expect_status 0 "a query is logged ($p)" \
    "$SEEN" --home "$H" --as lead query --purpose "$p" --nhs "943 476 5919"
done
expect_status 1 "no checkpoint yet: proof says so" \
  "$SEEN" --home "$H" --as auditor audit proof 0
grep_err "no checkpoint" "...with a clear message"
# The node signs a checkpoint of its whole log when it stops; started
# again, it serves the proof from its store.
expect_status 0 "node stop (signs a checkpoint)" "$SEEN" --home "$H" node stop
expect_status 0 "node start again" "$SEEN" --home "$H" node start

expect_status 0 "identity prints the note verifier keys" \
  "$SEEN" --home "$H" identity --json
vkey=$(sed -n 's/.*"xlog_vkey": *"\([^"]*\)".*/\1/p' "$T_DIR/out")
check "...the exchange log's vkey is named seen/xlog/<key>" \
  grep -qE '^seen/xlog/[0-9a-f]{64}\+[0-9a-f]{8}\+' <<<"$vkey"

for i in 0 2; do
  expect_status 0 "the node serves leaf $i with its proof" \
    "$SEEN" --home "$H" --as auditor audit proof --json "$i"
  cp "$T_DIR/out" "$T_DIR/proof$i.json"
  check "...under the key identity printed" \
    grep -qF "\"vkey\":\"$vkey\"" "$T_DIR/out"
  expect_status 0 "Go's note.Open, tlog.ParseTree and tlog.CheckRecord accept leaf $i" \
    "$VERIFY" <"$T_DIR/proof$i.json"
  grep_out "^ok: seen/xlog/" "...and say what they checked"
done
expect_status 0 "the proof for people" "$SEEN" --home "$H" --as auditor audit proof 1
grep_out "— seen/xlog/" "...shows the signed note"
expect_status 1 "a leaf beyond the checkpoint is refused" \
  "$SEEN" --home "$H" --as auditor audit proof 99
grep_err "not in the latest checkpoint" "...saying why"
expect_status 1 "a lead may not ask for proofs" \
  "$SEEN" --home "$H" --as lead audit proof 0

# The Go verifier can fail: another leaf, another key, a changed note.
python3 - "$T_DIR" <<'PY'
import json, sys, base64
d = sys.argv[1]
p = json.load(open(d + "/proof0.json"))
q = dict(p); q["leaf"] = base64.b64encode(b"not the leaf").decode()
json.dump(q, open(d + "/bad-leaf.json", "w"))
q = dict(p); q["checkpoint"] = p["checkpoint"].replace("\n", "\n1", 1)
json.dump(q, open(d + "/bad-note.json", "w"))
q = dict(p); q["index"] = 1
json.dump(q, open(d + "/bad-index.json", "w"))
PY
expect_status 1 "Go refuses a leaf that is not the one proved" "$VERIFY" <"$T_DIR/bad-leaf.json"
grep_err "inclusion proof" "...saying the proof fails"
expect_status 1 "Go refuses a changed note" "$VERIFY" <"$T_DIR/bad-note.json"
grep_err "does not verify" "...saying the note does not verify"
expect_status 1 "Go refuses the proof of leaf 0 for leaf 1" "$VERIFY" <"$T_DIR/bad-index.json"
other=$(sed -n 's/.*"feed_vkey": *"\([^"]*\)".*/\1/p' <"$H/identity.json")
sed "s|\"vkey\": *\"[^\"]*\"|\"vkey\": \"$other\"|" "$T_DIR/proof0.json" >"$T_DIR/bad-key.json"
expect_status 1 "Go refuses the note under the feed's key" "$VERIFY" <"$T_DIR/bad-key.json"

# The export of this node, checkpoints as notes, verifies.
expect_status 0 "export" "$SEEN" --home "$H" --as auditor audit export "$T_DIR/export"
expect_status 0 "seen audit verify accepts it" \
  "$SEEN" audit verify --owner "$(sed -n 's/.*"sign_pk": *"\([0-9a-f]*\)".*/\1/p' "$H/identity.json")" "$T_DIR/export"
check "...and its checkpoints.bin holds a signed note" \
  grep -qa "seen/xlog/" "$T_DIR/export/checkpoints.bin"

expect_status 0 "node stop" "$SEEN" --home "$H" node stop
t_end
