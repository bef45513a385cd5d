#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (default 60 s), growing the corpus under
# tests/fuzz/<target>/. A crash input is written there too (crash-*): fix the bug, keep the file, and
# test_fuzz_corpus.cpp replays it in every test run from then on.
#   scripts/fuzz.sh [seconds] [target ...]      targets: config idx cifar10 cache checkpoint tfevents labels image
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config idx cifar10 cache checkpoint tfevents labels image)

bash scripts/setup.sh
missing=()
for p in clang-14 libclang-rt-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; fi

generator=()
command -v ninja >/dev/null && [ ! -f build-fuzz/CMakeCache.txt ] && generator=(-G Ninja)
CXX=clang++-14 cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDCGAN_FUZZ=ON \
  -DDCGAN_BUILD_TESTS=OFF
cmake --build build-fuzz --parallel "$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
status=0
for t in "${targets[@]}"; do
  echo "fuzz: $t for ${seconds}s"
  work=$(mktemp -d)
  # New interesting inputs land in $work; merging keeps only those that add coverage to the saved corpus.
  if ! build-fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -artifact_prefix="tests/fuzz/$t/" -print_final_stats=1 "$work" "tests/fuzz/$t" 2>&1 | tail -n 12; then
    echo "fuzz: $t FOUND A CRASH: see tests/fuzz/$t/crash-*"
    status=1
  fi
  build-fuzz/tests/fuzz/fuzz_"$t" -merge=1 "tests/fuzz/$t" "$work" >/dev/null 2>&1 || true
  rm -rf "$work"
done
exit $status
