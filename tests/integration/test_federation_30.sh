#!/usr/bin/env bash
# The 30-node lab of the six inspected areas (scripts/lab-six-areas.json),
# with a small seen-synth data set at every node: the federation converges
# and every node holds all 30 feeds at the same sizes.  How long that took
# is printed, never asserted.
. "$(dirname "$0")/lib.sh"
MANIFEST=$SEEN_SOURCE_DIR/scripts/lab-six-areas.json
LAB=$T_DIR/lab

st() { "$SEEN" --home "$LAB/$1" status --json 2>/dev/null; }
# Non-empty feeds a node holds, sorted (a node lists its own, even empty).
feeds_sorted() { st "$1" | grep -o '"feeds":{[^}]*}' | sed 's/^"feeds":{//; s/}$//' | tr ',' '\n' | grep -v ':0$' | sort; }
entries() { st "$1" | grep -o '"entries":[0-9]*' | cut -d: -f2; }

check "the manifest is there" test -s "$MANIFEST"
t0=$(date +%s)
expect_status 0 "lab up: 30 nodes" "$SEEN" lab up "$LAB" "$MANIFEST"
grep_out " 30 nodes" "...says 30 nodes"
NODES=$(awk -F'"' '$2 == "name" { print $4 }' "$LAB/lab.json")
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
equal "$(echo "$NODES" | wc -l)" 30 "lab.json lists 30 nodes"
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
echo "# (informative) lab up took $(($(date +%s) - t0)) s"

expect_status 0 "seen-synth: 40 households per authority" \
  "$SEEN_BIN/seen-synth" --manifest "$MANIFEST" --out "$T_DIR/synth" \
  --households 40 --seed 7
bad=0
ti=$(date +%s)
for n in $NODES; do
  f=$T_DIR/synth/$n.jsonl
  if [ -s "$f" ]; then
    "$SEEN" --home "$LAB/$n" import --quiet "$f" >/dev/null 2>"$T_DIR/err" ||
      { bad=1; echo "    import at $n failed: $(tail -1 "$T_DIR/err")"; }
  fi
done
equal "$bad" 0 "every node imports its file"
people=$(for n in $NODES; do cat "$T_DIR/synth/$n.jsonl"; done | grep -o '"ref"' | wc -l)
with_data=$(for n in $NODES; do [ -s "$T_DIR/synth/$n.jsonl" ] && echo "$n"; done | wc -l)
equal "$with_data" 30 "seen-synth gave every node records"

t0=$(date +%s)
expect_status 0 "lab wait --timeout 300: converged" "$SEEN" lab wait "$LAB" --timeout 300
t1=$(date +%s)
echo "# (informative) converged $((t1 - t0)) s after the last import, $((t1 - ti)) s after the first"

first=$(echo "$NODES" | head -1)
ref=$(feeds_sorted "$first")
equal "$(echo "$ref" | grep -c .)" 30 "$first holds 30 non-empty feeds"
same=0 count=0 ent=0
for n in $NODES; do
  f=$(feeds_sorted "$n")
  [ "$f" = "$ref" ] && same=$((same + 1))
  [ "$(echo "$f" | grep -c .)" -eq 30 ] && count=$((count + 1))
  [ "$(entries "$n")" = "$people" ] && ent=$((ent + 1))
  [ "$f" = "$ref" ] || echo "    $n differs: $(echo "$f" | tr '\n' ' ')"
done
equal "$count" 30 "every node lists 30 feeds"
equal "$same" 30 "every node holds every feed at the same size"
equal "$ent" 30 "every node indexes one entry per person in every record ($people)"

expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
