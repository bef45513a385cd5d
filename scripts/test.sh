#!/usr/bin/env bash
# The README's second command: every test, on both supported Debian releases and on LibTorch's CUDA build.
#  1. this machine's Debian (12: LibTorch 1.13; 13: LibTorch 2.6): install what is missing, build everything in
#     Release (build/), run every test;
#  2. Debian 13 (LibTorch 2.6, GCC 14) in a cached build root (scripts/debian13.sh): build with ASan + UBSan
#     (build-d13-asan/) and run every test again;
#  3. Debian 13's CUDA build of LibTorch with nvcc in its own cached root: build the library and the CLI, CUDA-only
#     sources included, and the test units whose code differs in a CUDA build (build-d13-cuda/), and run those tests
#     on the CPU (what a CUDA build on a machine without a card does; the tests that need a card skip, naming it).
# One line per stage with its time; the tools' output goes to build/test.log, shown when a stage fails, and each
# suite's ctest summary is printed. DCGAN_SKIP_SANITIZE=1 skips 2, DCGAN_SKIP_CUDA=1 skips 3 (quicker local runs; CI
# runs all); DCGAN_CUDA_SUITE=all builds and runs every test in 3. Ends with the wall time of each stage: CI's budget
# is in docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
DCGAN_LOG=$PWD/build/test.log
: >"$DCGAN_LOG"
. scripts/lib/stage.sh
trap stage_report EXIT
echo "test: tools' output in $DCGAN_LOG"
jobs=$(nproc)
# ctest's closing lines: the count, then each test that did not pass or did not run, with why.
summary='tests passed|tests failed out of|The following tests|^\s+[0-9]+ - .*\([A-Za-z ]+\)$'

# ctest_in DIR TIMEOUT [REGEX]: the command that runs ctest in DIR (the tests matching REGEX), the slowest first
# (tests/test_costs.cmake), every test's output kept on failure; a string, so that it runs in the roots too.
ctest_in() { echo "cd $1 && ctest --output-on-failure --parallel $jobs --timeout $2${3:+ -R '$3'}"; }

# The Debian 13 roots are made (the first time on a machine: minutes of downloading and unpacking) while this
# machine's build compiles; their stages below wait for them.
declare -A making=()
start_root() {  # start_root NAME FLAGS...: makes that root in the background, its output in build/NAME.log
  local name=$1
  shift
  (
    start=$SECONDS
    bash scripts/debian13.sh "$@" --make-only
    echo "root ready after $((SECONDS - start)) s (made in the background; 0-2 s: it was there)"
  ) >"build/$name.log" 2>&1 &
  making[$name]=$!
}
wait_root() {  # wait_root NAME: waits for start_root NAME; fails with its log's tail if it failed
  wait "${making[$1]}" || { tail -n 40 "build/$1.log"; return 1; }
  cat "build/$1.log"
}
stage packages env DCGAN_BROWSER=1 bash scripts/setup.sh
[ "${DCGAN_SKIP_SANITIZE:-0}" = 1 ] || start_root root-d13
[ "${DCGAN_SKIP_CUDA:-0}" = 1 ] || start_root root-d13-cuda --cuda
stage build bash scripts/build.sh -DDCGAN_BUILD_TESTS=ON
stage --show "$summary" ctest bash -c "$(ctest_in build 600)"

if [ "${DCGAN_SKIP_SANITIZE:-0}" != 1 ]; then
  stage --show 'root ready' root-d13 wait_root root-d13
  stage build-d13-asan bash scripts/debian13.sh -- bash -c "cmake -S . -B build-d13-asan -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDCGAN_SANITIZE=ON && cmake --build build-d13-asan --parallel $jobs"
  stage --show "$summary" ctest-d13-asan bash scripts/debian13.sh -- bash -c "
    export ASAN_OPTIONS=detect_container_overflow=0:abort_on_error=1
    export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    $(ctest_in build-d13-asan 900)"
fi

if [ "${DCGAN_SKIP_CUDA:-0}" != 1 ]; then
  # CI runs the tests whose code differs in a CUDA build (the CLI's device routing and --version, the step runner's
  # graph capture, the profiler, fused Adam, c10d with NCCL compiled in, the installed package), and builds only their
  # units (DCGAN_TEST_ONLY); the rest is the same code as in the CPU builds above. DCGAN_CUDA_SUITE=all builds and
  # runs every test (docs/testing.md: all pass).
  cuda_tests='^(Cli|CliDistributed|ProcessGroupTest|StepRunnerTest|ProfilerTest|FusedAdam|TrainerTest|Install)\.'
  cuda_units='test_cli.cpp;test_cli_distributed.cpp;test_distributed.cpp;test_step_runner.cpp;test_profile.cpp;test_fused_adam.cpp;test_trainer.cpp'
  if [ "${DCGAN_CUDA_SUITE:-smoke}" = all ]; then cuda_tests=. cuda_units=; fi
  stage --show 'root ready' root-d13-cuda wait_root root-d13-cuda
  # Configure must find CUDA and NCCL (a CPU-only configure would pass every CPU test and prove nothing).
  stage --show 'dcgan: LibTorch' build-d13-cuda bash scripts/debian13.sh --cuda -- bash -c "set -o pipefail
    cmake -S . -B build-d13-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DDCGAN_REQUIRE_CUDA=ON \
      '-DDCGAN_TEST_ONLY=$cuda_units' | tee /tmp/configure.txt
    grep -q 'CUDA ON.*NCCL ON' /tmp/configure.txt && cmake --build build-d13-cuda --parallel $jobs"
  stage --show "$summary" ctest-d13-cuda bash scripts/debian13.sh --cuda -- bash -c "$(ctest_in build-d13-cuda 600 "$cuda_tests")"
fi
