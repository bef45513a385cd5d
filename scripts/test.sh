#!/usr/bin/env bash
# The README's second command: install what is missing, build everything including the tests, run every test;
# then build the tests again with AddressSanitizer + UndefinedBehaviorSanitizer and run them all once more.
# DCGAN_SKIP_SANITIZE=1 skips the second pass (quicker local runs; CI always runs it).
# Ends with the wall time of each phase: CI's budget is 30 minutes on the 2-core CI machine (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
phases=()
phase() {  # phase NAME COMMAND...: runs COMMAND, records its wall time under NAME
  local name=$1 start=$SECONDS
  shift
  "$@"
  phases+=("$(printf '%-16s %4d s' "$name" $((SECONDS - start)))")
}
report() {
  echo "test: wall time per phase"
  for p in "${phases[@]}"; do echo "  $p"; done
  echo "  $(printf '%-16s %4d s' total "$SECONDS")"
}
trap report EXIT

phase setup bash scripts/setup.sh
phase build bash scripts/build.sh -DDCGAN_BUILD_TESTS=ON
phase ctest bash -c "cd build && ctest --output-on-failure --parallel $jobs --timeout 600"

if [ "${DCGAN_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "test: sanitizer pass (ASan + UBSan)"
  generator=()
  command -v ninja >/dev/null && [ ! -f build-asan/CMakeCache.txt ] && generator=(-G Ninja)
  phase build-asan bash -c "cmake -S . -B build-asan ${generator[*]} -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDCGAN_SANITIZE=ON \
    && cmake --build build-asan --parallel $jobs"
  export ASAN_OPTIONS=detect_container_overflow=0:abort_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  phase ctest-asan bash -c "cd build-asan && ctest --output-on-failure --parallel $jobs --timeout 900"
fi
