#!/usr/bin/env bash
# bench_backup.sh [HOUSEHOLDS]: how fast `seen backup` copies a node home
# (storage/backup.c: mdb_env_copy2 with MDB_CP_COMPACT, the small files,
# fsync), beside the raw limits measured in the same run on the same
# store: lmdb-utils' `mdb_copy -c` (the library's compacting copy) and
# `cp` of data.mdb (a plain sequential copy).  The store is bench_query's
# (HOUSEHOLDS households, default 20000, matched), in a home made by
# `seen init`; the node is stopped (the running node's copy is the same
# call inside the daemon).  Prints seconds and MB/s of each, and the ratio
# of seen backup to mdb_copy -c.
set -euo pipefail
HH=${1:-20000}
BIN=$(cd "$(dirname "$0")/../build/bin" && pwd)
T=$(mktemp -d /tmp/seen-bench-backup-XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'bench passphrase\n' >"$T/pass"
chmod 600 "$T/pass"
export SEEN_PASSPHRASE_FILE=$T/pass
"$BIN/seen" --home "$T/home" init --name bench --type police \
  --local-authority Reading --kdf interactive >/dev/null
# bench_query's store, kept, in place of the new one.
out=$("$BIN/bench_query" --households "$HH" --queries 10 --keep 2>&1)
dir=$(printf '%s\n' "$out" | sed -n 's/^kept //p' | head -1)
store=$(find "$dir" -name data.mdb | head -1)
[ -n "$store" ] || { echo "bench_query kept no store"; exit 1; }
cp "$store" "$T/home/store/data.mdb"
rm -f "$T/home/store/lock.mdb"
rm -rf "$dir"
bytes=$(stat -c %s "$T/home/store/data.mdb")
sync
now() { date +%s.%N; }
rate() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }
t0=$(now); cp "$T/home/store/data.mdb" "$T/cp.mdb"; sync; t1=$(now)
cp_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
mkdir "$T/mdbcopy"
t0=$(now); mdb_copy -c "$T/home/store" "$T/mdbcopy"; sync; t1=$(now)
mc_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
t0=$(now); "$BIN/seen" --home "$T/home" backup "$T/b" >/dev/null; t1=$(now)
sb_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
echo "store: $bytes bytes ($HH households), copy $(stat -c %s "$T/b/store/data.mdb") bytes compacted"
printf '%-24s %8.2f s %9s MB/s\n' "cp data.mdb" "$cp_s" "$(rate "$cp_s")"
printf '%-24s %8.2f s %9s MB/s\n' "mdb_copy -c (raw)" "$mc_s" "$(rate "$mc_s")"
printf '%-24s %8.2f s %9s MB/s\n' "seen backup" "$sb_s" "$(rate "$sb_s")"
awk -v a="$mc_s" -v b="$sb_s" 'BEGIN { printf "seen backup / mdb_copy -c: %.2f of its rate\n", a / b }'
