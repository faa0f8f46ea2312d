#!/usr/bin/env bash
# `seen lab up` chooses ports that nothing can take between choosing and
# binding: outside the kernel's ephemeral range (so no outgoing connection
# gets one), free when chosen, and replaced before the membership document
# is signed when a node cannot bind its own.  Two labs come up at once and
# beside each other; a port taken on purpose is avoided; a port range with
# no usable port is refused with the reason; a restarted lab keeps its
# ports, and says which one another process holds.
. "$(dirname "$0")/lib.sh"
DATA=$(dirname "$0")/data
MANIFEST=$DATA/lab-three.json
LABS=()
trap 'for l in "${LABS[@]}"; do "$SEEN" lab down "$l" >/dev/null 2>&1; done; t_cleanup' EXIT

read -r EPH_LO EPH_HI </proc/sys/net/ipv4/ip_local_port_range
# in_use PORT: whether any TCP socket of this machine has PORT as its local
# port (listening, connected or closing), from /proc/net/tcp{,6}.
in_use() {
  awk -v p="$(printf '%04X' "$1")" 'FNR > 1 { split($2, a, ":"); if (a[2] == p) f = 1 }
    END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
# A narrow range of N ports outside the ephemeral range, at a random place
# (other labs may run on this machine, tests beside this one among them),
# none of whose ports any socket uses when it is chosen.
narrow() {
  local n=$1 base p try
  for try in $(seq 50); do
    if [ "$EPH_LO" -gt 12000 ]; then
      base=$((10000 + RANDOM % (EPH_LO - 10000 - n)))
    else
      base=$((EPH_HI + 1 + RANDOM % (65535 - EPH_HI - n)))
    fi
    for p in $(seq "$base" $((base + n - 1))); do in_use "$p" && continue 2; done
    break
  done
  echo "$base-$((base + n - 1))"
}
# holders LO-HI: the sockets using a port of LO-HI, for a failure's report.
holders() {
  local p
  for p in $(seq "${1%-*}" "${1#*-}"); do
    in_use "$p" && echo "#   port $p is in use:" &&
      awk -v p="$(printf '%04X' "$p")" 'FNR > 1 { split($2, a, ":"); if (a[2] == p) print "#     " $0 }' \
        /proc/net/tcp /proc/net/tcp6
  done
  return 0
}
# ports LAB: the ports of lab.json, one a line.
ports() { sed -n 's/.*"endpoint": "tcp:\/\/127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$1/lab.json"; }
names() { awk -F'"' '$2 == "name" { print $4 }' "$1/lab.json"; }
# listening LAB: each node's transport endpoint from its status, as ports.
listening() {
  local n
  for n in $(names "$1"); do
    "$SEEN" --home "$1/$n" status --json 2>/dev/null |
      sed -n 's/.*"transport":{"endpoint":"tcp:\/\/127\.0\.0\.1:\([0-9]*\)".*/\1/p'
  done
}
# signed LAB: the ports of the lab's signed membership document.
signed() {
  local auth
  auth=$(sed -n 's/.*"authority": "\([0-9a-f]*\)".*/\1/p' "$1/lab.json")
  "$SEEN" federation show "$1/authority/membership.pb" --authority "$auth" --json |
    grep -o '"endpoint":"tcp://127\.0\.0\.1:[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"'
}
sorted() { "$@" | sort -n | tr '\n' ' '; }
outside_ephemeral() {
  local p
  for p in $(ports "$1"); do
    [ "$p" -ge 1024 ] && { [ "$p" -lt "$EPH_LO" ] || [ "$p" -gt "$EPH_HI" ]; } || return 1
  done
}
# lab_up LAB ARGS...: bring up a lab (expect_status), registered for clean-up.
lab_up() {
  local l=$1; shift
  LABS+=("$l")
  expect_status 0 "lab up $(basename "$l")${*:+ $*}" "$SEEN" lab up "$l" "$MANIFEST" "$@"
}
# holder HOME PORT: a lone node listening on PORT, to take it on purpose.
holder() {
  "$SEEN" --home "$1" init --name holder --type other --local-authority Reading \
    --kdf interactive >/dev/null
  sed -i "s|^listen = .*|listen = tcp://127.0.0.1:$2|" "$1/seen.conf"
  T_HOMES+=("$1")
  "$SEEN" --home "$1" node start >/dev/null
}

# --- one lab, the default range ---------------------------------------------
A=$T_DIR/a
lab_up "$A"
equal "$(ports "$A" | sort -u | wc -l)" 3 "lab a: three distinct ports"
check "...each outside the ephemeral range $EPH_LO-$EPH_HI" outside_ephemeral "$A"
equal "$(sorted listening "$A")" "$(sorted ports "$A")" "...each node listens on its lab.json port"
equal "$(sorted signed "$A")" "$(sorted ports "$A")" "...the signed membership document names those ports"

# --- a second lab while the first runs --------------------------------------
B=$T_DIR/b
lab_up "$B"
check "lab b: outside the ephemeral range" outside_ephemeral "$B"
equal "$(cat <(ports "$A") <(ports "$B") | sort -u | wc -l)" 6 "...no port shared with lab a"
equal "$(sorted listening "$B")" "$(sorted ports "$B")" "...each node of lab b listens on its port"
equal "$(sorted listening "$A")" "$(sorted ports "$A")" "...and lab a still does"

# --- two labs at once, sharing a range of seven ports -----------------------
R=$(narrow 7)
C=$T_DIR/c
D=$T_DIR/d
LABS+=("$C" "$D")
"$SEEN" lab up "$C" "$MANIFEST" --ports "$R" >"$T_DIR/c.out" 2>"$T_DIR/c.err" &
pc=$!
"$SEEN" lab up "$D" "$MANIFEST" --ports "$R" >"$T_DIR/d.out" 2>"$T_DIR/d.err" &
pd=$!
wait $pc && rc=0 || rc=$?
equal "$rc" 0 "lab c up at the same time as lab d, both in $R"
wait $pd && rd=0 || rd=$?
equal "$rd" 0 "lab d up at the same time as lab c"
[ "$rc$rd" = 00 ] || sed 's/^/    err: /' "$T_DIR/c.err" "$T_DIR/d.err" | head -20
# (informative) how often a port went between choosing and binding
echo "# ports retried: $(cat "$T_DIR/c.err" "$T_DIR/d.err" | grep -c 'was taken before')"
equal "$(cat <(ports "$C") <(ports "$D") | sort -u | wc -l)" 6 "...six distinct ports between them"
inr=$(cat <(ports "$C") <(ports "$D") | awk -v lo="${R%-*}" -v hi="${R#*-}" '$1 >= lo && $1 <= hi' | wc -l)
equal "$inr" 6 "...all of them in $R"
equal "$(sorted listening "$C")" "$(sorted ports "$C")" "...each node of lab c listens on its port"
equal "$(sorted listening "$D")" "$(sorted ports "$D")" "...each node of lab d listens on its port"
"$SEEN" lab down "$C" >/dev/null
"$SEEN" lab down "$D" >/dev/null

# --- a port taken on purpose is avoided --------------------------------------
R=$(narrow 4)
lo=${R%-*}
taken=$((lo + 1 + RANDOM % 3))
holder "$T_DIR/holder" "$taken"
check "a lone node holds port $taken of $R" \
  sh -c "'$SEEN' --home '$T_DIR/holder' status --json | grep -q ':$taken\"'"
E=$T_DIR/e
lab_up "$E" --ports "$R"
want=$(for p in $(seq "$lo" $((lo + 3))); do [ "$p" = "$taken" ] || echo "$p"; done | tr '\n' ' ')
equal "$(sorted ports "$E")" "$want" "lab e uses the three other ports of $R"
[ "$(sorted ports "$E")" = "$want" ] || holders "$R"
equal "$(sorted listening "$E")" "$want" "...and listens on them"
equal "$(sorted signed "$E")" "$want" "...as its signed document says"
check "...the holder still answers" sh -c "'$SEEN' --home '$T_DIR/holder' status >/dev/null"

# --- a restarted lab keeps its ports; one taken meanwhile is named ----------
before=$(sorted ports "$A")
expect_status 0 "lab a down" "$SEEN" lab down "$A"
expect_status 0 "lab a up again" "$SEEN" lab up "$A" "$MANIFEST"
grep_out "restarted" "...restarted"
equal "$(sorted listening "$A")" "$before" "...on the same ports"
expect_status 0 "lab a down again" "$SEEN" lab down "$A"
pa=$(ports "$A" | head -1)
holder "$T_DIR/holder2" "$pa"
expect_status 1 "lab a up while another process holds its port $pa" \
  "$SEEN" lab up "$A" "$MANIFEST"
grep_err "another process holds port $pa, where node '[a-z-]*' listens" "...says which port and node"
"$SEEN" --home "$T_DIR/holder2" node stop >/dev/null

# --- ranges with no port to give ---------------------------------------------
expect_status 1 "a range inside the ephemeral range is refused" \
  "$SEEN" lab up "$T_DIR/f" "$MANIFEST" --ports "$EPH_LO-$((EPH_LO + 9))"
grep_err "no port of .* is outside the kernel's ephemeral range" "...saying why"
check "...and nothing is made" test ! -e "$T_DIR/f"
expect_status 1 "a malformed range is refused" \
  "$SEEN" lab up "$T_DIR/f" "$MANIFEST" --ports 5000
grep_err "LO-HI, from 1024 to 65535" "...saying what it should be"
G=$T_DIR/g
LABS+=("$G")
R=$(narrow 2)
expect_status 1 "a lab of three in two ports fails" \
  "$SEEN" lab up "$G" "$MANIFEST" --ports "$R"
grep_err "no free port left in $R" "...saying so"
for n in $(names "$G"); do
  expect_status 1 "...and leaves no daemon of it running ($n)" "$SEEN" --home "$G/$n" status
done

t_end
