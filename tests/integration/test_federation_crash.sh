#!/usr/bin/env bash
# Replication through failures, with real daemons on loopback:
#  (a) a node killed with SIGKILL while it receives a large feed restarts,
#      resumes from its durable cursors and converges: nothing lost,
#      nothing applied twice (every node indexes the same entries, one per
#      person in every record imported);
#  (b) a node stopped while the others import catches up once restarted;
#  (c) envelopes that arrive while an import holds the store's write
#      transaction wait for it (the daemon once deadlocked on itself);
#  (d) two nodes that never connect to each other (seen.conf [network]
#      peers lets each talk only to a third) converge through the third.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data
SC=reading-social-care
POL=thames-valley-police
HEA=reading-health
NODES="$SC $POL $HEA"

# --- helpers (JSON read with grep/sed: no python or jq) ---------------------
st() { "$SEEN" --home "$LAB/$1" status --json 2>/dev/null; }
feed() { st "$1" | grep -o '"feeds":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
# The feeds a node holds, sorted, leaving out empty ones (a node lists its
# own feed before it has published anything).
feeds_sorted() { st "$1" | grep -o '"feeds":{[^}]*}' | sed 's/^"feeds":{//; s/}$//' | tr ',' '\n' | grep -v ':0$' | sort | tr '\n' ' '; }
entries() { st "$1" | grep -o '"entries":[0-9]*' | cut -d: -f2; }
people() { cat "$@" | grep -o '"ref"' | wc -l; }
# Records with their ids prefixed, so that a second data set never
# replaces the records of the first.
prefixed() { sed "s/^{\"id\":\"/{\"id\":\"$1-/" "$2" >"$3"; }
# wait_feed NODE ORIGIN SIZE: true once NODE holds ORIGIN's feed at SIZE (120 s).
wait_feed() {
  local i
  for i in $(seq 1 240); do
    [ "$(feed "$1" "$2")" = "$3" ] && return 0
    sleep 0.5
  done
  return 1
}
# same_everywhere WHAT: every node's feeds and entries are equal.
same_everywhere() {
  local n f0 e0
  f0=$(feeds_sorted $SC)
  e0=$(entries $SC)
  for n in $NODES; do
    equal "$(feeds_sorted "$n")" "$f0" "$1: $n holds every feed at the same size"
    equal "$(entries "$n")" "$e0" "$1: $n indexes as many entries as the others"
  done
}

# --- setup -------------------------------------------------------------------
LAB=$T_DIR/lab
expect_status 0 "lab up" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
expect_status 0 "seen-synth: a small data set" \
  "$SEEN_BIN/seen-synth" --manifest "$DATA/lab-three.json" --out "$T_DIR/small" \
  --households 150 --seed 21
for n in $NODES; do
  expect_status 0 "import at $n" "$SEEN" --home "$LAB/$n" import --quiet "$T_DIR/small/$n.jsonl"
done
expect_status 0 "lab wait: converged" "$SEEN" lab wait "$LAB" --timeout 120
expected=$(people "$T_DIR"/small/{$SC,$POL,$HEA}.jsonl)
same_everywhere "small data set"
equal "$(entries $SC)" "$expected" "one entry per person in every record imported"

# --- (a) SIGKILL while receiving replication --------------------------------
expect_status 0 "seen-synth: a large police file (3000 households)" \
  "$SEEN_BIN/seen-synth" --node $POL --type police --local-authority Reading \
  --out "$T_DIR/big" --households 3000 --seed 22
prefixed BIG "$T_DIR/big/$POL.jsonl" "$T_DIR/big.jsonl"
big=$(people "$T_DIR/big.jsonl")
base=$(feed $SC $POL)
pid=$(cat "$LAB/$SC/seen-node.pid")
check "the receiver's pid is known ($pid)" test -n "$pid"
"$SEEN" --home "$LAB/$POL" import --quiet "$T_DIR/big.jsonl" >"$T_DIR/imp.out" 2>&1 &
imp=$!
# Kill the receiver as soon as it has started to receive the new leaves.
at=$base
for i in $(seq 1 600); do
  at=$(feed $SC $POL)
  [ -n "$at" ] && [ "$at" -gt "$base" ] && break
  sleep 0.05
done
kill -9 "$pid"
wait $imp && irc=0 || irc=$?
equal "$irc" 0 "the import at the police node completed"
target=$(feed $POL $POL)
equal "$target" $((base + big)) "...the police feed grew by one leaf per person"
echo "# (informative) the receiver held $at of $target police leaves when killed (from $base)"
expect_status 1 "the killed node no longer answers" "$SEEN" --home "$LAB/$SC" status
expect_status 0 "restart the killed node" "$SEEN" --home "$LAB/$SC" node start
expect_status 0 "lab wait after the restart: converged" "$SEEN" lab wait "$LAB" --timeout 120
equal "$(feed $SC $POL)" "$target" "the restarted node holds the whole police feed"
same_everywhere "after SIGKILL"
expected=$((expected + big))
equal "$(entries $SC)" "$expected" "...one entry per person imported: nothing lost, nothing twice"

# --- (b) a node stopped while the others import -----------------------------
expect_status 0 "stop $HEA" "$SEEN" --home "$LAB/$HEA" node stop
expect_status 0 "seen-synth: more records" \
  "$SEEN_BIN/seen-synth" --manifest "$DATA/lab-three.json" --out "$T_DIR/more" \
  --households 200 --seed 23
prefixed MORE "$T_DIR/more/$SC.jsonl" "$T_DIR/more-sc.jsonl"
prefixed MORE "$T_DIR/more/$POL.jsonl" "$T_DIR/more-pol.jsonl"
expect_status 0 "import more at $SC" "$SEEN" --home "$LAB/$SC" import --quiet "$T_DIR/more-sc.jsonl"
expect_status 0 "import more at $POL" "$SEEN" --home "$LAB/$POL" import --quiet "$T_DIR/more-pol.jsonl"
check "the two running nodes exchange the new leaves meanwhile" \
  wait_feed $POL $SC "$(feed $SC $SC)"
check "...both ways" wait_feed $SC $POL "$(feed $POL $POL)"
expect_status 0 "restart $HEA" "$SEEN" --home "$LAB/$HEA" node start
expect_status 0 "lab wait: the restarted node catches up" "$SEEN" lab wait "$LAB" --timeout 120
same_everywhere "after a stop"
expected=$((expected + $(people "$T_DIR/more-sc.jsonl" "$T_DIR/more-pol.jsonl")))
equal "$(entries $HEA)" "$expected" "...one entry per person imported"

# --- (c) peers' messages arriving while an import holds the store ------------
# An import session holds the store's write transaction between requests;
# envelopes that arrive meanwhile must wait, not deadlock the daemon.
TEP=$(awk -F'"' -v n=$SC '/\{/ { name = ""; ep = "" }
  $2 == "name" { name = $4 } $2 == "endpoint" { ep = $4 }
  /\}/ { if (name == n && ep != "") print ep }' "$LAB/lab.json")
TID=$("$SEEN" --home "$LAB/$SC" identity --json)
TCURVE=$(echo "$TID" | sed -n 's/.*"curve_pk":"\([0-9a-f]*\)".*/\1/p')
TSIGN=$(echo "$TID" | sed -n 's/.*"sign_pk":"\([0-9a-f]*\)".*/\1/p')
prefixed BIG2 "$T_DIR/big/$POL.jsonl" "$T_DIR/big2.jsonl"
"$SEEN" --home "$LAB/$SC" import --quiet "$T_DIR/big2.jsonl" >"$T_DIR/imp2.out" 2>&1 &
imp=$!
for i in 1 2 3 4 5 6; do
  "$SEEN_BIN/seen-probe" --home "$LAB/$POL" --to "$TEP" --to-curve "$TCURVE" \
    --to-sign "$TSIGN" hello >/dev/null 2>&1 || true
  kill -0 $imp 2>/dev/null || break
done
for i in $(seq 1 120); do kill -0 $imp 2>/dev/null || break; sleep 0.5; done
if kill -0 $imp 2>/dev/null; then
  not_ok "an import while peers' messages arrive completes (the daemon hung)"
  kill $imp
  kill -9 "$(cat "$LAB/$SC/seen-node.pid")"
  expect_status 0 "restart the hung node" "$SEEN" --home "$LAB/$SC" node start
else
  ok "an import while peers' messages arrive completes"
  wait $imp && irc=0 || irc=$?
  equal "$irc" 0 "...successfully"
fi
expect_status 0 "...the node answers" "$SEEN" --home "$LAB/$SC" status
expect_status 0 "lab wait after that import: converged" "$SEEN" lab wait "$LAB" --timeout 120
same_everywhere "after an import under traffic"
expected=$((expected + big))
equal "$(entries $POL)" "$expected" "...one entry per person imported"
expect_status 0 "lab down" "$SEEN" lab down "$LAB"

# --- (d) two nodes that cannot reach each other, through a third -------------
LAB=$T_DIR/relay
expect_status 0 "a second lab up" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
expect_status 0 "...and down, to configure it" "$SEEN" lab down "$LAB"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
for n in $SC $HEA; do
  sed -i "s/^peers = .*/peers = $POL/" "$LAB/$n/seen.conf"
  check "$n talks only to $POL" grep -q "^peers = $POL\$" "$LAB/$n/seen.conf"
done
expect_status 0 "lab up again (restart)" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $SC $HEA; do
  p=$(st "$n" | grep -o '"peers":\[[^]]*\]' | grep -o '"node":"[^"]*"' | tr '\n' ' ')
  equal "$p" "\"node\":\"$POL\" " "$n's only peer is $POL"
done
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import --quiet "$T_DIR/small/$SC.jsonl"
expect_status 0 "import at $HEA" "$SEEN" --home "$LAB/$HEA" import --quiet "$T_DIR/small/$HEA.jsonl"
expect_status 0 "lab wait: converged through the relay" "$SEEN" lab wait "$LAB" --timeout 120
equal "$(feed $SC $HEA)" "$(feed $HEA $HEA)" "$SC holds $HEA's feed, relayed by $POL"
equal "$(feed $HEA $SC)" "$(feed $SC $SC)" "$HEA holds $SC's feed, relayed by $POL"
check "...which is not empty" test "$(feed $SC $HEA)" -gt 0
same_everywhere "relayed"
equal "$(entries $POL)" "$(people "$T_DIR"/small/{$SC,$HEA}.jsonl)" "...one entry per person imported"
expect_status 0 "lab down" "$SEEN" lab down "$LAB"

t_end
