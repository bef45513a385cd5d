#!/usr/bin/env bash
# Installs every Debian package dcgan needs to build, test and run its default demo (as root, on Debian 12 or 13).
# Debian 12 (bookworm) gives LibTorch 1.13.1, Debian 13 (trixie) LibTorch 2.6. DCGAN_FLAVOR=cuda (Debian 13 only,
# components contrib and non-free) installs LibTorch's CUDA build and nvidia-cuda-toolkit instead of the CPU build.
# Usage: bash scripts/setup.sh [--list]   (--list prints the packages it would install, one a line, and exits)
# DCGAN_BENCH=1 adds the benchmarks' Python packages (torchvision for the tutorial, setuptools for torch.compile);
# DCGAN_BROWSER=1 adds Chromium and its WebDriver (the report page's browser test; scripts/test.sh sets it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
flavor=${DCGAN_FLAVOR:-cpu}
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")

pkgs=(
  build-essential g++ cmake ninja-build ccache pkg-config git
  dpkg-dev file           # cpack -G DEB: dpkg-shlibdeps finds the .deb's dependencies, file finds its programs
  libopenblas0-openmp     # optimized BLAS: Debian's torch falls back to reference BLAS (~5x slower) without it
  libblas-dev             # cblas.h and libblas.so: the LibTorch-free `dcgan sample` calls sgemm (OpenBLAS at run time)
  libpng-dev              # PNG output
  libgif-dev              # GIF animations: progress.gif, `dcgan sample --interpolate K --out walks.gif`
  libopencv-dev           # image I/O, resize, drawing
  libjpeg-dev             # JPEG decoding with libjpeg's warnings seen (a damaged file is skipped, not trained on)
  libcli11-dev libspdlog-dev libfmt-dev libyaml-cpp-dev nlohmann-json3-dev
  libgtest-dev googletest zlib1g-dev
  dataset-fashion-mnist   # the default demo data set: /usr/share/datasets/fashion-mnist
)
case $flavor in
  cpu) pkgs+=(
    libtorch-dev          # LibTorch (CPU): 1.13 on Debian 12, 2.6 on Debian 13
    libgloo-dev           # headers of Gloo, the c10d backend of distributed training on the CPU
    python3-torch         # Python interop tests (the tutorial's Generator in PyTorch) and the benchmark peer
  )
  # DCGAN_BENCH=1 (always in scripts/debian13.sh's CPU root): what the benchmarks' Python peers need beyond that.
  if [ "${DCGAN_BENCH:-0}" = 1 ]; then pkgs+=(
    python3-torchvision   # scripts/bench-tutorial.sh: the tutorial end to end (ImageFolder, DataLoader)
    python3-setuptools    # scripts/bench.sh: the peer's --compile (torch.compile's C++ build imports it)
  ); fi ;;
  cuda) pkgs+=(
      libtorch-cuda-dev   # LibTorch 2.6's CUDA build (contrib); needs nvidia-cudnn (scripts/debian13.sh --cuda)
      nvidia-cuda-toolkit # nvcc and the CUDA 12.4 libraries (non-free)
      libgloo-cuda-dev    # Gloo's headers, as the CUDA build of LibTorch was built against
      libnccl-dev         # NCCL's headers: c10d's NCCL backend, distributed training across cards (non-free)
      python3-torch-cuda  # the interop tests' PyTorch, from the same build
    ) ;;
  *) echo "setup: DCGAN_FLAVOR=$flavor: expected cpu or cuda" >&2; exit 2 ;;
esac
if [ "${1:-}" = --list ]; then printf '%s\n' "${pkgs[@]}"; exit 0; fi
# Not part of the list above (which names a build root's packages): what makes the Debian 13 roots of scripts/test.sh.
[ -e /opt/dcgan-setup ] || pkgs+=(mmdebstrap)
# DCGAN_BROWSER=1 (scripts/test.sh): the test that opens report.html in a real browser (tests/browser/check_report.py
# drives Debian's Chromium through WebDriver); the demo does not need it.
if [ "${DCGAN_BROWSER:-0}" = 1 ]; then pkgs+=(chromium chromium-driver); fi
if [ "$flavor" = cuda ] && [ "$codename" != trixie ]; then
  echo "setup: DCGAN_FLAVOR=cuda needs Debian 13 (this is $codename)" >&2
  exit 2
fi

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
echo "setup: dependencies present ($codename, $flavor)"
