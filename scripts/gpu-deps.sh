#!/usr/bin/env bash
# Gathers, on a Debian 12 machine, what scripts/gpu-check.sh needs on a GPU machine that has PyTorch, nvcc, CMake and
# ninja but no apt and no network: Debian's CLI11, spdlog/fmt, yaml-cpp, GoogleTest, nlohmann-json, zlib, giflib and Gloo headers
# unpacked under .gpu/sysroot (no registry on the GPU side), and a copy of the reference peer. .gpu/ is git-ignored;
# name it in the device tool's carry list. Usage: bash scripts/gpu-deps.sh [PATH/TO/ref_dcgan.py]
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${1:-../shared/bench/ref_dcgan.py}
[ -f "$peer" ] || { echo "gpu-deps: $peer: no such file (pass the reference peer's path)" >&2; exit 2; }
rm -rf .gpu/debs .gpu/sysroot
mkdir -p .gpu/debs .gpu/sysroot
(cd .gpu/debs && apt-get download -q libcli11-dev libspdlog-dev libspdlog1.10 libfmt-dev libfmt9 libyaml-cpp-dev \
  libyaml-cpp0.7 libgtest-dev nlohmann-json3-dev zlib1g-dev libgloo-dev \
  libgif-dev libgif7 >/dev/null)
for f in .gpu/debs/*.deb; do dpkg-deb -x "$f" .gpu/sysroot; done
rm -rf .gpu/debs .gpu/sysroot/usr/share/doc .gpu/sysroot/usr/share/man
cp "$peer" .gpu/ref_dcgan.py
du -sh .gpu
