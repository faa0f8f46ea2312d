# transport.sh: what the transport's attack tests share (test_attack_
# connections.sh, test_attack_flood.sh).  Source it after lab.sh.
PROBE=$SEEN_BIN/seen-probe

# transport NODE KEY: a count of the transport object of NODE's status.
transport() { st "$1" | grep -o '"transport":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
feed() { st "$1" | grep -o '"feeds":{[^}]*}' | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
used() { st "$1" | grep -o '"used_bytes":[0-9]*' | cut -d: -f2; }
# lab_endpoint NAME: the node's endpoint from lab.json.
lab_endpoint() {
  awk -F'"' -v n="$1" '/\{/ { name = ""; ep = "" }
    $2 == "name" { name = $4 } $2 == "endpoint" { ep = $4 }
    /\}/ { if (name == n && ep != "") print ep }' "$LAB/lab.json"
}
id_key() { "$SEEN" --home "$1" identity --json | sed -n "s/.*\"$2\":\"\([0-9a-f]\{64\}\)\".*/\1/p"; }
# probe_at NODE ARGS...: seen-probe aimed at NODE of the lab.
probe_at() {
  local n=$1; shift
  "$PROBE" --to "$(lab_endpoint "$n")" --to-curve "$(id_key "$LAB/$n" curve_pk)" \
    --to-sign "$(id_key "$LAB/$n" sign_pk)" "$@"
}
# stop_probe PID: stop a probe started in the background as `probe_at ... &`
# (PID is the subshell's: the probe is its child).
stop_probe() { pkill -P "$1" 2>/dev/null; kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# wait_for DESC CMD...: passes once CMD succeeds (at most 60 s: a bound).
wait_for() {
  local d=$1 i; shift
  for i in $(seq 1 240); do "$@" && { ok "$d"; return 0; }; sleep 0.25; done
  not_ok "$d"
}
# no_false_alert NODE: NODE raised no alert of integrity or of a full store.
no_false_alert() {
  expect_status 0 "$1 lists its alerts" "$SEEN" --home "$LAB/$1" --as lead alerts --json
  check "...none of integrity or of a full store (no false alert)" \
    sh -c "! grep -qE '\"rule\":\"(feed_equivocation|exchange_log_equivocation|store_full|store_nearly_full)\"' '$T_DIR/out'"
}
