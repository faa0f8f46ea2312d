# lib.sh: helpers for integration tests, which drive the real binaries.
# Source it; call t_begin NAME, then assertions, then t_end.
set -u
SEEN_BIN=${SEEN_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../build/bin" && pwd)}
SEEN_SOURCE_DIR=${SEEN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SEEN=$SEEN_BIN/seen
T_PASS=0
T_FAIL=0
T_HOMES=()
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/seen-it-XXXXXX")
chmod 700 "$T_DIR"
export SEEN_PASSPHRASE_FILE=$T_DIR/passphrase
printf 'integration test passphrase\n' >"$SEEN_PASSPHRASE_FILE"
chmod 600 "$SEEN_PASSPHRASE_FILE"
unset SEEN_HOME SEEN_OPERATOR

t_cleanup() {
  local h
  for h in "${T_HOMES[@]}"; do
    "$SEEN" --home "$h" node stop >/dev/null 2>&1 || true
  done
  if [ "$T_FAIL" -eq 0 ]; then rm -rf "$T_DIR"; else echo "kept $T_DIR"; fi
}
trap t_cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); echo "not ok - $*"; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
  local d=$1; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# expect_status N DESCRIPTION COMMAND...: runs it, output to $T_DIR/out
# and $T_DIR/err; passes when its exit status is N.
expect_status() {
  local want=$1 d=$2 got; shift 2
  "$@" >"$T_DIR/out" 2>"$T_DIR/err" && got=0 || got=$?
  if [ "$got" -eq "$want" ]; then ok "$d"; else
    not_ok "$d (exit $got, wanted $want)"
    sed 's/^/    err: /' "$T_DIR/err" | head -20
  fi
}

# grep_out/grep_err PATTERN DESCRIPTION: in the last expect_status output.
grep_out() { if grep -qE -- "$1" "$T_DIR/out"; then ok "$2"; else not_ok "$2"; sed 's/^/    out: /' "$T_DIR/out" | head -10; fi; }
grep_err() { if grep -qE -- "$1" "$T_DIR/err"; then ok "$2"; else not_ok "$2"; sed 's/^/    err: /' "$T_DIR/err" | head -10; fi; }

# equal A B DESCRIPTION
equal() { if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 ('$1' != '$2')"; fi; }

# new_node NAME TYPE LA: init a node home $T_DIR/NAME and set H to it.
new_node() {
  H=$T_DIR/$1
  "$SEEN" --home "$H" init --name "$1" --type "$2" --local-authority "$3" \
    --kdf interactive >/dev/null
  T_HOMES+=("$H")
}

t_end() {
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}
