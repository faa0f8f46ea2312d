#!/usr/bin/env bash
# check-layers.sh: fail on an #include that breaks the layer rules of
# docs/architecture.md.
#
#   common <- crypto <- match <- proto <- storage <- xlog <- node
#   tools/ and bench/ on top; tools/ never includes node/.
#   Inside node/: transport/, matching/ and custodian/ at the bottom (none
#   includes another), then replication/, disclosure/, control/, and the daemon
#   (node/daemon.[ch], node/main.c) over everything.  Matching and
#   replication meet only through storage.
#
# Prints each offending include as FILE:LINE: "HEADER": why, and exits 1
# if there is any; exits 0 and prints a one-line summary otherwise.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# rank FOLDER: the layer of a top-level folder (empty: not layered).
rank() {
  case "$1" in
    common) echo 0 ;; crypto) echo 1 ;; match) echo 2 ;; proto) echo 3 ;;
    storage) echo 4 ;; xlog) echo 5 ;; node) echo 6 ;;
    tools | bench) echo 7 ;;
    *) echo "" ;;
  esac
}

# room PATH: the room of a path under node/.
room() {
  case "$1" in
    node/transport/*) echo transport ;;
    node/matching/*) echo matching ;;
    node/replication/*) echo replication ;;
    node/disclosure/*) echo disclosure ;;
    node/control/*) echo control ;;
    node/custodian/*) echo custodian ;;
    node/*) echo daemon ;;
  esac
}

# below ROOM: the rooms whose headers ROOM may include (besides its own).
below() {
  case "$1" in
    transport | matching | custodian) echo "" ;;
    replication) echo "transport" ;;
    disclosure) echo "transport matching replication" ;;
    control) echo "transport matching replication disclosure custodian" ;;
    daemon) echo "transport matching replication disclosure control custodian" ;;
  esac
}

bad=0
files=0
includes=0
while IFS= read -r f; do
  files=$((files + 1))
  top=${f%%/*}
  mine=$(rank "$top")
  [ -n "$mine" ] || continue
  while IFS=: read -r line hdr; do
    includes=$((includes + 1))
    case "$hdr" in
      seen.pb-c.h) target=proto ;;
      */*) target=${hdr%%/*} ;;
      *) continue ;;  # a header beside the file (generated tables)
    esac
    theirs=$(rank "$target")
    if [ -z "$theirs" ]; then
      [ "$target" = tests ] && [ "$top" != tests ] &&
        { echo "$f:$line: \"$hdr\": only tests include tests/"; bad=1; }
      continue
    fi
    if [ "$theirs" -gt "$mine" ]; then
      echo "$f:$line: \"$hdr\": $top/ may not include $target/ (a higher layer)"
      bad=1
    elif [ "$top" = tools ] && [ "$target" = node ]; then
      echo "$f:$line: \"$hdr\": tools/ reaches the daemon only through" \
        "the control protocol (proto/control.h)"
      bad=1
    elif [ "$top" = node ] && [ "$target" = node ]; then
      myroom=$(room "$f")
      theirroom=$(room "$hdr")
      case " $myroom $(below "$myroom") " in
        *" $theirroom "*) ;;
        *)
          echo "$f:$line: \"$hdr\": node/$myroom may not include" \
            "node/$theirroom (rooms: transport, matching < replication <" \
            "disclosure < control < daemon; matching and replication" \
            "meet only through storage)"
          bad=1
          ;;
      esac
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
    sed 's/^\([0-9]*\):.*"\(.*\)".*/\1:\2/')
done < <(git ls-files --cached --others --exclude-standard -- '*.c' '*.h' \
  2>/dev/null ||
  find . -name '*.[ch]' | sed 's#^\./##')

if [ "$bad" -ne 0 ]; then
  echo "check-layers: includes break the layer rules (docs/architecture.md)" >&2
  exit 1
fi
echo "check-layers: $includes includes in $files files keep the layer rules"
