#!/usr/bin/env bash
# The Debian package on this machine: build it with cpack, dpkg -i it,
# check its files, man pages, completion, unit, user and directories;
# start a node under /var/lib/seen the way its unit does (systemd does not
# run here: the unit's ExecStart, as its User, with its credential, open
# files limit, NOTIFY_SOCKET and a JOURNAL_STREAM), import, query, stop it
# as systemd would (SIGTERM), dpkg --purge, and check nothing is left.
# Needs root; leaves the machine as it found it, also when it fails.
. "$(dirname "$0")/lib.sh"
unset SEEN_PASSPHRASE_FILE
DATA=$(dirname "$0")/data
BUILD=$(dirname "$SEEN_BIN")

[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root (dpkg -i)"; exit 0; }
for t in dpkg cpack runuser prlimit python3; do
  command -v "$t" >/dev/null || { echo "skipped: no $t"; exit 0; }
done
# Never touch a real installation: its package, user or nodes.
if dpkg-query -W -f='${Status}' seen 2>/dev/null | grep -q 'ok installed' ||
    getent passwd seen >/dev/null || getent group seen >/dev/null ||
    getent group seen-operators >/dev/null ||
    [ -e /var/lib/seen ] || [ -e /etc/seen ] || [ -e /var/backups/seen ]; then
  echo "skipped: a package, user or directory 'seen' is here already"
  exit 0
fi

NAME=pkg-$$-$RANDOM
# Two operators' Unix users: a registered lead, and one who is not.
tag=$(printf '%04x' $((($$ + RANDOM) % 65536)))
UA=seenka$tag
UB=seenkb$tag
NODE=/var/lib/seen/$NAME
PASS=/etc/seen/$NAME.passphrase
# What systemd would make: the credentials directory, a notify socket.
RUNDIR=$(mktemp -d /tmp/seen-pkg-run-XXXXXX)
chmod 711 "$RUNDIR"
DAEMON=
LISTENER=

pkg_cleanup() {
  set +e
  if [ -n "$DAEMON" ]; then
    [ -f "$NODE/seen-node.pid" ] && kill -TERM "$(cat "$NODE/seen-node.pid")"
    kill "$DAEMON" 2>/dev/null
    wait "$DAEMON"
  fi
  [ -n "$LISTENER" ] && kill "$LISTENER" 2>/dev/null && wait "$LISTENER"
  if dpkg-query -W -f='${Status}' seen 2>/dev/null | grep -q installed; then
    dpkg --purge seen >/dev/null 2>&1
  fi
  rm -rf "$NODE" "$PASS" "$RUNDIR" "/var/backups/seen/$NAME"
  rmdir /var/lib/seen /etc/seen /var/backups/seen 2>/dev/null
  for u in "$UA" "$UB"; do userdel "$u" >/dev/null 2>&1; done
  getent passwd seen >/dev/null && userdel seen
  getent group seen >/dev/null && groupdel seen
  getent group seen-operators >/dev/null && groupdel seen-operators
}
trap 'pkg_cleanup; t_cleanup' EXIT
trap 'exit 1' INT TERM HUP

# The package.
expect_status 0 "cpack builds the .deb" \
  cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T_DIR/pkg"
DEB=$(ls "$T_DIR"/pkg/seen_*.deb)
dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}' |
  sort >"$T_DIR/files"
# dpkg -i, then apt-get install -f should a dependency be missing (none
# is on a machine that built Seen).
dpkg -i "$DEB" >"$T_DIR/dpkg.out" 2>&1 ||
  apt-get install -f -y -qq >>"$T_DIR/dpkg.out" 2>&1
st=$(dpkg-query -W -f='${Status}' seen 2>/dev/null)
[ "$st" = "install ok installed" ] || sed 's/^/    dpkg: /' "$T_DIR/dpkg.out"
equal "$st" "install ok installed" "dpkg -i installs it"
dpkg-deb -f "$DEB" Depends >"$T_DIR/depends"
check "...depending on the runtime libraries (shlibdeps)" \
  grep -q 'libzmq5.*libsodium23\|libsodium23.*libzmq5' "$T_DIR/depends"
for f in /usr/bin/seen /usr/bin/seen-node /lib/systemd/system/seen-node@.service \
    /usr/lib/sysusers.d/seen.conf /usr/lib/tmpfiles.d/seen.conf \
    /usr/share/man/man1/seen.1.gz /usr/share/man/man8/seen-node.8.gz \
    /usr/share/man/man5/seen.conf.5.gz \
    /usr/share/bash-completion/completions/seen \
    /etc/seen/seen.conf.example /usr/share/doc/seen/README.md \
    /usr/share/doc/seen/operations.md; do
  check "the package holds $f" grep -qx "$f" "$T_DIR/files"
