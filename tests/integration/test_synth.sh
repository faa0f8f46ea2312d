#!/bin/bash
# seen-synth: outputs are written and well-formed enough for the importer,
# deterministic for a seed, the truth covers every person in every record,
# identifiers carry valid check digits except the planted mistakes, and the
# command line behaves (--help exits 0, misuse exits 2 with a message).
# Plain bash and coreutils: no python or jq.
set -eu

SYNTH="${SEEN_BIN:?SEEN_BIN is not set}/seen-synth"
T=$(mktemp -d "${TMPDIR:-/tmp}/test_synth.XXXXXX")
trap 'rm -rf "$T"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

cat >"$T/lab.json" <<'EOF'
{"federation": "Thames Valley pilot",
 "nodes": [
   {"name": "reading-social-care", "agency": "Reading children's services", "type": "social_care", "local_authority": "Reading"},
   {"name": "thames-valley-police", "agency": "Thames Valley Police", "type": "police", "local_authority": "Reading"}
 ]}
EOF

# A two-node lab.
"$SYNTH" --manifest "$T/lab.json" --out "$T/a" --households 150 --seed 7 \
    2>"$T/a.err" || fail "manifest run exited $?"
for f in reading-social-care thames-valley-police truth scenarios; do
    [ -s "$T/a/$f.jsonl" ] || fail "$f.jsonl is empty or missing"
done
[ "$(wc -l <"$T/a.err")" -eq 1 ] || fail "expected a one-line summary"
grep -q 'records' "$T/a.err" || fail "summary does not mention records"
grep -q 'persons' "$T/a.err" || fail "summary does not mention persons"

