#!/usr/bin/env bash
# Sparse links (docs/protocol.md, "Links"): a 16-node lab whose
# membership document sets one long-range link each way.  Every node
# links to a bounded set of peers (its ring neighbours at distances 1-3
# and 4, both ways: at most 8 of the 15 others), the relation is
# symmetric, and the federation still converges through relays.  With a
# node stopped, the rest converge around it; restarted, it catches up.
# A disclosure between two members that are not peers goes by a direct
# link.  How long each step took is printed, never asserted.
. "$(dirname "$0")/lib.sh"
LAB=$T_DIR/lab
N=16
MAN=$T_DIR/sparse.json
types=(social_care police health school probation youth_justice)
{
  printf '{"federation": "Sparse test", "links": 1, '
  printf '"agreement": "%s", "nodes": [' "$SEEN_SOURCE_DIR/scripts/partnership-agreement.json"
  for i in $(seq 1 $N); do
    [ "$i" -gt 1 ] && printf ', '
    printf '{"name": "n%02d", "type": "%s", "local_authority": "%s"}' \
      "$i" "${types[$((i % 6))]}" "$([ $((i % 2)) -eq 0 ] && echo Reading || echo Slough)"
  done
  printf ']}\n'
} >"$MAN"

st() { "$SEEN" --home "$LAB/$1" status --json 2>/dev/null; }
peers_of() { st "$1" | /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(p["node"] for p in json.load(sys.stdin)["peers"])))'; }
size_of() { st "$1" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['feeds'].get('$2', 0))"; }

t0=$(date +%s)
expect_status 0 "lab up: $N nodes, links 1" "$SEEN" lab up "$LAB" "$MAN"
NODES=$(seq -f 'n%02g' 1 $N)
for n in $NODES; do T_HOMES+=("$LAB/$n"); done
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
echo "# (informative) lab up took $(($(date +%s) - t0)) s"

# The authority's command refuses what a document may not say.
expect_status 1 "federation links 33 is refused" "$SEEN" federation links "$LAB/authority" 33
grep_err "from 0 to 32" "...saying what it takes"
expect_status 1 "federation links abc is refused" "$SEEN" federation links "$LAB/authority" abc

# Bounded and symmetric.
bounded=0 sym=0 total=0
for n in $NODES; do
  p=$(peers_of "$n")
  c=$(echo "$p" | wc -w)
  total=$((total + c))
  [ "$c" -ge 2 ] && [ "$c" -le 8 ] && bounded=$((bounded + 1))
  for q in $p; do
    case " $(peers_of "$q") " in *" $n "*) sym=$((sym + 1)) ;; esac
  done
done
equal "$bounded" "$N" "every node has 2 to 8 peers, not all 15"
equal "$sym" "$total" "every link is known at both ends ($total)"

# Converges through relays.
expect_status 0 "seen-synth: 6 households per authority" \
  "$SEEN_BIN/seen-synth" --manifest "$MAN" --out "$T_DIR/synth" \
  --households 6 --seed 3
bad=0
for n in $NODES; do
  f=$T_DIR/synth/$n.jsonl
  [ -s "$f" ] && { "$SEEN" --home "$LAB/$n" import --quiet "$f" >/dev/null 2>&1 || bad=1; }
done
equal "$bad" 0 "every node imports its file"
t0=$(date +%s)
expect_status 0 "lab wait: converged through relays" "$SEEN" lab wait "$LAB" --timeout 300
echo "# (informative) converged $(($(date +%s) - t0)) s after the imports"

# One node stopped: the others converge around it.
expect_status 0 "n05 stops" "$SEEN" --home "$LAB/n05" node stop
head -3 "$T_DIR/synth/n01.jsonl" | sed 's/"id": *"\([^"]*\)"/"id": "\1-again"/' >"$T_DIR/more.jsonl"
before=$(size_of n01 n01)
expect_status 0 "n01 imports more while n05 is down" \
  "$SEEN" --home "$LAB/n01" import --quiet "$T_DIR/more.jsonl"
