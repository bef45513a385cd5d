#!/usr/bin/env bash
# The README's second command: install what is missing, build everything including the tests, run every test;
# then build the tests again with AddressSanitizer + UndefinedBehaviorSanitizer and run them all once more.
# DCGAN_SKIP_SANITIZE=1 skips the second pass (quicker local runs; CI always runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc)

bash scripts/build.sh -DDCGAN_BUILD_TESTS=ON
(cd build && ctest --output-on-failure --parallel "$jobs" --timeout 600)

if [ "${DCGAN_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "test: sanitizer pass (ASan + UBSan)"
  generator=()
  command -v ninja >/dev/null && [ ! -f build-asan/CMakeCache.txt ] && generator=(-G Ninja)
  cmake -S . -B build-asan "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDCGAN_SANITIZE=ON
  cmake --build build-asan --parallel "$jobs"
  export ASAN_OPTIONS=detect_container_overflow=0:abort_on_error=1
  export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  (cd build-asan && ctest --output-on-failure --parallel "$jobs" --timeout 900)
fi
