#!/usr/bin/env bash
# Installs every Debian package dcgan needs to build, test and run its default demo (run as root on Debian 12).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

pkgs=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  dpkg-dev file           # cpack -G DEB: dpkg-shlibdeps finds the .deb's dependencies, file finds its programs
  libtorch-dev            # LibTorch 1.13 (CPU)
  libgloo-dev             # headers of Gloo, the c10d backend of distributed training on the CPU
  libopenblas0-openmp     # optimized BLAS: Debian's torch falls back to reference BLAS (~5x slower) without it
  libblas-dev             # cblas.h and libblas.so: the LibTorch-free `dcgan sample` calls sgemm (OpenBLAS at run time)
  libpng-dev              # PNG output
  libopencv-dev           # image I/O, resize, drawing
  libjpeg-dev             # JPEG decoding with libjpeg's warnings seen (a damaged file is skipped, not trained on)
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev googletest zlib1g-dev
  dataset-fashion-mnist   # the default demo data set: /usr/share/datasets/fashion-mnist
  python3-torch           # Python interop tests (the tutorial's Generator in PyTorch) and the benchmark peer
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Make sure torch picks OpenBLAS rather than the reference BLAS.
if [ -e /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 ]; then
  update-alternatives --set libblas.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3 >/dev/null 2>&1 || true
  update-alternatives --set liblapack.so.3-x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/openblas-openmp/liblapack.so.3 >/dev/null 2>&1 || true
fi
echo "setup: dependencies present"
