#!/usr/bin/env bash
# A node whose store fills, on purpose: a map of 16 MiB growing to a
# limit of 32 (seen.conf), imported into until the store is full.  The
# map grows by itself (an import that outgrew it is sent again), the
# store says when it is nearly full, an import at the limit fails with
# "the store is full" and stores nothing, queries still answer (they are
# logged in the reserve), `seen status --json` says how much is left and
# `seen alerts` lists the alert; raising the limit and restarting brings
# it back.  Then a real full disk (ENOSPC): a 6 MiB tmpfs, mounted in a
# user and mount namespace of the test's own (skipped, saying so, where
# that is not allowed): the node says the disk is full, loses nothing,
# and writes again once there is room.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data
P="integration test: a full store"

# json FILE EXPR: evaluate the Python expression EXPR over the JSON
# object d read from FILE, and print it.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# status_to FILE: the node's status --json into FILE.
status_to() { "$SEEN" --home "$H" status --json >"$1"; }

# records SEED N FILE: N synthetic records (at most about 2,300) of seed
# SEED into FILE.
records() {
  "$SEEN_BIN/seen-synth" --node tvp --type police --local-authority Reading \
    --out "$T_DIR/synth-$1" --households 1200 --seed "$1" >/dev/null 2>&1
  head -n "$2" "$T_DIR/synth-$1/tvp.jsonl" >"$3"
}

# fill HOME POOL: import chunks of POOL into the node at HOME, halving the
# chunk each time one is too large for what is left, until an import says
# the store is full.  Sets FULL_CHUNK to the chunk refused, SAW_LOW to 1
# when the status said nearly full on the way, and FILL_IMPORTS.
fill() {
  local pool=$1 at=1 size=400 total
  total=$(wc -l <"$pool")
  FULL_CHUNK= SAW_LOW=0 FILL_IMPORTS=0
  while [ "$at" -le "$total" ] && [ "$FILL_IMPORTS" -lt 400 ]; do
    FILL_IMPORTS=$((FILL_IMPORTS + 1))
    sed -n "${at},$((at + size - 1))p" "$pool" >"$T_DIR/chunk.jsonl"
    if "$SEEN" --home "$H" import --quiet "$T_DIR/chunk.jsonl" \
        >"$T_DIR/out" 2>"$T_DIR/err"; then
      at=$((at + size))
    elif grep -q "the store is full: nothing stored" "$T_DIR/err"; then
      FULL_CHUNK=$T_DIR/full-chunk.jsonl
      cp "$T_DIR/chunk.jsonl" "$FULL_CHUNK"
      return 0
    elif grep -q "the store is full for this file" "$T_DIR/err"; then
      size=$(((size + 1) / 2))
    else
      sed 's/^/    err: /' "$T_DIR/err" | head -5
      return 1
    fi
    status_to "$T_DIR/st.json"
    [ "$(json "$T_DIR/st.json" 'd["store"]["state"]')" = nearly_full ] &&
      SAW_LOW=1
  done
  return 1
}

