#!/usr/bin/env bash
# check-size.sh: fail on a C file over 1,200 lines, or a function over 100
# lines whose comment does not say why (a line " * Long: ..." in the
# comment just above it), the limits of docs/architecture.md.  Generated
# code is not ours.  Prints each offender as FILE:LINE: what; exits 1 if
# there is any.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FILE_MAX=1200
FUNC_MAX=100

bad=0
while IFS= read -r f; do
  out=$(awk -v fmax="$FILE_MAX" -v max="$FUNC_MAX" -v file="$f" '
    # A function starts with its name at column 0 followed by "(", its
    # body with "{" alone at column 0 and ends with "}" at column 0.
    /^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name); start = NR; why = long_why }
    /^\{$/ { if (name != "") { open = NR } }
    /^\}/ {
      if (open) {
        n = NR - open + 1
        if (n > max && !why)
          printf "%s:%d: %s() is %d lines (over %d, and no \" * Long:\" comment says why)\n", file, start, name, n, max
        open = 0; name = ""
      }
    }
    # Remember whether the comment just above the next function says why.
    /^ \* Long: / { long_why = 1 }
    /^\}/ { long_why = 0 }
    /^(static |)[a-z].*;$/ { long_why = 0 }
    END {
      if (NR > fmax)
        printf "%s:%d: %d lines (over %d)\n", file, NR, NR, fmax
    }' "$f")
  if [ -n "$out" ]; then
    echo "$out"
    bad=1
  fi
done < <(git ls-files --cached --others --exclude-standard -- '*.c' \
  2>/dev/null || find . -name '*.c' | sed 's#^\./##')

if [ "$bad" -ne 0 ]; then
  echo "check-size: files or functions over the limits (docs/architecture.md)" >&2
  exit 1
fi
echo "check-size: every C file is at most $FILE_MAX lines and every function" \
  "at most $FUNC_MAX (or says why)"
