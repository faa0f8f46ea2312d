#!/usr/bin/env bash
# package.sh [OUTDIR]: build Seen (RelWithDebInfo, into $SEEN_BUILD_DIR or
# ./build) and the Debian package seen_VERSION_ARCH.deb from it with
# cpack, into OUTDIR (default: the build directory).  Prints the .deb's
# path.  Install it with `dpkg -i` (docs/operations.md "Install").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${SEEN_BUILD_DIR:-build}
OUT=${1:-$BUILD_DIR}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" 2>&1 | grep -E "error|warning" || true
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
if ! (cd "$BUILD_DIR" && cpack -G DEB -B "$OUT" >"$OUT/cpack.log" 2>&1); then
  cat "$OUT/cpack.log" >&2
  exit 1
fi
rm -f "$OUT/cpack.log"
ls "$OUT"/seen_*.deb