# ---- a real full disk: a 6 MiB tmpfs in a namespace of our own ----
disk_inside() {
  local mnt=$1
  mount -t tmpfs -o size=6m tmpfs "$mnt" || return 77
  H=$mnt/tvp
  "$SEEN" --home "$H" init --name tvp --type police --local-authority Reading \
    --kdf interactive >/dev/null
  T_HOMES+=("$H")
  sed -i 's/^map_size_mb = .*/map_size_mb = 16/; s/^map_limit_mb = .*/map_limit_mb = 64/' \
    "$H/seen.conf"
  head -c $((1536 << 10)) /dev/zero >"$mnt/ballast"
  expect_status 0 "disk: node start on a 6 MiB disk, with a 64 MiB limit" \
    "$SEEN" --home "$H" node start
  expect_status 0 "disk: a lead is added" \
    "$SEEN" --home "$H" --as admin operator add lead --role lead
  expect_status 0 "disk: import the example records" \
    "$SEEN" --home "$H" import "$DATA/example.jsonl"
  local s at=1 full=0
  records 6 2000 "$T_DIR/disk-pool.jsonl"
  while [ "$at" -le 2000 ]; do
    sed -n "${at},$((at + 49))p" "$T_DIR/disk-pool.jsonl" >"$T_DIR/chunk.jsonl"
    "$SEEN" --home "$H" handles --json >"$T_DIR/handles-before" 2>/dev/null
    if ! "$SEEN" --home "$H" import --quiet "$T_DIR/chunk.jsonl" \
        >"$T_DIR/out" 2>"$T_DIR/err"; then
      full=1
      break
    fi
    at=$((at + 50))
  done
  check "disk: an import fails once the disk is full" test "$full" = 1
  grep_err "the store is full: nothing stored; the disk holding it is full" \
    "disk: ...saying the disk is full"
  check "disk: the node said so in its log" \
    grep -q "the disk holding it is full" "$H/seen-node.log"
  expect_status 0 "disk: handles of the full node" "$SEEN" --home "$H" handles --json
  equal "$(wc -l <"$T_DIR/out")" "$(wc -l <"$T_DIR/handles-before")" \
    "disk: ...nothing of the refused file was stored"
  expect_status 0 "disk: status" "$SEEN" --home "$H" status --json
  s=$T_DIR/out
  equal "$(json "$s" 'd["store"]["state"]')" full "disk: status says full"
  check "disk: ...and that the disk is what is full" \
    grep -q 'the disk holding it is full' "$s"
  expect_status 0 "disk: seen alerts" "$SEEN" --home "$H" --as lead alerts --json
  grep_out '"rule":"store_full".*the disk holding it is full' \
    "disk: ...lists the full disk as store_full"
  equal "$(grep -c 'the disk holding it is full (' "$H/seen-node.log")" 1 \
    "disk: the node said it once"
  rm -f "$mnt/ballast"
  expect_status 0 "disk: with room again the same file imports" \
    "$SEEN" --home "$H" import --quiet "$T_DIR/chunk.jsonl"
  check "disk: the node said the disk has room again" \
    grep -q "the disk holding it has room again" "$H/seen-node.log"
  expect_status 0 "disk: a query answers" \
    "$SEEN" --home "$H" --as lead query --purpose "$P" --nhs "943 476 5919" --json
  grep_out '"record":"TVP-DA-2025-00412"' "disk: ...and finds the child"
  expect_status 0 "disk: stop" "$SEEN" --home "$H" node stop
  expect_status 0 "disk: start again" "$SEEN" --home "$H" node start
  expect_status 0 "disk: handles after the restart" \
    "$SEEN" --home "$H" handles --json
  check "disk: ...everything imported is there" \
    test "$(wc -l <"$T_DIR/out")" -gt "$(wc -l <"$T_DIR/handles-before")"
  expect_status 0 "disk: stop at the end" "$SEEN" --home "$H" node stop
  [ "$T_FAIL" -eq 0 ]
}

if [ "${1:-}" = --disk-inside ]; then
  disk_inside "$2"
  rc=$?
  echo "$T_PASS passed, $T_FAIL failed (inside)"
  exit $rc
fi

# ---- the map fills: growth, nearly full, full, the limit raised ----
new_node tvp police Reading
sed -i 's/^map_size_mb = .*/map_size_mb = 16/; s/^map_limit_mb = .*/map_limit_mb = 32/' \
  "$H/seen.conf"
expect_status 0 "node start with a 16 MiB map limited to 32" \
  "$SEEN" --home "$H" node start
expect_status 0 "a lead is added" \
  "$SEEN" --home "$H" --as admin operator add lead --role lead
expect_status 0 "import the example records" \
  "$SEEN" --home "$H" import "$DATA/example.jsonl"
status_to "$T_DIR/st.json"
equal "$(json "$T_DIR/st.json" 'd["store"]["map_bytes"]')" $((16 << 20)) \
  "status: the map starts at map_size_mb"
equal "$(json "$T_DIR/st.json" 'd["store"]["limit_bytes"]')" $((32 << 20)) \
  "status: the limit is map_limit_mb"
equal "$(json "$T_DIR/st.json" 'd["store"]["state"]')" ok "status: room"
expect_status 0 "seen status says how much is left" "$SEEN" --home "$H" status
grep_out "^Store: .* used, .* left for records and feeds \(limit 32.0 MiB" \
  "...used, left and the limit"

# One file larger than the map has room for: the map grows as its
# transaction fails, and the CLI sends the file again.
records 1 2000 "$T_DIR/big.jsonl"
expect_status 0 "import a file too large for the 16 MiB map" \
  "$SEEN" --home "$H" import --quiet "$T_DIR/big.jsonl"
grep_err "the store's map grew to 30 MiB while importing" \
  "...the map grew to the limit less its reserve"
grep_err "big.jsonl: sending it again" "...and the file was sent again"
status_to "$T_DIR/st.json"
equal "$(json "$T_DIR/st.json" 'd["store"]["map_bytes"]')" $((30 << 20)) \
  "status: the map grew to 30 MiB"
check "status: the growth is counted" \
  test "$(json "$T_DIR/st.json" 'd["store"]["map_grown"]')" -ge 1
