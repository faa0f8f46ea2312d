#!/usr/bin/env bash
# check-man.sh: seen(1) lists exactly the commands of tools/seen.c's
# table, and the man pages have no groff warning.  Exit 1 with what
# differs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bad=0
table=$(grep -oE '^    \{"[a-z-]+", cmd_' tools/seen.c | sed -E 's/.*"(.*)".*/\1/' |
  sort)
page=$(sed -n 's/^\.It Cm \([a-z-]*\)$/\1/p' docs/man/seen.1 | sort)
if [ "$table" != "$page" ]; then
  echo "check-man: seen(1) and tools/seen.c's commands differ:"
  diff <(echo "$table") <(echo "$page") | sed -n 's/^[<>]/  &/p'
  bad=1
fi
if command -v groff >/dev/null; then
  for p in docs/man/*.[1-8]; do
    w=$(groff -mdoc -ww -z -Tutf8 "$p" 2>&1)
    [ -z "$w" ] || { echo "check-man: $p: $w"; bad=1; }
  done
fi
exit $bad
