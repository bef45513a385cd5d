#!/usr/bin/env bash
# The README's second command: install what is missing, build everything including the tests, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh -DDCGAN_BUILD_TESTS=ON
cd build
ctest --output-on-failure --parallel "$(nproc)" --timeout 600
