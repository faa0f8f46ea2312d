#!/usr/bin/env bash
# bench_oprf_import.sh [RECORDS]: an import through three custodians on
# loopback (issue 16's target: no slower than four times the keyed-token
# import measured in the same run), with real daemons: a lab of four
# nodes (three of them custodians, 2 of 3, and the importer, which is
# none) imports RECORDS records (default 10000; the target's figure is
# 100000) under the match key, then the authority deals an OPRF key and
# the same node imports as many other records through the custodians.
# Prints records a second of each, their ratio, and the raw limits of the
# same run: libsodium's ristretto255 scalar multiplication and the
# custodian service's evaluations (bench_oprf), and the OPRF evaluations
# the import asked for (the custodians' counts).
set -euo pipefail
N=${1:-10000}
BIN=$(cd "$(dirname "$0")/../build/bin" && pwd)
T=$(mktemp -d /tmp/seen-bench-oprf-XXXXXX)
LAB=$T/lab
trap '"$BIN/seen" lab down "$LAB" >/dev/null 2>&1 || true; rm -rf "$T"' EXIT
cat >"$T/m.json" <<EOF2
{"federation": "bench", "nodes": [
 {"name": "cust-a", "agency": "A", "type": "police", "local_authority": "Reading"},
 {"name": "cust-b", "agency": "B", "type": "social_care", "local_authority": "Reading"},
 {"name": "cust-c", "agency": "C", "type": "health", "local_authority": "Reading"},
 {"name": "importer", "agency": "D", "type": "police", "local_authority": "Reading"}]}
EOF2
"$BIN/seen" lab up "$LAB" "$T/m.json" --ports 20000-40000 >/dev/null
export SEEN_PASSPHRASE_FILE=$LAB/passphrase
# Records for the importer: seen-synth households until there are 2N.
hh=$(( N / 2 + 100 ))
while :; do
  rm -rf "$T/s"
  "$BIN/seen-synth" --node importer --type police --local-authority Reading \
    --households "$hh" --seed 11 --out "$T/s" >/dev/null
  cat "$T/s/importer.jsonl" >"$T/all.jsonl"
  [ "$(wc -l <"$T/all.jsonl")" -ge $((2 * N)) ] && break
  hh=$(( hh * 2 ))
done
head -n "$N" "$T/all.jsonl" >"$T/keyed.jsonl"
sed -n "$((N + 1)),$((2 * N))p" "$T/all.jsonl" >"$T/oprf.jsonl"
now() { date +%s.%N; }
t0=$(now); "$BIN/seen" --home "$LAB/importer" import --quiet "$T/keyed.jsonl"; t1=$(now)
keyed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
"$BIN/seen" federation custodians "$LAB/authority" --threshold 2 cust-a cust-b cust-c >/dev/null
"$BIN/seen" federation sign "$LAB/authority" >/dev/null
for n in cust-a cust-b cust-c importer; do
  "$BIN/seen" --home "$LAB/$n" membership install "$LAB/authority/membership.pb" >/dev/null 2>&1 || true
done
# The importer publishes its keyed records again through the custodians
# and matches them (not timed); then the timed import. A status walks the
# node's alerts, so it is asked every 2 s, not more often.
for _ in $(seq 1 3600); do
  "$BIN/seen" --home "$LAB/importer" status --json 2>/dev/null |
    grep -q '"published_epoch":2.*"matching":{"behind":0' && break
  sleep 2
done
today() { "$BIN/seen" --home "$LAB/$1" status --json | grep -o '"custodian":{[^}]*}' | grep -o '"today":[0-9]*' | cut -d: -f2; }
e0=$(( $(today cust-a) + $(today cust-b) + $(today cust-c) ))
t0=$(now); "$BIN/seen" --home "$LAB/importer" import --quiet "$T/oprf.jsonl"; t1=$(now)
oprf=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
e1=$(( $(today cust-a) + $(today cust-b) + $(today cust-c) ))
echo "import of $N records at a node that is no custodian, the custodians 2 of 3 on loopback (one machine):"
awk -v n="$N" -v k="$keyed" -v o="$oprf" -v e="$((e1 - e0))" 'BEGIN {
  printf "  keyed tokens (match key)      %8.0f records/s  (%.1f s)\n", n / k, k
  printf "  OPRF tokens (custodians)      %8.0f records/s  (%.1f s)\n", n / o, o
  printf "  OPRF import / keyed import: %.1f times as long   target <= 4\n", o / k
  printf "  evaluations at the custodians: %d (%.1f a record, 2 custodians each), %.0f a second\n", e, e / n / 2, e / o
}'
echo "raw limits, same run (bench_oprf):"
"$BIN/bench_oprf" 2>&1 | grep -E "raw limit|service evaluations|client tokens, 2 of 3" | sed 's/^/  /'
