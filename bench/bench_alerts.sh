#!/usr/bin/env bash
# bench_alerts.sh: what a real node makes of each generator's population,
# against the truth: the persons (`seen persons --json`, pairwise) and the
# perpetrator_multiple_households alerts (`seen alerts --json`: precision
# and recall against the perpetrators the truth has with children in two
# households, each wrong alert put down to a cause).  bench_febrl scores
# the matcher's clustering from the index entries alone; this runs the
# alert rule itself (node/matching/alerts.c), which bench cannot reach
# without a copy of it.
#
#   bench/bench_alerts.sh [--manifest LAB.json] [--households N] [--seed S]
#
# For seen-synth and seen-synth2 (defaults: scripts/lab-six-areas.json,
# 150 households per authority, seed 1, as bench_febrl): generate into a
# temporary folder, `seen init` one node, import every node's file into
# it (one node holding the whole lab's records: the same entries a
# converged lab holds, without the replication), wait until every entry
# is matched, score with tools/synth2/score_node.py, stop the node and
# remove the folder.  Prints figures; never passes or fails on them.
set -u
BIN=$(cd "$(dirname "$0")" && pwd)
[ -x "$BIN/seen" ] || BIN=$(cd "$(dirname "$0")/../build/bin" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$SRC/scripts/lab-six-areas.json" ] || SRC=${SEEN_SOURCE_DIR:?}
SEEN=$BIN/seen
MANIFEST=$SRC/scripts/lab-six-areas.json HOUSEHOLDS=150 SEED=1
while [ $# -gt 0 ]; do
  case $1 in
    --manifest) MANIFEST=$2; shift 2 ;;
    --households) HOUSEHOLDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    *) echo "usage: bench_alerts.sh [--manifest LAB.json] [--households N]" \
         "[--seed S]" >&2; exit 2 ;;
  esac
done
W=$(mktemp -d "${TMPDIR:-/tmp}/bench_alerts.XXXXXX")
H=
cleanup() {
  [ -n "$H" ] && "$SEEN" --home "$H" node stop >/dev/null 2>&1
  rm -rf "$W"
}
trap cleanup EXIT
export SEEN_PASSPHRASE_FILE=$W/passphrase
printf 'bench passphrase\n' >"$SEEN_PASSPHRASE_FILE"
chmod 600 "$SEEN_PASSPHRASE_FILE"
unset SEEN_HOME SEEN_OPERATOR

for gen in seen-synth seen-synth2; do
  G=$W/$gen H=$W/$gen-node
  echo "$gen --manifest $MANIFEST --households $HOUSEHOLDS --seed $SEED," \
    "imported into one node"
  "$BIN/$gen" --manifest "$MANIFEST" --out "$G" --households "$HOUSEHOLDS" \
    --seed "$SEED" 2>/dev/null || { echo "  $gen failed" >&2; exit 1; }
  "$SEEN" --home "$H" init --name bench --type police \
    --local-authority Reading --kdf interactive >/dev/null &&
    "$SEEN" --home "$H" node start >/dev/null &&
    "$SEEN" --home "$H" --as admin operator add lead --role lead >/dev/null ||
    exit 1
  for f in "$G"/*.jsonl; do
    case $f in */truth.jsonl | */scenarios.jsonl) continue ;; esac
    "$SEEN" --home "$H" import --quiet "$f" >/dev/null 2>&1 ||
      { echo "  import of $f failed" >&2; exit 1; }
  done
  # Matched: twice in a row, nothing importing and nothing left to match
  # (status "matching": {"behind": 0}).
  quiet=0
  for _ in $(seq 1 600); do
    "$SEEN" --home "$H" status --json >"$W/status" 2>/dev/null
    if grep -q '"matching":{"behind":0' "$W/status" &&
      grep -q '"import_in_progress":false' "$W/status"; then
      quiet=$((quiet + 1))
      [ "$quiet" -ge 2 ] && break
    else
      quiet=0
    fi
    sleep 0.5
  done
  "$SEEN" --home "$H" handles --json >"$W/handles" &&
    "$SEEN" --home "$H" --as lead persons --json >"$W/persons" &&
    "$SEEN" --home "$H" --as lead alerts --json >"$W/alerts" || exit 1
  /usr/bin/python3 "$SRC/tools/synth2/score_node.py" "$G" "$W/handles" \
    "$W/persons" "$W/alerts"
  "$SEEN" --home "$H" node stop >/dev/null
  H=
done