done
# dpkg leaves out what /etc/dpkg/dpkg.cfg.d says to (Debian's slim
# container images drop /usr/share/man and /usr/share/doc, say).
excluded() {
  local pat rc=1
  while read -r pat; do
    case $pat in
    path-exclude*) [[ $1 == ${pat#path-exclude} ]] && rc=0 ;;
    path-include*) [[ $1 == ${pat#path-include} ]] && rc=1 ;;
    esac
  done < <(cat /etc/dpkg/dpkg.cfg.d/* 2>/dev/null | tr -d ' =' |
    grep -E '^path-(ex|in)clude')
  return $rc
}
dpkg -L seen | sort >"$T_DIR/listed"
missing=0
while read -r f; do
  if excluded "$f"; then echo "    left out by dpkg.cfg.d: $f"; continue; fi
  [ -e "$f" ] || { echo "    missing: $f"; missing=1; }
  grep -qx "$f" "$T_DIR/listed" || { echo "    not listed: $f"; missing=1; }
done <"$T_DIR/files"
equal "$missing" 0 "every file is where dpkg -L says"
check "nothing else: no benchmarks, tests, probe or generators" \
  test "$(grep -c '^/usr/bin/' "$T_DIR/files")" -eq 2
check "the example configuration is a conffile" \
  grep -q /etc/seen/seen.conf.example <(dpkg-query -W -f='${Conffiles}' seen)
expect_status 0 "seen --version runs from /usr/bin" /usr/bin/seen --version

# The man pages, and the completion.
if command -v man >/dev/null && ! excluded /usr/share/man/man1/seen.1.gz; then
  for p in "1 seen" "8 seen-node" "5 seen.conf"; do
    expect_status 0 "man -w finds ${p#* }(${p% *})" man -w ${p% *} ${p#* }
  done
  expect_status 0 "seen.conf(5) renders" man 5 seen.conf
  grep_out "share_messages" "...and lists share_messages"
fi
command -v groff >/dev/null &&
for p in seen.1 seen-node.8 seen.conf.5; do
  cp "$SEEN_SOURCE_DIR/docs/man/$p" "$T_DIR/page"
  expect_status 0 "groff has no warning for $p" \
    groff -mdoc -ww -z -Tutf8 "$T_DIR/page"
  equal "$(cat "$T_DIR/err")" "" "...none at all"
done
COMP=/usr/share/bash-completion/completions/seen
expect_status 0 "the completion parses in bash" bash -n "$COMP"
cat >"$T_DIR/comp.sh" <<'EOS'
. "$1"
shift
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
_seen
printf '%s\n' "${COMPREPLY[@]}"
EOS
expect_status 0 "it completes the commands" bash "$T_DIR/comp.sh" "$COMP" seen ""
commands=$(/usr/bin/seen --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
missing=
for c in $commands; do grep -qx "$c" "$T_DIR/out" || missing="$missing $c"; done
equal "$missing" "" "...every one of seen --help's ($(echo $commands | wc -w))"
expect_status 0 "it completes init's options" \
  bash "$T_DIR/comp.sh" "$COMP" seen --home x init --
grep_out '^--local-authority$' "...--local-authority among them"
expect_status 0 "it completes node's words" bash "$T_DIR/comp.sh" "$COMP" seen node ""
equal "$(tr '\n' ' ' <"$T_DIR/out")" "resolve start stop " "...start, stop, resolve"

# What postinst made (sysusers.d, tmpfiles.d).
check "postinst made the system user seen" getent passwd seen >/dev/null
check "...a system account (uid below 1000)" \
  test "$(id -u seen)" -lt 1000
check "...with the group seen" getent group seen >/dev/null
equal "$(stat -c '%U:%G %a' /var/lib/seen)" "seen:seen-operators 710" \
  "postinst made /var/lib/seen, seen:seen-operators 0710 (the operators pass)"
check "...and the group seen-operators, with seen in it" \
  sh -c "id -nG seen | grep -qw seen-operators"
equal "$(stat -c '%U:%G %a' /var/backups/seen)" "seen:seen 750" \
  "...and /var/backups/seen, where the running node writes backups"
UNIT=/lib/systemd/system/seen-node@.service
if command -v systemd-analyze >/dev/null; then
  expect_status 0 "systemd-analyze verify passes the unit" \
    systemd-analyze verify "$UNIT"
  equal "$(grep -v 'Failed to connect\|Failed to open\|to bus' "$T_DIR/err")" \
    "" "...saying nothing"
fi
for k in Type=notify User=seen Group=seen LimitNOFILE=65536 \
    SupplementaryGroups=seen-operators \
    ProtectSystem=strict ReadWritePaths=/var/lib/seen/%i ProtectHome=yes \
    PrivateTmp=yes PrivateDevices=yes NoNewPrivileges=yes \
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
    CapabilityBoundingSet= SystemCallFilter=@system-service \
    MemoryDenyWriteExecute=yes LockPersonality=yes RestrictNamespaces=yes; do
  check "the unit says $k" grep -qx "$k" "$UNIT"
done

# A node, as agency IT makes one (docs/operations.md "Install").
install -m 0600 /dev/null "$PASS"
printf 'package test %s\n' "$RANDOM$RANDOM" >"$PASS"
cd /
# The passphrase file is root's: root opens it, and seen's own pipe hands
# it on (/dev/stdin reopens the pipe, which must be seen's).
expect_status 0 "seen init, as user seen, the passphrase through a pipe" \
  runuser -u seen -- sh -c "cat | SEEN_PASSPHRASE_FILE=/dev/stdin \
    /usr/bin/seen --home '$NODE' init --name '$NAME' --type police \
    --local-authority Reading --kdf interactive" <"$PASS"
equal "$(stat -c '%U %a' "$NODE")" "seen 700" "...its home is seen's, 0700"

# Start it as the unit would: ExecStart, Environment and LoadCredential
# read from the installed unit, %i and %d expanded; User, Group and
# LimitNOFILE too; READY=1 awaited on NOTIFY_SOCKET, as Type=notify does.
unit_val() { sed -n "s/^$1=//p" "$UNIT" | sed "s|%i|$NAME|g; s|%d|$RUNDIR/creds|g"; }
mkdir -m 0700 "$RUNDIR/creds"
cred=$(unit_val LoadCredential)
install -m 0400 -o seen -g seen "${cred#*:}" "$RUNDIR/creds/${cred%%:*}"
chown seen:seen "$RUNDIR/creds"
chmod 0500 "$RUNDIR/creds"
cat >"$RUNDIR/notify.py" <<'EOS'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a") as out:
    print("LISTENING", file=out, flush=True)
    while True:
        print(s.recv(4096).decode().replace("\n", " "), file=out, flush=True)
EOS
python3 "$RUNDIR/notify.py" "$RUNDIR/notify" "$RUNDIR/notify.log" &
LISTENER=$!
until grep -q LISTENING "$RUNDIR/notify.log" 2>/dev/null; do sleep 0.1; done
touch "$RUNDIR/journal"
JS=$(stat -c '%d:%i' "$RUNDIR/journal")
read -r -a exec <<<"$(unit_val ExecStart)"
env_line=$(unit_val Environment)
# LimitNOFILE, or the hard limit here when that is lower (raising it
# needs CAP_SYS_RESOURCE, which a container may not have).
nofile=$(unit_val LimitNOFILE)
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge "$nofile" ] ||
  nofile=$(ulimit -Hn)
prlimit --nofile="$nofile:$nofile" \
  runuser -u "$(unit_val User)" -g "$(unit_val Group)" \
    -G "$(unit_val SupplementaryGroups)" -- \
  env -i PATH=/usr/bin:/bin "$env_line" NOTIFY_SOCKET="$RUNDIR/notify" \
  JOURNAL_STREAM="$JS" "${exec[@]}" 2>>"$RUNDIR/journal" &
DAEMON=$!
# Until READY=1, the daemon's end, or systemd's TimeoutStartSec (90 s by
# default), whichever is first.
deadline=$((SECONDS + 90))
until grep -q READY=1 "$RUNDIR/notify.log" || ! kill -0 "$DAEMON" 2>/dev/null ||
    [ "$SECONDS" -ge "$deadline" ]; do
  sleep 0.2
done
grep -q READY=1 "$RUNDIR/notify.log" || sed 's/^/    journal: /' "$RUNDIR/journal"
check "the node told NOTIFY_SOCKET READY=1 once it served" \
  grep -q 'READY=1 STATUS=serving' "$RUNDIR/notify.log"
check "it logs to the journal with priorities (<6> info)" \
  grep -q "^<6>seen-node: info: node '$NAME' (police, Reading) running" \
  "$RUNDIR/journal"
check "...without its own time stamps" \
  sh -c "! grep -q '^[0-9]' '$RUNDIR/journal'"
check "...and with the open-files limit of the unit ($nofile)" \
  grep -q "open files: limit $nofile " "$RUNDIR/journal"

as_seen() { runuser -u seen -- /usr/bin/seen --home "$NODE" "$@"; }
cp "$DATA/example.jsonl" "$RUNDIR/example.jsonl"
chmod 644 "$RUNDIR/example.jsonl"
expect_status 0 "import, as user seen" as_seen import "$RUNDIR/example.jsonl"
grep_out "3 records imported" "...three records"
expect_status 0 "the admin registers a lead" as_seen --as admin operator add lead --role lead
expect_status 0 "query by NHS number" as_seen --as lead query \
  --purpose "package test: section 47 enquiry" --nhs "943 476 5919" --json
grep_out '"record":"TVP-DA-2025-00412"' "...finds the child's police record"
# Operators who are people (docs/operations.md): IT opens the home to the
# operators' group for passing through, binds an admin to the node's user
# (peer mode from that request on) and a lead to UA; UA queries as that
# lead without --as, UB (in the group, not registered) is refused.
for u in "$UA" "$UB"; do
  useradd -M -N -g nogroup -G seen-operators -d /nonexistent -s /usr/sbin/nologin "$u"
done
chgrp seen-operators "$NODE" && chmod 0710 "$NODE"
expect_status 0 "an admin bound to the node's user turns peer mode on" \
  as_seen --as admin operator add it --role admin --user seen
expect_status 0 "...and registers a lead bound to $UA" \
  as_seen operator add lead-ua --role lead --user "$UA"
check "the control socket is 0660 of group seen-operators" \
  test "$(stat -c '%a %G' "$NODE/control.sock")" = "660 seen-operators"
expect_status 0 "$UA queries as lead-ua, without --as" \
  runuser -u "$UA" -- /usr/bin/seen --home "$NODE" query \
  --purpose "package test: strategy discussion" --nhs "943 476 5919" --json
grep_out '"record":"TVP-DA-2025-00412"' "...and is served"
expect_status 1 "$UB, not registered, is refused" \
  runuser -u "$UB" -- /usr/bin/seen --home "$NODE" query \
  --purpose "package test: strategy discussion" --nhs "943 476 5919"
grep_err "Unix user '$UB' \(uid [0-9]+\) is not a registered operator" "...with the rule's words"
expect_status 0 "an auditor bound to the node's user too" \
  as_seen --as it operator add aud --role auditor --user seen
install -d -o seen -m 0700 "$RUNDIR/export"
expect_status 0 "the auditor exports through the node, no passphrase" \
  as_seen --as aud audit export "$RUNDIR/export/x"
check "...the query is logged under lead-ua" grep -aq "lead-ua" "$RUNDIR/export/x/leaves.bin"
expect_status 0 "the admin backs the running node up to /var/backups/seen" \
  as_seen --as it backup "/var/backups/seen/$NAME"
check "...a whole backup, owned by seen" \
  test "$(stat -c %U "/var/backups/seen/$NAME/store/data.mdb")" = seen

# Stop it as systemd does: SIGTERM to the main process.
kill -TERM "$(cat "$NODE/seen-node.pid")"
wait "$DAEMON" && st=0 || st=$?
DAEMON=
equal "$st" 0 "SIGTERM stops it cleanly"
check "...telling NOTIFY_SOCKET STOPPING=1" grep -q STOPPING=1 "$RUNDIR/notify.log"
check "...and the journal (<6> info)" \
  grep -q "^<6>seen-node: info: node '$NAME' stopping" "$RUNDIR/journal"

# Purge: the package goes; the node's records stay until IT removes them.
expect_status 0 "dpkg --purge seen" dpkg --purge seen
check "...the package is gone" \
  sh -c "! dpkg-query -W -f='\${Status}' seen 2>/dev/null | grep -q installed"
left=
while read -r f; do [ -e "$f" ] && left="$left $f"; done <"$T_DIR/files"
equal "$left" "" "...and every file of it"
check "...but not the node's keystore and store" test -s "$NODE/keystore"
rm -rf "$NODE" "$PASS" "/var/backups/seen/$NAME"
rmdir /var/lib/seen /etc/seen /var/backups/seen
for u in "$UA" "$UB"; do userdel "$u"; done
userdel seen
groupdel seen-operators
check "once the test removes the node, nothing of it is left" \
  sh -c "! getent passwd seen && ! getent group seen && ! getent group seen-operators && \
    ! test -e /var/lib/seen && ! test -e /etc/seen"
t_end