after=$(size_of n01 n01)
check "n01's feed grew" test "$after" -gt "$before"
t0=$(date +%s) done=0
while [ $(($(date +%s) - t0)) -lt 120 ]; do
  done=0
  for n in $NODES; do
    [ "$n" = n05 ] && continue
    [ "$(size_of "$n" n01)" = "$after" ] && done=$((done + 1))
  done
  [ "$done" -eq $((N - 1)) ] && break
  sleep 1
done
equal "$done" $((N - 1)) "every running node holds n01's new entries"
echo "# (informative) $(($(date +%s) - t0)) s with n05 down"

# Restarted, it catches up.
expect_status 0 "n05 starts again" "$SEEN" --home "$LAB/n05" node start
expect_status 0 "lab wait: n05 caught up" "$SEEN" lab wait "$LAB" --timeout 120
equal "$(size_of n05 n01)" "$after" "n05 holds n01's new entries"

# A disclosure between a social care node and a police node that are not
# peers: the request and its answer go by direct links.
SC= POL=
for s in n06 n12; do
  for p in n01 n07 n13; do
    case " $(peers_of $s) " in *" $p "*) ;; *) [ -z "$SC" ] && SC=$s POL=$p ;; esac
  done
done
if [ -z "$SC" ]; then
  # The links are drawn from the members' keys: in about one lab in fifty
  # both social care nodes are peers of all three police nodes, and
  # there is no pair to test the relay with (seen once in CI, 2026-12-08).
  echo "# (informative) every social care node is a peer of every police node in this draw: the disclosure by direct links is not tried"
  t_end
  exit $?
fi
check "a social care node and a police node are not peers ($SC, $POL)" test -n "$SC"
PURPOSE="section 47 enquiry, case RDG-0042"
cat >"$T_DIR/sc.jsonl" <<'EOT'
{"id":"RDG-CIN-2026-0042","kind":"child_in_need_assessment","date":"2026-01-15","local_authority":"Reading","people":[{"ref":"c1","role":"child","given_name":"Mia","family_name":"Ward","date_of_birth":"2020-09-30","nhs_number":"943 476 5919","postcode":"RG1 5DF"}]}
EOT
expect_status 0 "import at $POL" "$SEEN" --home "$LAB/$POL" import "$SEEN_SOURCE_DIR/tests/integration/data/example.jsonl"
expect_status 0 "import at $SC" "$SEEN" --home "$LAB/$SC" import "$T_DIR/sc.jsonl"
expect_status 0 "the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
HC=
for _ in $(seq 1 120); do
  HC=$("$SEEN" --home "$LAB/$SC" --as lead query --purpose "$PURPOSE" --json \
    --nhs "943 476 5919" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
for line in sys.stdin:
    for m in json.loads(line).get("members", []):
        if m["node"] == sys.argv[1] and m["role"] == "child":
            print(m["handle"]); sys.exit(0)
sys.exit(1)' "$POL") && break
  sleep 0.25
done
check "the query at $SC finds $POL's entry of the child" test -n "$HC"
expect_status 0 "the lead at $SC requests it of $POL, not a peer" \
  "$SEEN" --home "$LAB/$SC" --as lead request --handle "$HC" --node "$POL" \
  --purpose "$PURPOSE" --basis safeguarding_children
R1=$(cat "$T_DIR/out")
got=
for _ in $(seq 1 240); do
  "$SEEN" --home "$LAB/$SC" --as lead disclosures --json 2>/dev/null |
    grep "\"request\":\"$R1\"" | grep -q '"status":"shared"' && { got=1; break; }
  sleep 0.25
done
check "...and the answer arrives, shared, by direct links" test -n "$got"
case " $(peers_of $SC) " in *" $POL "*) in=1 ;; *) in=0 ;; esac
equal "$in" 0 "...while $POL is still not a peer of $SC"

t_end