check "the node logged the growth" \
  grep -q "its map grew from 16 MiB to 30 MiB (limit 32 MiB)" "$H/seen-node.log"

# Fill it.
for s in 2 3 4 5; do records "$s" 1000 "$T_DIR/pool-$s.jsonl"; done
cat "$T_DIR"/pool-*.jsonl >"$T_DIR/pool.jsonl"
check "imports until the store is full" fill "$T_DIR/pool.jsonl"
echo "    ($FILL_IMPORTS imports)"
check "...saying it was nearly full on the way" test "$SAW_LOW" = 1
"$SEEN" --home "$H" handles --json >"$T_DIR/handles-full" 2>/dev/null
expect_status 1 "an import into the full store fails" \
  "$SEEN" --home "$H" import "$FULL_CHUNK"
grep_err "the store is full: nothing stored; its content reached its limit of 32.0 MiB less 2.0 MiB" \
  "...saying the store is full, and why"
grep_err "raise map_limit_mb in seen.conf and restart" "...and what to do"
expect_status 0 "handles of the full store" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" "$(wc -l <"$T_DIR/handles-full")" \
  "...nothing of the refused file was stored"
expect_status 0 "a query still answers" \
  "$SEEN" --home "$H" --as lead query --purpose "$P" --nhs "943 476 5919" --json
grep_out '"record":"TVP-DA-2025-00412"' "...and finds the child"
status_to "$T_DIR/st.json"
equal "$(json "$T_DIR/st.json" 'd["store"]["state"]')" full "status: full"
equal "$(json "$T_DIR/st.json" 'd["store"]["left_bytes"]')" 0 \
  "status: nothing left for records and feeds"
check "status: room left in the reserve, for the exchange log" \
  test "$(json "$T_DIR/st.json" 'd["store"]["log_left_bytes"]')" -gt 0
check "status: the refused writes are counted" \
  test "$(json "$T_DIR/st.json" 'd["store"]["writes_refused"]')" -gt 0
check "status: used is most of the limit" \
  test "$(json "$T_DIR/st.json" 'd["store"]["used_bytes"]')" -gt $((28 << 20))
expect_status 0 "seen status" "$SEEN" --home "$H" status
grep_out "^Store FULL: its content reached its limit" "...says the store is full"
expect_status 0 "seen alerts lists the full store" \
  "$SEEN" --home "$H" --as lead alerts --json
grep_out '"rule":"store_full"' "...as a store_full alert"
grep_out '"summary":"tvp.s store is full: its content reached' "...saying why"
n=$(grep -c "is full: its content reached" "$H/seen-node.log" || true)
equal "$n" 1 "the node said once that the store is full"

# Raise the limit, restart: it works again, and nothing was lost.
expect_status 0 "stop the full node" "$SEEN" --home "$H" node stop
sed -i 's/^map_limit_mb = .*/map_limit_mb = 64/' "$H/seen.conf"
expect_status 0 "start with the limit raised to 64 MiB" \
  "$SEEN" --home "$H" node start
expect_status 0 "handles after the restart" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" "$(wc -l <"$T_DIR/handles-full")" \
  "...every entry stored before is there"
expect_status 0 "the refused file imports now" \
  "$SEEN" --home "$H" import --quiet "$FULL_CHUNK"
status_to "$T_DIR/st.json"
check "status: no longer full" \
  test "$(json "$T_DIR/st.json" 'd["store"]["state"]')" != full
equal "$(json "$T_DIR/st.json" 'd["store"]["limit_bytes"]')" $((64 << 20)) \
  "status: the new limit"
expect_status 0 "a query after the restart" \
  "$SEEN" --home "$H" --as lead query --purpose "$P" --nhs "943 476 5919" --json
grep_out '"record":"TVP-DA-2025-00412"' "...finds the child"
expect_status 0 "seen alerts after the restart" \
  "$SEEN" --home "$H" --as lead alerts --json
check "...no store_full alert" sh -c "! grep -q store_full '$T_DIR/out'"
expect_status 0 "stop" "$SEEN" --home "$H" node stop

mkdir -p "$T_DIR/disk"
if ! unshare -rm true 2>/dev/null; then
  echo "# skipped the full-disk part: cannot make a user and mount namespace here (unshare -rm)"
else
  unshare -rm bash "$0" --disk-inside "$T_DIR/disk" && rc=0 || rc=$?
  if [ "$rc" -eq 77 ]; then
    echo "# skipped the full-disk part: cannot mount a tmpfs in a namespace here"
  elif [ "$rc" -eq 0 ]; then
    ok "a full disk: the node says so, loses nothing, writes again with room"
  else
    not_ok "a full disk (the lines above)"
  fi
fi
t_end
