#!/usr/bin/env bash
# bench_scale.sh: real federations of N daemons on this machine, for each
# N given (default 30 100 200), with sparse links (docs/protocol.md,
# "Links").  For each N:
#
# 1. `seen lab up` of N nodes in N/5 local authorities (a council's
#    children's services, a police force, a health trust, a school and
#    probation each), the document setting LINKS long-range links each way
#    (default 2; --links 0: every node links to every other).
# 2. seen-synth's HOUSEHOLDS households per authority (default 10), imported
#    at every node one after the other; the time until every node holds
#    every feed (`seen lab wait`) after the last import.
# 3. A steady stream at a scaled-down national rate: ROUNDS (default 5)
#    times, one record of three people imported at one node (a different
#    node each time), and the time until every node holds it.  What every
#    node sent and received meanwhile, per new index entry, is the cost of
#    an entry to a node (messages and bytes, from `seen status --json`
#    transport counters).
# 4. Per node: peers, store bytes in use per index entry held, resident
#    memory (VmRSS).
#
# Prints one table row per N, writes the table to OUT/scale.tsv and a plot
# to OUT/scale.svg (OUT: --out, default the current directory).  The raw
# limit beside each figure: the loopback round trip of one CurveZMQ
# message measured by bench_replicate is not repeated here; latency is
# shown beside the number of link hops of the longest shortest path
# between two members (the graph computed from the peers the nodes
# report), the floor a relay federation cannot beat.  Never passes or
# fails on speed.
set -u
BIN=$(cd "$(dirname "$0")" && pwd)
[ -x "$BIN/seen" ] || BIN=$(cd "$(dirname "$0")/../build/bin" && pwd)
SEEN=$BIN/seen
SIZES=() LINKS=2 HOUSEHOLDS=10 ROUNDS=5 OUT=$PWD KEEP=0
while [ $# -gt 0 ]; do
  case $1 in
    --links) LINKS=$2; shift 2 ;;
    --households) HOUSEHOLDS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    [0-9]*) SIZES+=("$1"); shift ;;
    *) echo "usage: bench_scale.sh [N...] [--links L] [--households H] [--rounds R] [--out DIR] [--keep]" >&2; exit 2 ;;
  esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(30 100 200)
W=$(mktemp -d "${TMPDIR:-/tmp}/seen-bench-scale-XXXXXX")
PY=/usr/bin/python3

# stats DIR N: one JSON line per node of DIR's lab: name, status, rss.
stats() {
  local d=$1 n
  for n in $(awk -F'"' '$2 == "name" { print $4 }' "$d/lab.json"); do
    pid=$(cat "$d/$n/seen-node.pid" 2>/dev/null)
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    printf '{"name": "%s", "rss_kb": %s, "status": %s}\n' "$n" "${rss:-0}" \
      "$("$SEEN" --home "$d/$n" status --json 2>/dev/null || echo null)"
  done
}

# holds_all DIR ORIGIN SIZE: every node holds SIZE leaves of ORIGIN.
holds_all() {
  local d=$1 o=$2 want=$3 n s
  for n in $(awk -F'"' '$2 == "name" { print $4 }' "$d/lab.json"); do
    s=$("$SEEN" --home "$d/$n" status --json 2>/dev/null | $PY -c "import json,sys; print(json.load(sys.stdin)['feeds'].get('$o', 0))" 2>/dev/null)
    [ "${s:-0}" -ge "$want" ] || return 1
  done
}

printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' nodes links peers hops entries \
  converge_s latency_s msgs_node_entry bytes_node_entry store_b_entry rss_mb \
  >"$W/scale.tsv"
for N in "${SIZES[@]}"; do
  D=$W/lab$N
  $PY - "$N" "$LINKS" >"$W/m$N.json" <<'EOF'
