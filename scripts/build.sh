#!/usr/bin/env bash
# Configures and builds dcgan (Release) into build/: the binary lands at build/dcgan. Extra args go to cmake's configure.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ -f build/CMakeCache.txt ]; then generator=(); fi  # keep whatever generator configured build/ first
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build --parallel "$(nproc)"
