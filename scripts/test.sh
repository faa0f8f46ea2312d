#!/usr/bin/env bash
# test.sh: set up (packages, build) and run the whole test suite: every
# unit suite and integration test in a release build, then the unit
# suites again under AddressSanitizer and UndefinedBehaviorSanitizer, and
# the lab tests of matching, disclosure, audit, report and the custodians
# (test_oprf_lab, test_oprf_epoch, test_custodians) and the attack suite
# (tests/integration/test_attack_*) with sanitized daemons (optimisation
# once hid an endless recursion there that a Debug daemon crashed on).
# SEEN_TEST_SANITIZE=0 skips the sanitizer pass; SEEN_SOAK=1 adds the
# long soak (bench/bench_soak: the 30-node lab at rest, then three nodes
# under a steady import stream, each for SEEN_SOAK_MINUTES, default 60;
# figures, never pass or fail, but a lab that does not come up fails).
# SEEN_CHAOS=1 adds a long chaos run (tests/integration/test_chaos.sh:
# SEEN_CHAOS_CYCLES cycles, default 30, on SEEN_CHAOS_NODES nodes,
# default 5; the default suite runs 3 cycles on 3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh

status=0
ctest --test-dir build --output-on-failure -j2 || status=1

if [ "${SEEN_TEST_SANITIZE:-1}" != 0 ]; then
  echo "test: unit suites under AddressSanitizer and UndefinedBehaviorSanitizer" >&2
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
    -DSEEN_SANITIZE=address,undefined >/dev/null
  cmake --build build-asan -j"$(nproc)" 2>&1 | grep -E "error|warning" || true
  ctest --test-dir build-asan --output-on-failure -j2 -L unit || status=1
  echo "test: lab tests and the attack suite with sanitized daemons" >&2
  ctest --test-dir build-asan --output-on-failure -j2 \
    -R '^test_((matching|disclosure|audit|report|oprf)_lab|oprf_epoch|custodians|attack_.*)$' || status=1
fi
if [ "${SEEN_SOAK:-0}" = 1 ]; then
  minutes=${SEEN_SOAK_MINUTES:-60}
  echo "test: the long soak: 30 nodes at rest for $minutes minutes" >&2
  build/bin/bench_soak --nodes 30 --minutes "$minutes" || status=1
  echo "test: the long soak: 3 nodes, one import every 30 s, $minutes minutes" >&2
  build/bin/bench_soak --nodes 3 --minutes "$minutes" --import-every 30 ||
    status=1
fi
if [ "${SEEN_CHAOS:-0}" = 1 ]; then
  echo "test: a long chaos run: ${SEEN_CHAOS_CYCLES:-30} cycles on ${SEEN_CHAOS_NODES:-5} nodes" >&2
  SEEN_BIN=$PWD/build/bin SEEN_SOURCE_DIR=$PWD \
    SEEN_CHAOS_CYCLES=${SEEN_CHAOS_CYCLES:-30} \
    SEEN_CHAOS_NODES=${SEEN_CHAOS_NODES:-5} \
    bash tests/integration/test_chaos.sh || status=1
fi
exit $status