import json, sys
n, links = int(sys.argv[1]), int(sys.argv[2])
types = ["social_care", "police", "health", "school", "probation"]
nodes = [{"name": "a%03d-%s" % (i // 5, types[i % 5].replace("_", "-")),
          "type": types[i % 5], "local_authority": "Area %03d" % (i // 5)}
         for i in range(n)]
print(json.dumps({"federation": "Scale %d" % n, "links": links, "nodes": nodes}))
EOF
  t0=$(date +%s.%N)
  "$SEEN" lab up "$D" "$W/m$N.json" >"$W/up$N.log" 2>&1 || { echo "lab up $N failed"; tail "$W/up$N.log"; exit 1; }
  export SEEN_PASSPHRASE_FILE=$D/passphrase
  up=$(echo "$(date +%s.%N) - $t0" | bc)
  "$BIN/seen-synth" --manifest "$W/m$N.json" --households "$HOUSEHOLDS" --seed 11 --out "$W/synth$N" 2>/dev/null
  for f in "$W/synth$N"/*.jsonl; do
    "$SEEN" --home "$D/$(basename "$f" .jsonl)" import --quiet "$f" >/dev/null 2>&1
  done
  t0=$(date +%s.%N)
  "$SEEN" lab wait "$D" --timeout 1800 >/dev/null
  conv=$(echo "$(date +%s.%N) - $t0" | bc)
  stats "$D" >"$W/before$N.jsonl"
  # The steady stream: one record of three people at a time.
  lat=0 added=0
  for r in $(seq 1 "$ROUNDS"); do
    node=$(awk -F'"' '$2 == "name" { print $4 }' "$D/lab.json" | sed -n "$(( (r * 7) % N + 1 ))p")
    size=$("$SEEN" --home "$D/$node" status --json | $PY -c "import json,sys; print(json.load(sys.stdin)['feeds']['$node'])")
    printf '{"id":"SCALE-%s-%d","kind":"domestic_abuse_incident","date":"2026-11-%02d","local_authority":"Area 000","risk":"high","child_present":true,"people":[{"ref":"c1","role":"child","given_name":"Ava","family_name":"Stone%d","date_of_birth":"2019-04-0%d"},{"ref":"v1","role":"adult_victim","given_name":"Jade","family_name":"Stone%d","date_of_birth":"1990-01-0%d"},{"ref":"p1","role":"perpetrator","given_name":"Lee","family_name":"Marsh%d","date_of_birth":"1988-02-0%d"}]}\n' \
      "$N" "$r" "$r" "$r" "$((r % 9 + 1))" "$r" "$((r % 9 + 1))" "$r" "$((r % 9 + 1))" >"$W/one.jsonl"
    t0=$(date +%s.%N)
    "$SEEN" --home "$D/$node" import --quiet "$W/one.jsonl" >/dev/null 2>&1
    new=$("$SEEN" --home "$D/$node" status --json | $PY -c "import json,sys; print(json.load(sys.stdin)['feeds']['$node'])")
    until holds_all "$D" "$node" "$new"; do sleep 0.2; done
    lat=$(echo "$lat + $(date +%s.%N) - $t0" | bc)
    added=$((added + new - size))
  done
  stats "$D" >"$W/after$N.jsonl"
  $PY - "$W/before$N.jsonl" "$W/after$N.jsonl" "$N" "$LINKS" "$conv" "$lat" "$ROUNDS" "$added" >>"$W/scale.tsv" <<'EOF'
import json, sys
from collections import deque
def load(p):
    return {d["name"]: d for d in map(json.loads, open(p)) if d["status"]}
b, a = load(sys.argv[1]), load(sys.argv[2])
n, links, conv, lat, rounds, added = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
msgs = sum(a[k]["status"]["transport"]["sent"] - b[k]["status"]["transport"]["sent"] for k in a) / n
byts = sum(a[k]["status"]["transport"]["sent_bytes"] - b[k]["status"]["transport"]["sent_bytes"] for k in a) / n
peers = {k: [p["node"] for p in a[k]["status"]["peers"]] for k in a}
def ecc(s):
    dist, q = {s: 0}, deque([s])
    while q:
        u = q.popleft()
        for v in peers.get(u, []):
            if v not in dist:
                dist[v] = dist[u] + 1; q.append(v)
    return max(dist.values()) if len(dist) == len(peers) else -1
hops = max(ecc(k) for k in peers)
store = sum(a[k]["status"]["store"]["used_bytes"] / max(1, a[k]["status"]["entries"]) for k in a) / n
rss = sum(a[k]["rss_kb"] for k in a) / n / 1024
print("%d\t%d\t%.1f\t%d\t%d\t%.1f\t%.2f\t%.1f\t%.0f\t%.0f\t%.1f" % (n, links,
    sum(len(v) for v in peers.values()) / n, hops, a[next(iter(a))]["status"]["entries"],
    conv, lat / rounds, msgs / max(1, added), byts / max(1, added), store, rss))
EOF
  tail -1 "$W/scale.tsv" | sed "s/^/# N=$N (lab up ${up%.*} s): /"
  "$SEEN" lab down "$D" >/dev/null 2>&1
  [ "$KEEP" = 1 ] || rm -rf "$D" "$W/synth$N"
done
column -t "$W/scale.tsv"
cp "$W/scale.tsv" "$OUT/scale.tsv"
$PY - "$W/scale.tsv" "$OUT/scale.svg" <<'EOF'
# A small SVG, by hand: bytes sent per node per new entry, and the
# latency of one record reaching every node, against the number of nodes.
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
xs = [int(r[0]) for r in rows]
series = [("bytes sent per node per new entry", [float(r[8]) for r in rows], "#1f77b4"),
          ("latency of one record to every node (ms)", [1000 * float(r[6]) for r in rows], "#d62728"),
          ("store bytes per entry held", [float(r[9]) for r in rows], "#2ca02c")]
W, H, L, B = 640, 400, 70, 50
xmax = max(xs) * 1.1
ymax = max(max(v) for _, v, _ in series) * 1.15 or 1
def X(x): return L + (W - L - 20) * x / xmax
def Y(y): return H - B - (H - B - 20) * y / ymax
out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (W, H),
       '<rect width="100%" height="100%" fill="white"/>',
       '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - 20, H - B),
       '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, 20, L, H - B),
       '<text x="%d" y="%d" text-anchor="middle">nodes</text>' % ((W + L) // 2, H - 12)]
for x in xs:
    out.append('<text x="%.0f" y="%d" text-anchor="middle">%d</text>' % (X(x), H - B + 16, x))
for i in range(5):
    y = ymax * i / 4
    out.append('<text x="%d" y="%.0f" text-anchor="end">%.0f</text>' % (L - 6, Y(y) + 4, y))
for k, (name, v, c) in enumerate(series):
    pts = " ".join("%.1f,%.1f" % (X(x), Y(y)) for x, y in zip(xs, v))
    out.append('<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>' % (pts, c))
    for x, y in zip(xs, v):
        out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(x), Y(y), c))
    out.append('<text x="%d" y="%d" fill="%s">%s</text>' % (L + 10, 36 + 16 * k, c, name))
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
EOF
echo "table: $OUT/scale.tsv  plot: $OUT/scale.svg"
[ "$KEEP" = 1 ] && echo "kept $W" || rm -rf "$W"
