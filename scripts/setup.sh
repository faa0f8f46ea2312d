#!/usr/bin/env bash
# setup.sh: install the Debian 12 packages Seen needs (skipping those
# already installed) and build Seen into ./build.  Run as root, or as a
# user who can sudo.  Sourced by demo.sh and test.sh; runnable alone.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SEEN_PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev libsodium-dev nettle-dev liblmdb-dev lmdb-utils
  libprotobuf-c-dev protobuf-c-compiler
  libutf8proc-dev libjansson-dev
  libgraphviz-dev chromium
  check libsubunit-dev
  golang-go golang-golang-x-mod-dev
  python3 python3-prometheus-client util-linux
  libsystemd-dev dpkg-dev groff-base man-db
)

missing=()
for p in "${SEEN_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
      grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${SEEN_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" 2>&1 | grep -E "error|warning" || true
test -x "$BUILD_DIR/bin/seen" && test -x "$BUILD_DIR/bin/seen-node"
echo "setup: built into $BUILD_DIR/" >&2
