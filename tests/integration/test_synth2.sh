#!/usr/bin/env bash
# seen-synth2 (tools/synth2, docs/synth2.md): deterministic for a seed,
# another seed gives another population, every line it writes is accepted
# by a real `seen import` into a node made with `seen init`, the truth
# names every person in every record (and nothing else), every kind of
# difference occurs at this size, an unborn child and the same child born
# are one truth person, and the command line behaves.
. "$(dirname "$0")/lib.sh"
SYNTH2=$SEEN_BIN/seen-synth2
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
  echo "skipped: no $PY"
  exit 0
fi
LAB=$SEEN_SOURCE_DIR/scripts/lab-six-areas.json
G="$T_DIR/gen"

gen() { # DIR SEED: the six-area lab at 60 households per authority
  "$SYNTH2" --manifest "$LAB" --out "$1" --households 60 --seed "$2"
}
expect_status 0 "seen-synth2 writes the six-area lab" gen "$G/a" 5
grep_err '^seen-synth2: [0-9]+ records, [0-9]+ persons' \
  "...and says what it wrote in one line"
equal "$(find "$G/a" -name "*.jsonl" | wc -l)" 32 \
  "...one file per node, truth, scenarios"
expect_status 0 "the same seed again" gen "$G/b" 5
same=yes
for f in "$G"/a/*.jsonl; do
  cmp -s "$f" "$G/b/$(basename "$f")" || same="no: $(basename "$f")"
done
equal "$same" yes "...gives the same bytes in every file"
expect_status 0 "another seed" gen "$G/c" 6
check "...gives other records" sh -c "! cmp -s '$G/a/met-police-west.jsonl' \
  '$G/c/met-police-west.jsonl'"
check "...and another truth" sh -c "! cmp -s '$G/a/truth.jsonl' \
  '$G/c/truth.jsonl'"

# The truth against the records: one line per person in a record, each
# naming a record and ref that exist; every kind of difference occurs;
# an unborn child later born is one person; the scenarios name persons
# of the truth, with a moving perpetrator among them.
cat >"$T_DIR/check.py" <<'EOF'
import json, os, sys
d = sys.argv[1]
people, roles, kinds, bad = set(), {}, set(), []
for f in sorted(os.listdir(d)):
    if f in ("truth.jsonl", "scenarios.jsonl"):
        continue
    node = f[:-6]
    for line in open(os.path.join(d, f), encoding="utf-8"):
        r = json.loads(line)
        for p in r["people"]:
            people.add((node, r["id"], p["ref"]))
truth = set()
for line in open(os.path.join(d, "truth.jsonl"), encoding="utf-8"):
    t = json.loads(line)
    k = (t["node"], t["record"], t["ref"])
    if k in truth:
        bad.append("truth names %s twice" % (k,))
    truth.add(k)
    roles.setdefault(t["person"], set()).add(t["role"])
    kinds.update(t["noise"])
if truth != people:
    bad.append("truth and records differ: %d vs %d" % (len(truth),
                                                     len(people)))
want = {"date_slip", "date_transposed", "date_swap", "date_year",
        "date_missing", "typo", "nickname", "hyphen", "former_name",
        "swapped", "nhs_missing", "nhs_typo", "unborn"}
if want - kinds:
    bad.append("kinds never seen: %s" % sorted(want - kinds))
if kinds - want:
    bad.append("kinds not documented: %s" % sorted(kinds - want))
if not any({"unborn", "child"} <= r for r in roles.values()):
    bad.append("no unborn child appears born under the same person")
scen = {}
for line in open(os.path.join(d, "scenarios.jsonl"), encoding="utf-8"):
    s = json.loads(line)
    scen[s["scenario"]] = scen.get(s["scenario"], 0) + 1
    for key in ("person", "mother", "father", "son"):
        if key in s and s[key] not in roles:
            bad.append("scenario %s names %s, not in the truth"
                       % (s["scenario"], s[key]))
for s in ("perpetrator_two_authorities", "twins", "siblings", "unborn",
          "father_and_son_same_name", "changed_family_name",
          "half_siblings", "mother_and_child"):
    if s not in scen:
        bad.append("no %s scenario" % s)
print("\n".join(bad) if bad else "ok %d" % len(truth))
EOF
expect_status 0 "the truth and records checked" "$PY" "$T_DIR/check.py" "$G/a"
grep_out '^ok [0-9]+$' "...every person in a record named once, every kind \
of difference seen, an unborn child later born one person"

# Every line is accepted by the real importer: every node's file into one
# node (record ids are unique over the lab), each person an index entry.
new_node reading-police police Reading
expect_status 0 "start a node" "$SEEN" --home "$H" node start
rejected=0
for f in "$G"/a/*.jsonl; do
  case $f in */truth.jsonl | */scenarios.jsonl) continue ;; esac
  "$SEEN" --home "$H" import --quiet "$f" >/dev/null 2>"$T_DIR/imp.err" ||
    { rejected=$((rejected + 1)); sed 's/^/    /' "$T_DIR/imp.err" | head -3; }
done
equal "$rejected" 0 "seen import accepts every file seen-synth2 writes"
expect_status 0 "handles" "$SEEN" --home "$H" handles --json
equal "$(wc -l <"$T_DIR/out")" "$(wc -l <"$G/a/truth.jsonl")" \
  "...one index entry per truth line"
expect_status 0 "stop" "$SEEN" --home "$H" node stop

# The command line.
expect_status 0 "--help" "$SYNTH2" --help
grep_out 'usage: seen-synth2' "...prints the usage"
expect_status 2 "no --out is bad usage" "$SYNTH2" --manifest "$LAB"
expect_status 2 "--households 0 is bad usage" \
  "$SYNTH2" --manifest "$LAB" --out "$G/x" --households 0
expect_status 2 "a bad --end is bad usage" \
  "$SYNTH2" --manifest "$LAB" --out "$G/x" --end 2026-02-30
echo '{"nodes": [{"name": "x"}]}' >"$T_DIR/broken.json"
expect_status 1 "a broken manifest fails" \
  "$SYNTH2" --manifest "$T_DIR/broken.json" --out "$G/x"
grep_err '^seen-synth2: ' "...with a message"
t_end