# One line per record, each an object with the required fields.
for f in reading-social-care thames-valley-police; do
    n=$(wc -l <"$T/a/$f.jsonl")
    [ "$(grep -c '^{"id":"[^"]*","kind":"[a-z_]*","date":"[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]","local_authority":"Reading",.*"people":\[{.*}\]}$' \
        "$T/a/$f.jsonl")" -eq "$n" ] || fail "$f: malformed record lines"
    ids=$(grep -o '^{"id":"[^"]*"' "$T/a/$f.jsonl" | sort | uniq -d | wc -l)
    [ "$ids" -eq 0 ] || fail "$f: duplicate record ids"
done
grep -q '"kind":"domestic_abuse_incident"' "$T/a/thames-valley-police.jsonl" ||
    fail "police holds no domestic abuse incident"
grep -q '"kind":"child_in_need_assessment"' "$T/a/reading-social-care.jsonl" ||
    fail "social care holds no assessment"
if grep -q '"kind":"\(midwifery_booking\|supervision\|domestic_abuse_incident\)"' \
    "$T/a/reading-social-care.jsonl"; then
    fail "social care holds another agency's record kinds"
fi

# The truth: one line per person in a record.
refs=$(cat "$T/a/reading-social-care.jsonl" "$T/a/thames-valley-police.jsonl" |
    grep -o '"ref":' | wc -l)
truth=$(wc -l <"$T/a/truth.jsonl")
[ "$refs" -eq "$truth" ] || fail "truth has $truth lines for $refs people"
[ "$(grep -c '^{"node":"[a-z-]*","record":"[^"]*","ref":"[^"]*","person":"P[0-9]\{6,\}","role":"[a-z_]*","noise":\[\("[a-z_]*",\)*\("[a-z_]*"\)\{0,1\}\]}$' \
    "$T/a/truth.jsonl")" -eq "$truth" ] || fail "malformed truth lines"
# Every planted typo and day/month swap is a kind of difference in the
# truth line of its person-in-record.
for k in typo date_swap; do
    grep -q "\"noise\":\[[^]]*\"$k\"" "$T/a/truth.jsonl" ||
        fail "no truth line carries noise $k"
done
# (one record may misspell both names: two scenarios, one noise "typo")
[ "$(grep -c '"noise":\[[^]]*"typo"' "$T/a/truth.jsonl")" -le \
  "$(grep -c '"scenario":"name_typo"' "$T/a/scenarios.jsonl")" ] ||
    fail "more typo noise than name_typo scenarios"
grep -q '"scenario":"siblings"' "$T/a/scenarios.jsonl" ||
    fail "no siblings scenario"
grep -q '"scenario":"mother_and_child"' "$T/a/scenarios.jsonl" ||
    fail "no mother_and_child scenario"

# Determinism: the same seed gives the same bytes; another seed does not.
"$SYNTH" --manifest "$T/lab.json" --out "$T/b" --households 150 --seed 7 \
    2>/dev/null || fail "second run failed"
for f in reading-social-care thames-valley-police truth scenarios; do
    cmp -s "$T/a/$f.jsonl" "$T/b/$f.jsonl" ||
        fail "$f.jsonl differs for the same seed"
done
"$SYNTH" --manifest "$T/lab.json" --out "$T/c" --households 150 --seed 8 \
    2>/dev/null || fail "third run failed"
if cmp -s "$T/a/thames-valley-police.jsonl" "$T/c/thames-valley-police.jsonl"; then
    fail "a different seed gave the same records"
fi

# One node, a window of one year.
"$SYNTH" --node norfolk-police --type police --local-authority Norfolk \
    --out "$T/d" --households 120 --seed 3 --end 2025-03-31 --years 1 \
    2>/dev/null || fail "single-node run failed"
for f in norfolk-police truth scenarios; do
    [ -s "$T/d/$f.jsonl" ] || fail "single node: $f.jsonl is empty"
done
[ "$(ls "$T/d" | wc -l)" -eq 3 ] || fail "single node: unexpected files"
grep -o '^{"id":"[^"]*","kind":"[a-z_]*","date":"[0-9-]*"' \
    "$T/d/norfolk-police.jsonl" | sed 's/.*"date":"//; s/"$//' |
    while read -r d; do
        [[ ! "$d" < "2024-04-01" && ! "$d" > "2025-03-31" ]] ||
            { echo "FAIL: record dated $d outside the window" >&2; exit 1; }
    done
refs=$(grep -o '"ref":' "$T/d/norfolk-police.jsonl" | wc -l)
[ "$refs" -eq "$(wc -l <"$T/d/truth.jsonl")" ] ||
    fail "single node: truth does not match"
grep -q '"postcode":"\(NR\|PE\|IP\)[0-9]' "$T/d/norfolk-police.jsonl" ||
    fail "no Norfolk postcodes"

# Identifiers: check digits and letters, recomputed here.  Every invalid
# one must be a planted invalid_identifier.
nhs_ok() {   # 10 digits
    local s=$1 i sum=0 c
    for ((i = 0; i < 9; i++)); do
        sum=$((sum + ${s:i:1} * (10 - i)))
    done
    c=$((11 - sum % 11))
    [ "$c" -eq 11 ] && c=0
    [ "$c" -ne 10 ] && [ "$c" -eq "${s:9:1}" ]
}
upn_ok() {   # letter + 12 digits
    local s=$1 i sum=0 L=ABCDEFGHJKLMNPQRTUVWXYZ
    for ((i = 1; i < 13; i++)); do
        sum=$((sum + ${s:i:1} * (i + 1)))
    done
    [ "${L:sum % 23:1}" = "${s:0:1}" ]
}
pnc_ok() {   # YYYY/NNNNNNNC
    local s=$1 L=ZABCDEFGHJKLMNPQRTUVWXY n
    n=$((10#${s:2:2}${s:5:7}))
    [ "${L:n % 23:1}" = "${s:12:1}" ]
}
pnc_ok 2011/0234567F || fail "the PNC check in this test is wrong"
all="$T/a/reading-social-care.jsonl $T/a/thames-valley-police.jsonl $T/d/norfolk-police.jsonl"
bad=0
for s in $(cat $all | grep -o '"nhs_number":"[0-9 ]*"' | sed 's/.*:"//; s/"//; s/ //g'); do
    [ "${#s}" -eq 10 ] && [ "${s:0:3}" = 999 ] || fail "NHS number $s not 999NNNNNNN"
    nhs_ok "$s" || bad=$((bad + 1))
done
for s in $(cat $all | grep -o '"upn":"[A-Z0-9]*"' | sed 's/.*:"//; s/"//'); do
    [ "${#s}" -eq 13 ] || fail "UPN $s is not 13 characters"
    upn_ok "$s" || bad=$((bad + 1))
done
for s in $(cat $all | grep -o '"pnc_id":"[0-9/A-Z]*"' | sed 's/.*:"//; s/"//'); do
    [[ "$s" =~ ^[0-9]{4}/[0-9]{7}[A-Z]$ ]] || fail "PNC id $s malformed"
    pnc_ok "$s" || bad=$((bad + 1))
done
planted=$(cat "$T/a/scenarios.jsonl" "$T/d/scenarios.jsonl" |
    grep -c '"scenario":"invalid_identifier"' || true)
[ "$bad" -eq "$planted" ] ||
    fail "$bad invalid identifiers, $planted planted"

# The command line.
"$SYNTH" --help >"$T/help.out" 2>"$T/help.err" || fail "--help exited $?"
grep -q 'usage' "$T/help.out" || fail "--help printed no usage"
[ ! -s "$T/help.err" ] || fail "--help wrote to stderr"
expect_usage() {
    local rc=0
    "$SYNTH" "$@" >"$T/bad.out" 2>"$T/bad.err" || rc=$?
    [ "$rc" -eq 2 ] || fail "'$*' exited $rc, not 2"
    grep -q '^seen-synth: ' "$T/bad.err" || fail "'$*': no message on stderr"
    [ ! -s "$T/bad.out" ] || fail "'$*' wrote to stdout"
}
expect_usage
expect_usage --out "$T/e"
expect_usage --manifest "$T/lab.json"
expect_usage --manifest "$T/lab.json" --node x --type police \
    --local-authority Reading --out "$T/e"
expect_usage --node x --type fire_brigade --local-authority Reading --out "$T/e"
expect_usage --node x --type police --out "$T/e"
expect_usage --manifest "$T/lab.json" --out "$T/e" --households 0
expect_usage --manifest "$T/lab.json" --out "$T/e" --end 2026-02-30
expect_usage --manifest "$T/lab.json" --out "$T/e" --years many
expect_usage --manifest "$T/lab.json" --out "$T/e" --frobnicate
echo '{"nodes": [{"name": "x"}]}' >"$T/broken.json"
rc=0
"$SYNTH" --manifest "$T/broken.json" --out "$T/e" 2>"$T/bad.err" || rc=$?
[ "$rc" -eq 1 ] || fail "a broken manifest exited $rc, not 1"
grep -q '^seen-synth: ' "$T/bad.err" || fail "broken manifest: no message"

echo "ok"
