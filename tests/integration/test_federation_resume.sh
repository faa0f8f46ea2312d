#!/usr/bin/env bash
# A catch-up cut short by a stop resumes when the node starts again, with
# real daemons on loopback and nothing else happening in the federation:
# a new member (the receiver) starts to take a police feed of about
# 20,000 entries, the police node is frozen (SIGSTOP) once the receiver
# holds part of it, the receiver is stopped and the police node let go,
# and the receiver, started again, holds the whole feed.  Before the fix
# it held the police checkpoint and part of the leaves, and asked for
# nothing: its HEADS was the one the police node had answered already,
# and the police node, with nothing new, told it nothing (docs/protocol.md,
# "Resuming").
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
POL=police
REC=receiver

LAB=$T_DIR/lab
cat >"$T_DIR/two.json" <<'EOF'
{"federation": "resume", "nodes": [
 {"name": "police", "type": "police", "local_authority": "Reading"},
 {"name": "receiver", "type": "social_care", "local_authority": "Reading"}]}
EOF
expect_status 0 "lab up" "$SEEN" lab up "$LAB" "$T_DIR/two.json"
T_HOMES+=("$LAB/$POL" "$LAB/$REC")
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
expect_status 0 "the receiver stops before anything is published" \
  "$SEEN" --home "$LAB/$REC" node stop
expect_status 0 "seen-synth: a police file (3000 households)" \
  "$SEEN_BIN/seen-synth" --node $POL --type police --local-authority Reading \
  --out "$T_DIR/data" --households 3000 --seed 31
expect_status 0 "import at the police node" \
  "$SEEN" --home "$LAB/$POL" import --quiet "$T_DIR/data/$POL.jsonl"
want=$(feed $POL $POL)
check "the police feed is larger than two ranges ($want leaves)" \
  test "$want" -gt 16384

# The receiver starts and takes the first batches; the police node is
# frozen as soon as the receiver holds some, so that it holds part only.
expect_status 0 "the receiver starts" "$SEEN" --home "$LAB/$REC" node start
pol_pid=$(cat "$LAB/$POL/seen-node.pid")
at=0
for i in $(seq 1 1200); do
  at=$(feed $REC $POL)
  [ -n "$at" ] && [ "$at" -gt 0 ] && break
  sleep 0.05
done
kill -STOP "$pol_pid"
at=$(feed $REC $POL)
check "the receiver holds part of the police feed ($at of $want)" \
  test "$at" -gt 0 -a "$at" -lt "$want"
expect_status 0 "the receiver stops in the middle of its catch-up" \
  "$SEEN" --home "$LAB/$REC" node stop
kill -CONT "$pol_pid"
expect_status 0 "the receiver starts again" "$SEEN" --home "$LAB/$REC" node start
# A bound against a hang, not a figure of speed.
for i in $(seq 1 240); do
  [ "$(feed $REC $POL)" = "$want" ] && break
  sleep 0.5
done
equal "$(feed $REC $POL)" "$want" "the receiver resumed and holds the whole police feed"
resumed=$(st $REC | grep -o '"ranges":{[^}]*}' | grep -o '"resumed":[0-9]*' | cut -d: -f2)
check "...asking for it on what it held (ranges.resumed $resumed)" \
  test "${resumed:-0}" -ge 1
expect_status 0 "lab wait: converged" "$SEEN" lab wait "$LAB" --timeout 120
expect_status 0 "lab down" "$SEEN" lab down "$LAB"

t_end
