#!/usr/bin/env bash
# check-config-docs.sh: every key of seen.conf (the table conf_keys in
# common/home.c) is described in seen.conf(5), in docs/operations.md
# ("Configure") and in packaging/seen.conf.example, under its section,
# and those name no key the code does not read.  Exit 1 with what is
# missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
keys=$(grep -oE '^    \{"[a-z]+", "[a-z_]+", CONF_' common/home.c |
  sed -E 's/^    \{"([a-z]+)", "([a-z_]+)".*/\1 \2/')
[ -n "$keys" ] || { echo "check-config-docs: no keys found in common/home.c"; exit 1; }
bad=0
say() { echo "check-config-docs: $*"; bad=1; }

# seen.conf(5): ".Ss [section]" then ".It Cm key" in it.
man=$(awk '/^\.Ss \[/ {s = $2} /^\.It Cm [a-z_]+/ {print s, $3}' \
  docs/man/seen.conf.5 | tr -d '[]')
# operations.md: the table's "| `[section] key` |" rows.
ops=$(grep -oE '^\| `\[[a-z]+\] [a-z_]+`' docs/operations.md |
  sed -E 's/^\| `\[([a-z]+)\] ([a-z_]+)`/\1 \2/')
# the example: "key =" lines under "[section]", or "#key =" for a key
# whose default the node works out (the custodians' limits).
ex=$(awk '/^\[[a-z]+\]/ {s = $1} /^#?[a-z_]+ =/ {k = $1; sub(/^#/, "", k); print s, k}' \
  packaging/seen.conf.example | tr -d '[]')

for where in man ops ex; do
  have=${!where}
  while read -r k; do
    grep -qx "$k" <<<"$have" || say "$where lacks [${k% *}] ${k#* }"
  done <<<"$keys"
  while read -r k; do
    [ -z "$k" ] || grep -qx "$k" <<<"$keys" ||
      say "$where names [${k% *}] ${k#* }, which seen.conf does not have"
  done <<<"$have"
done
exit $bad
