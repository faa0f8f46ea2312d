#!/usr/bin/env bash
# check-store-upgrade.sh OLD_BIN [NEW_BIN]: a three-node lab filled by an
# older build's binaries (OLD_BIN: seen, seen-node, seen-synth; e.g. those
# of 6ef38d5, store format 1, 82a7f36, format 2, or 331b3db, format 4),
# restarted on the same homes by this build's (NEW_BIN, default
# build/bin): each store is migrated as it is
# opened (logged), the lab is converged, takes more records and converges
# again, and `seen audit verify` passes on new exports and on an export
# the old build made.  Not run by ctest: it needs the older build.
#   git archive 6ef38d5 | tar -x -C /tmp/old && cd /tmp/old &&
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
#   cmake --build build -j2 --target seen seen-node seen-synth
[ $# -ge 1 ] || { echo "usage: $0 OLD_BIN [NEW_BIN]" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NEW=$(cd "${2:-$ROOT/build/bin}" && pwd)
export SEEN_BIN
SEEN_BIN=$(cd "$1" && pwd)
. "$ROOT/tests/integration/lib.sh"
. "$ROOT/tests/integration/lab.sh"
lab_converged 300
for n in $NODES; do echo "old $n: $(st $n | grep -o '"feeds":{[^}]*}')"; done
expect_status 0 "old: audit export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/x-sc-old"
# Someone the police imported, by name and date of birth.
read -r QG QF QD < <(/usr/bin/python3 -c 'import json,sys
for line in open(sys.argv[1]):
    for p in json.loads(line).get("people", []):
        if p.get("given_name") and p.get("family_name") and p.get("date_of_birth"):
            print(p["given_name"].split()[0], p["family_name"].split()[0], p["date_of_birth"]); sys.exit()' "$T_DIR/synth/$POL.jsonl")
expect_status 0 "old: query by name ($QG $QF $QD)" "$SEEN" --home "$LAB/$SC" --as lead query --purpose "cross-version check" --given "$QG" --family "$QF" --dob "$QD" --json
cp "$T_DIR/out" "$T_DIR/q-old"
"$SEEN" lab down "$LAB" >/dev/null
SEEN_BIN=$NEW; SEEN=$NEW/seen
expect_status 0 "new: lab up again on the same homes" "$SEEN" lab up "$LAB" "$MANIFEST"
sleep 2
for n in $NODES; do
  check "new: $n's store was migrated (logged)" \
    grep -qE "migrated from format [0-9]+ to [0-9]+" "$LAB/$n"/*.log
done
expect_status 0 "new: the lab is converged" "$SEEN" lab wait "$LAB" --timeout 120
prefixed B "$T_DIR/synth/$POL.jsonl" "$T_DIR/pol-b.jsonl"
expect_status 0 "new: import more at $POL" "$SEEN" --home "$LAB/$POL" import --quiet "$T_DIR/pol-b.jsonl"
expect_status 0 "new: the lab converges" "$SEEN" lab wait "$LAB" --timeout 120
for n in $NODES; do echo "new $n: $(st $n | grep -o '"feeds":{[^}]*}')"; done
expect_status 0 "new: query by name" "$SEEN" --home "$LAB/$SC" --as lead query --purpose "cross-version check" --given "$QG" --family "$QF" --dob "$QD" --json
hs=$(grep -oE '"handle": ?"[0-9a-f]*"' "$T_DIR/q-old" | grep -oE '[0-9a-f]{32}' | sort -u)
check "old: the query found entries" test -n "$hs"
for h in $hs; do
  check "new: the query finds what the old build found ($h)" grep -q "$h" "$T_DIR/out"
done
expect_status 0 "new: audit export at $SC" "$SEEN" --home "$LAB/$SC" --as auditor audit export "$T_DIR/x-sc"
expect_status 0 "new: audit export at $POL" "$SEEN" --home "$LAB/$POL" --as auditor audit export "$T_DIR/x-pol"
expect_status 0 "new: audit verify of both" "$SEEN" audit verify "$T_DIR/x-sc" "$T_DIR/x-pol"
expect_status 0 "new: audit verify of the old export and the new" "$SEEN" audit verify "$T_DIR/x-sc-old" "$T_DIR/x-pol"
"$SEEN" lab down "$LAB" >/dev/null
t_end
