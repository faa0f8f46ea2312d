#!/usr/bin/env bash
# A federation at rest is quiet (issue 10): a three-node lab imports,
# converges, and is then left alone for a short fixed wait; over that wait
# no node's exchange log gains more than a few leaves and no store grows
# by more than a few pages.  Behaviour, not speed: nothing here is timed
# beyond the wait itself (bench/bench_soak measures the rates).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
WAIT=${SEEN_SOAK_WAIT:-20} # seconds left alone
MAX_LEAVES=3               # exchange-log leaves a node may gain meanwhile
MAX_PAGES=8                # LMDB pages (4 KiB) a store may gain meanwhile

# live NODE: the pages in use in NODE's store less its free list.
live() {
  mdb_stat -ef "$LAB/$1/store" | awk '/Number of pages used:/ { u = $NF }
    /Free pages:/ { f = $NF } END { print u - f }'
}
size() { stat -c %s "$LAB/$1/store/data.mdb"; }

check "mdb_stat is installed (lmdb-utils)" command -v mdb_stat
expect_status 0 "lab up" "$SEEN" lab up "$LAB" "$DATA/lab-three.json"
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
expect_status 0 "seen-synth for the manifest" \
  "$SEEN_BIN/seen-synth" --manifest "$DATA/lab-three.json" --out "$T_DIR/synth" \
  --households 50 --seed 3
for n in $NODES; do
  expect_status 0 "import at $n" "$SEEN" --home "$LAB/$n" import --quiet "$T_DIR/synth/$n.jsonl"
done
expect_status 0 "lab wait: converged" "$SEEN" lab wait "$LAB" --timeout 120

declare -A L0 P0 S0
for n in $NODES; do
  L0[$n]=$(xl "$n" leaves)
  P0[$n]=$(live "$n")
  S0[$n]=$(size "$n")
done
sleep "$WAIT"
for n in $NODES; do
  l=$(xl "$n" leaves)
  p=$(live "$n")
  s=$(size "$n")
  check "$n: its exchange log gained at most $MAX_LEAVES leaves in $WAIT s at rest (${L0[$n]:-?} -> ${l:-?})" \
    test -n "$l" -a -n "${L0[$n]}" -a "$((${l:-0} - ${L0[$n]:-0}))" -le "$MAX_LEAVES"
  check "$n: its store gained at most $MAX_PAGES live pages (${P0[$n]:-?} -> ${p:-?}; data.mdb ${S0[$n]} -> $s bytes)" \
    test -n "$p" -a -n "${P0[$n]}" -a "$((${p:-0} - ${P0[$n]:-0}))" -le "$MAX_PAGES"
done
check "every node still answers" sh -c "for n in $NODES; do '$SEEN' --home '$LAB/'\$n status >/dev/null || exit 1; done"

expect_status 0 "lab down" "$SEEN" lab down "$LAB"
t_end
